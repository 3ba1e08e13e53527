"""The full-page cache: anonymous pages come from it, publishing empties it, and nothing
per-reader is ever stored in it."""

import pytest
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from wagtail.models import Site

from masthead.lib.pagecache import PageCacheMiddleware
from masthead.newsroom import services
from masthead.newsroom.models import Contributor, PublicationSettings, PublicationText
from tests.theme.markup import parse


def fetch(client, url, **headers):
    return client.get(url, **headers)


def next_view(client, url, **headers):
    """What readers get once a change has reached the page: the first reader after it may
    be served the stale copy (``X-Cache: STALE``, stale-while-revalidate), and then the same
    worker renders the page again once that response is sent; the next reader gets the
    fresh page from the cache. A page that was not stale is simply rendered (MISS)."""
    first = fetch(client, url, **headers)
    if first.get("X-Cache") != "STALE":
        return first
    second = fetch(client, url, **headers)
    assert second["X-Cache"] == "HIT", url
    return second


def assert_served_from_cache(client, url, django_assert_num_queries):
    first = fetch(client, url)
    assert first["X-Cache"] == "MISS"
    with django_assert_num_queries(0):
        second = fetch(client, url)
    assert second["X-Cache"] == "HIT"
    assert second.content == first.content
    return second


class TestWhatIsCached:
    @pytest.mark.parametrize(
        "url",
        [
            "/en/",
            "/en/interviews/",
            "/en/interviews/salt-and-silver/",
            "/es/interviews/sal-y-plata/",
            "/en/contributors/board/",
            "/en/topics/mining/",
            "/en/feeds/rss/",
            "/en/feeds/atom/",
            "/sitemap.xml",
            "/en/analysis/?page=1",
        ],
    )
    def test_anonymous_pages_are_served_without_queries(
        self, client, publication, django_assert_num_queries, url
    ):
        assert_served_from_cache(client, url, django_assert_num_queries)

    def test_cached_page_keeps_its_type_and_security_headers(
        self, client, publication, django_assert_num_queries
    ):
        hit = assert_served_from_cache(client, "/en/feeds/rss/", django_assert_num_queries)
        assert hit["Content-Type"].startswith("application/rss+xml")
        page = assert_served_from_cache(
            client, publication.flagship.url, django_assert_num_queries
        )
        assert "script-src 'self'" in page["Content-Security-Policy"]
        assert page["X-Frame-Options"] == "DENY"
        assert page["X-Content-Type-Options"] == "nosniff"

    def test_shared_caches_may_keep_a_page_briefly_and_browsers_revalidate(
        self, client, publication
    ):
        response = fetch(client, "/en/")
        cache_control = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"public", "max-age=0", "s-maxage=5"} <= cache_control

    def test_conditional_get_is_answered_with_304(self, client, publication):
        etag = fetch(client, publication.flagship.url)["ETag"]
        assert etag
        miss_then_hit = fetch(client, publication.flagship.url, HTTP_IF_NONE_MATCH=etag)
        assert miss_then_hit.status_code == 304
        assert miss_then_hit.content == b""

    def test_a_changed_page_has_a_new_etag(self, client, publication):
        before = fetch(client, publication.flagship.url)["ETag"]
        flagship = publication.flagship
        flagship.title = "A new headline"
        flagship.save_revision().publish()
        response = fetch(client, publication.flagship.url, HTTP_IF_NONE_MATCH=before)
        assert response.status_code == 200
        assert response["ETag"] != before

    @pytest.mark.parametrize(
        "url", ["/en/search/?q=zanzibarite", "/en/?utm_source=x&x=1", "/en/analysis/?page=1&x=2"]
    )
    def test_other_query_strings_are_not_stored(self, client, publication, url):
        fetch(client, url)
        assert "X-Cache" not in fetch(client, url)

    def test_not_found_is_not_stored(self, client, publication):
        fetch(client, "/en/no-such-page/")
        assert "X-Cache" not in fetch(client, "/en/no-such-page/")

    def test_admin_is_never_cached(self, db):
        # A response that any reader page would have stored: no cookie, no CSRF token, no
        # Cache-Control. Real Wagtail screens are all never_cache and set cookies, so they
        # would pass this test even without the admin exclusion; this one needs it.
        def view(request):
            return HttpResponse("an admin screen that forgot never_cache")

        middleware = PageCacheMiddleware(view)
        first = middleware(RequestFactory().get("/admin/pages/"))
        second = middleware(RequestFactory().get("/admin/pages/"))
        assert "X-Cache" not in first and "X-Cache" not in second

    def test_signed_in_reader_bypasses_the_cache_and_gets_a_private_page(
        self, client, publication
    ):
        fetch(client, "/en/")
        client.cookies["sessionid"] = "some-session"
        response = fetch(client, "/en/")
        assert "X-Cache" not in response
        assert "private" in response["Cache-Control"]

    def test_cache_can_be_switched_off(self, client, publication, settings):
        settings.PAGE_CACHE_ENABLED = False
        fetch(client, "/en/")
        assert "X-Cache" not in fetch(client, "/en/")


