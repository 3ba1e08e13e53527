"""sitemap.xml (an index and its sitemaps) and robots.txt."""

import xml.etree.ElementTree as ET

import pytest

from tests.discovery.factories import make_articles

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


def get_xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own response, not untrusted input)


def sitemap_urls(client) -> dict[str, ET.Element]:
    """Every <url> of every sitemap the index lists, by location."""
    index = get_xml(client, "/sitemap.xml")
    urls = {}
    for loc in index.findall("sm:sitemap/sm:loc", NS):
        path = loc.text.removeprefix("http://testserver")
        for url in get_xml(client, path).findall("sm:url", NS):
            urls[url.find("sm:loc", NS).text] = url
    return urls


class TestSitemap:
    def test_index_lists_pages_contributors_and_topics(self, client, publication):
        index = get_xml(client, "/sitemap.xml")
        locs = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
        assert locs == [
            "http://testserver/sitemap-pages.xml",
            "http://testserver/sitemap-contributors.xml",
            "http://testserver/sitemap-topics.xml",
        ]

    def test_lists_every_published_page_in_both_languages(self, client, publication):
        urls = sitemap_urls(client)
        pages = [
            publication.home,
            publication.home_es,
            publication.interviews,
            publication.analysis,
            publication.interviews_es,
            publication.flagship,
            publication.flagship_es,
            *publication.others,
        ]
        for page in pages:
            assert page.full_url in urls, page.full_url
        assert "http://localhost/es/" in urls and "http://localhost/en/" in urls

    def test_never_lists_a_draft_or_an_unpublished_page(self, client, publication):
        publication.others[0].unpublish()
        urls = sitemap_urls(client)
        assert not [loc for loc in urls if "secret-draft" in loc]
        assert publication.others[0].full_url not in urls
        assert publication.others[1].full_url in urls

    def test_pages_carry_lastmod(self, client, publication):
        url = sitemap_urls(client)[publication.flagship.full_url]
        assert url.find("sm:lastmod", NS).text == publication.flagship.last_published_at.strftime(
            "%Y-%m-%d"
        )

    def test_translations_are_linked_with_hreflang(self, client, publication):
        urls = sitemap_urls(client)
        for page in (publication.flagship, publication.flagship_es):
            links = {
                link.get("hreflang"): link.get("href")
                for link in urls[page.full_url].findall("xhtml:link", NS)
            }
            assert links == {
                "en": publication.flagship.full_url,
                "es": publication.flagship_es.full_url,
            }
        # A page without a translation has no alternates at all.
        assert urls[publication.others[0].full_url].findall("xhtml:link", NS) == []

    def test_lists_contributors_with_published_pieces(self, client, publication):
        urls = sitemap_urls(client)
        for slug in ["board", "ada-quispe", "irene-sol", "tomas-arce", "nora-field"]:
            assert f"http://localhost/en/contributors/{slug}/" in urls, slug
        assert "http://localhost/es/contributors/board/" in urls
        assert "http://localhost/es/contributors/ada-quispe/" in urls
        # Nora Field has no Spanish translation and no Spanish piece.
        assert "http://localhost/es/contributors/nora-field/" not in urls

    def test_leaves_out_contributors_whose_pieces_are_all_unpublished(self, client, publication):
        for article in publication.others:
            article.unpublish()
        urls = sitemap_urls(client)
        assert "http://localhost/en/contributors/nora-field/" not in urls
        assert "http://localhost/en/contributors/board/" in urls

    def test_every_contributor_it_lists_has_a_page(self, client, publication):
        from masthead.newsroom import services
        from masthead.newsroom.models import ArticleByline

        # A Spanish profile put in the byline of an English piece: its Spanish page lists
        # nothing (pieces of its own language only), so it has none to put in the sitemap.
        stray = services.create_contributor(
            name="Lucia Ortega", slug="lucia-ortega", locale=publication.es
        )
        ArticleByline.objects.create(page=publication.others[1], contributor=stray)
        urls = [u for u in sitemap_urls(client) if "/contributors/" in u]
        assert "http://localhost/es/contributors/lucia-ortega/" not in urls
        assert len(urls) >= 8
        for url in urls:
            assert client.get(url.removeprefix("http://localhost")).status_code == 200, url

    def test_lists_topics_per_language(self, client, publication):
        urls = sitemap_urls(client)
        for loc in [
            "http://localhost/en/topics/mining/",
            "http://localhost/en/topics/history/",
            "http://localhost/en/topics/labour/",
            "http://localhost/es/topics/miner%C3%ADa/",
        ]:
            assert loc in urls, loc
            assert urls[loc].find("sm:lastmod", NS) is not None
        assert "http://localhost/es/topics/mining/" not in urls

    def test_every_listed_url_answers(self, client, publication):
        for loc in sitemap_urls(client):
            path = loc.removeprefix("http://localhost")
            assert client.get(path).status_code == 200, loc

    @pytest.mark.parametrize(
        "url",
        [
            "/sitemap-nope.xml",
            "/sitemap-pages.xml?p=2",
            "/sitemap-pages.xml?p=abc",
            "/sitemap-pages.xml?p=-1",
        ],
    )
    def test_unknown_section_or_page_is_a_404(self, client, publication, url):
        assert client.get(url).status_code == 404

    def test_splits_into_pages_past_the_limit(self, client, publication, monkeypatch):
        from masthead.discovery import sitemaps

        monkeypatch.setattr(sitemaps.PageSitemap, "limit", 5)
        index = get_xml(client, "/sitemap.xml")
        locs = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
        assert "http://testserver/sitemap-pages.xml?p=3" in locs
        seen = set()
        for page in (1, 2, 3):
            root = get_xml(client, f"/sitemap-pages.xml?p={page}")
            seen |= {url.find("sm:loc", NS).text for url in root.findall("sm:url", NS)}
        assert publication.flagship.full_url in seen and len(seen) == 13


@pytest.mark.usefixtures("no_page_cache")
class TestSitemapQueries:
    def test_query_count_does_not_grow_with_the_number_of_pages(
        self, client, publication, django_assert_max_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def count(url: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            return len(queries)

        urls = [
            "/sitemap.xml",
            "/sitemap-pages.xml",
            "/sitemap-contributors.xml",
            "/sitemap-topics.xml",
        ]
        for url in urls:
            client.get(url)  # warm the site-root cache
        before = {url: count(url) for url in urls}
        make_articles(publication.analysis, 40, bylines=[publication.writer])
        for url in urls:
            client.get(url)  # publishing moved the generation: what is kept by it refills once
        after = {url: count(url) for url in urls}
        assert after == before
        with django_assert_max_num_queries(8):
            client.get("/sitemap-pages.xml")


class TestRobots:
    def test_allows_all_but_admin_and_search_and_points_to_the_sitemap(self, client, publication):
        response = client.get("/robots.txt")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        lines = response.content.decode().splitlines()
        assert lines[0] == "User-agent: *"
        assert "Allow: /" in lines
        assert "Disallow: /admin/" in lines
        assert "Disallow: /en/search/" in lines
        assert "Disallow: /es/search/" in lines
        assert "Sitemap: http://testserver/sitemap.xml" in lines
        assert not any(line == "Disallow: /" for line in lines)

    def test_sitemap_url_follows_the_host_and_scheme(self, client, publication):
        response = client.get("/robots.txt", secure=True)
        assert "Sitemap: https://testserver/sitemap.xml" in response.content.decode()