class TestNothingPerReaderIsStored:
    def _run(self, view):
        factory = RequestFactory()
        middleware = PageCacheMiddleware(view)
        first = middleware(factory.get("/en/form/"))
        second = middleware(factory.get("/en/form/"))
        return first, second

    def test_a_page_that_used_the_csrf_token_is_not_stored(self, db):
        def view(request):
            return HttpResponse(f"<input value='{get_token(request)}'>")

        first, second = self._run(view)
        assert "X-Cache" not in first and "X-Cache" not in second
        assert first.content != second.content

    def test_a_page_that_sets_a_cookie_is_not_stored(self, db):
        def view(request):
            response = HttpResponse("hello")
            response.set_cookie("seen", "1")
            return response

        _first, second = self._run(view)
        assert "X-Cache" not in second

    def test_a_page_that_read_the_session_is_not_stored(self, db):
        def view(request):
            response = HttpResponse("hello")
            response["Vary"] = "Cookie"
            return response

        _first, second = self._run(view)
        assert "X-Cache" not in second

    def test_a_private_page_is_not_stored(self, db):
        def view(request):
            response = HttpResponse("hello")
            response["Cache-Control"] = "private"
            return response

        _first, second = self._run(view)
        assert "X-Cache" not in second


class TestPublishingEmptiesTheCache:
    """Each path an editor takes: the next anonymous GET of every page shows it."""

    PAGES_SHOWING_THE_FLAGSHIP = [
        "/en/",
        "/en/interviews/",
        "/en/contributors/board/",
        "/en/contributors/tomas-arce/",
        "/en/topics/mining/",
        "/en/feeds/rss/",
        "/en/feeds/sections/interviews/rss/",
    ]

    def warm(self, client, urls):
        for url in urls:
            fetch(client, url)
            assert fetch(client, url)["X-Cache"] == "HIT", url

    def test_editing_a_headline_shows_everywhere(self, client, publication):
        urls = [publication.flagship.url, *self.PAGES_SHOWING_THE_FLAGSHIP]
        self.warm(client, urls)
        flagship = publication.flagship
        flagship.title = "Copper and Chalk: A New Headline"
        flagship.save_revision().publish()
        for url in urls:
            assert "Copper and Chalk" in next_view(client, url).content.decode(), url

    def test_pages_listing_it_as_related_or_latest_show_the_change(self, client, publication):
        neighbour = publication.others[0]  # shares the "mining" topic with the flagship
        self.warm(client, [neighbour.url])
        flagship = publication.flagship
        flagship.title = "Renamed For The Related List"
        flagship.save_revision().publish()
        assert "Renamed For The Related List" in next_view(client, neighbour.url).content.decode()

    def test_publishing_a_new_article_shows_it(self, client, publication):
        self.warm(client, ["/en/", "/en/analysis/", "/en/feeds/rss/"])
        services.create_article(
            section=publication.analysis,
            draft=services.ArticleDraft(
                title="Freshly Published Piece", slug="fresh", standfirst="New."
            ),
        )
        for url in ["/en/", "/en/analysis/", "/en/feeds/rss/"]:
            assert "Freshly Published Piece" in next_view(client, url).content.decode(), url

    def test_unpublishing_removes_it_everywhere(self, client, publication):
        urls = [publication.flagship.url, *self.PAGES_SHOWING_THE_FLAGSHIP]
        self.warm(client, urls)
        publication.flagship.unpublish()
        assert fetch(client, publication.flagship.url).status_code == 404
        for url in self.PAGES_SHOWING_THE_FLAGSHIP:
            response = next_view(client, url)
            assert publication.flagship.title not in response.content.decode(), url

    def test_deleting_removes_it_everywhere(self, client, publication):
        url = publication.others[0].url
        title = publication.others[0].title
        self.warm(client, [url, "/en/", "/en/interviews/"])
        publication.others[0].delete()
        assert fetch(client, url).status_code == 404
        assert title not in next_view(client, "/en/").content.decode()

    def test_renaming_a_contributor_updates_their_bylines(self, client, publication):
        self.warm(client, [publication.flagship.url])
        member = Contributor.objects.get(pk=publication.members[0].pk)
        member.name = "Ada Quispe-Renamed"
        member.save()
        assert "Ada Quispe-Renamed" in next_view(client, publication.flagship.url).content.decode()

    def test_changing_publication_settings_changes_every_page(self, client, publication):
        self.warm(client, ["/en/", publication.flagship.url, "/en/feeds/rss/"])
        settings = PublicationSettings.for_site(Site.objects.get(is_default_site=True))
        settings.name = "The Renamed Gazette"
        settings.save()
        for url in ["/en/", publication.flagship.url, "/en/feeds/rss/"]:
            assert "The Renamed Gazette" in next_view(client, url).content.decode(), url

    def test_changing_furniture_texts_changes_every_page(self, client, publication):
        self.warm(client, [publication.flagship.url])
        text = PublicationText.objects.get(locale=publication.en)
        text.support_appeal = "A brand new appeal to readers."
        text.save()
        assert (
            "A brand new appeal to readers."
            in next_view(client, publication.flagship.url).content.decode()
        )

    def test_saving_a_draft_keeps_the_live_page(self, client, publication):
        self.warm(client, [publication.flagship.url])
        flagship = publication.flagship
        flagship.title = "Draft Title Nobody Sees"
        flagship.save_revision()
        assert "Draft Title Nobody Sees" not in next_view(client, flagship.url).content.decode()


class TestTrackingParameters:
    def test_tracking_parameters_share_the_cached_page(
        self, client, publication, django_assert_num_queries
    ):
        fetch(client, "/en/")
        with django_assert_num_queries(0):
            response = fetch(client, "/en/?utm_source=aggregator&utm_medium=link&fbclid=x1")
        assert response["X-Cache"] == "HIT"

    def test_tracking_parameters_beside_a_page_number_keep_the_page(self, client, publication):
        fetch(client, "/en/analysis/?page=1")
        response = fetch(client, "/en/analysis/?utm_campaign=spring&page=1")
        assert response["X-Cache"] == "HIT"

    def test_other_parameters_still_bypass(self, client, publication):
        fetch(client, "/en/?utm_source=x&colour=red")
        assert "X-Cache" not in fetch(client, "/en/?utm_source=x&colour=red")

    @pytest.mark.parametrize(
        "path",
        [
            "/en/topics/mining/",
            "/en/contributors/board/",
            "/en/newsletter/",
            "/es/newsletter/",
            "/en/",
            "/en/interviews/salt-and-silver/",
        ],
    )
    def test_tracking_parameters_never_reach_the_page(
        self, client, publication, django_assert_num_queries, path
    ):
        tracked = fetch(client, f"{path}?utm_source=x&fbclid=y")
        with django_assert_num_queries(0):
            plain = fetch(client, path)
        # One cache entry for both, and nothing in it from the first visitor's link.
        assert (tracked["X-Cache"], plain["X-Cache"]) == ("MISS", "HIT")
        assert plain.content == tracked.content
        body = tracked.content.decode()
        assert "utm_source" not in body and "fbclid" not in body
        head = parse(body).find("head")
        assert head.find("link", rel="canonical").attrs["href"].endswith(path)
        switcher = parse(body).find("nav", class_="lang")
        assert all("?" not in link.attrs["href"] for link in switcher.find_all("a"))

    def test_an_encoded_tracking_name_is_dropped_too(self, client, publication):
        fetch(client, "/en/topics/mining/")
        response = fetch(client, "/en/topics/mining/?utm%5Fsource=x")
        assert response["X-Cache"] == "HIT"

    def test_a_page_number_beside_tracking_parameters_still_reaches_the_view(
        self, client, publication
    ):
        first = fetch(client, "/en/topics/mining/?utm_campaign=spring&page=1")
        canonical = parse(first.content).find("head").find("link", rel="canonical")
        assert canonical.attrs["href"].endswith("/en/topics/mining/?page=1")
        assert fetch(client, "/en/topics/mining/?page=99&fbclid=y").status_code == 404

    def test_a_search_beside_tracking_parameters_still_searches(self, client, publication):
        response = fetch(client, "/en/search/?q=zanzibarite&utm_source=x")
        body = response.content.decode()
        assert publication.flagship.title in body
        assert "utm_source" not in body
        switcher = parse(body).find("nav", class_="lang")
        assert switcher.find("a", hreflang="es").attrs["href"] == "/es/search/?q=zanzibarite"


class TestStampede:
    """Many readers missing one page at once (a publish during a spike) cause one render."""

    def _concurrent(self, view, requests=12):
        import threading

        factory = RequestFactory()
        middleware = PageCacheMiddleware(view)
        responses = []
        start = threading.Barrier(requests)

        def reader():
            start.wait()
            responses.append(middleware(factory.get("/en/spike/")))

        threads = [threading.Thread(target=reader) for _ in range(requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        return responses

    def test_concurrent_misses_render_once(self, db):
        import time

        renders = []

        def slow_view(request):
            renders.append(1)
            time.sleep(0.3)
            return HttpResponse("the page")

        responses = self._concurrent(slow_view)
        assert len(responses) == 12
        assert all(r.content == b"the page" for r in responses)
        assert len(renders) == 1

    def test_an_unstorable_page_does_not_keep_readers_waiting(self, db, monkeypatch):
        import time

        from masthead.lib import pagecache

        # Were waiters to wait out the lock, they would outlive the threads' join timeout.
        monkeypatch.setattr(pagecache, "LOCK_WAIT_SECONDS", 120)
        renders = []

        def private_view(request):
            renders.append(1)
            time.sleep(0.1)
            response = HttpResponse("yours")
            response["Cache-Control"] = "private"
            return response

        responses = self._concurrent(private_view, requests=6)
        assert len(responses) == 6
        assert len(renders) == 6
        assert all("X-Cache" not in r for r in responses)
