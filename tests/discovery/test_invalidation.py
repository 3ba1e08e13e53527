"""Publishing reaches every cached page that shows the piece, and only those (issue 10).

Each test warms the cache, makes one editorial change, then reads as readers would: a
page that shows the change shows it to the next reader (``next_view``: never the stale
copy, with stale-while-revalidate on as in production), and every other page is still a
plain HIT, never re-rendered.
"""

import re

import pytest
from django.core.cache import caches
from django.test import RequestFactory

from masthead.discovery import invalidation
from masthead.lib import pagecache
from masthead.newsroom import services
from masthead.newsroom.models import ArticlePage, ArticleTopic, Contributor
from tests.funding.conftest import campaign  # noqa: F401 (a fixture)
from tests.lib.test_pagecache import fetch, next_view


@pytest.fixture(autouse=True)
def _stale_while_revalidate(settings):
    """As in production (tests turn it off elsewhere)."""
    settings.PAGE_CACHE_STALE_SECONDS = 30


def warm(client, urls):
    for url in urls:
        fetch(client, url)
        assert fetch(client, url)["X-Cache"] == "HIT", url


def assert_hit(client, url):
    response = fetch(client, url)
    assert response["X-Cache"] == "HIT", url
    return response


def text(response) -> str:
    return response.content.decode()


def latest_box(response) -> str:
    body = text(response)
    return body[body.index('id="latest-heading"') :] if 'id="latest-heading"' in body else ""


def listing(response) -> str:
    """The page without its latest-news box (which lists the newest articles anywhere)."""
    body = text(response)
    return body[: body.index('id="latest-heading"')] if 'id="latest-heading"' in body else body


def related_box(response) -> str:
    found = re.search(r'<section class="related".*?</section>', text(response), re.S)
    return found.group(0) if found else ""


def publish_new(publication, **fields):
    draft = {
        "title": "Freshly Published Piece",
        "slug": "fresh",
        "standfirst": "New.",
        "topics": ["climate"],
        "bylines": [publication.members[0]],
        **fields,
    }
    section = draft.pop("section", publication.interviews)
    return services.create_article(section=section, draft=services.ArticleDraft(**draft))


# dispatch-3: analysis, "labour", by Nora Field: shares nothing with the new piece.
UNRELATED = "/en/analysis/dispatch-3/"


class TestPublishingANewArticle:
    # Where it must show: home, its section (each ?page=N is its own entry), its writer's
    # page, and the feeds and sitemap that list it.
    PAGES_THAT_SHOW_IT = [
        "/en/",
        "/en/interviews/",
        "/en/interviews/?page=1",
        "/en/contributors/ada-quispe/",
        "/en/feeds/rss/",
        "/en/feeds/atom/",
        "/en/feeds/sections/interviews/rss/",
        "/en/feeds/sections/interviews/atom/",
        "/en/feeds/contributors/ada-quispe/rss/",
    ]

    def test_every_page_that_lists_it_shows_it(self, client, publication):
        warm(client, self.PAGES_THAT_SHOW_IT)
        article = publish_new(publication)
        for url in self.PAGES_THAT_SHOW_IT:
            assert article.title in text(next_view(client, url)), url

    def test_the_sitemaps_show_it(self, client, publication):
        index = text(fetch(client, "/sitemap.xml"))
        sitemaps = re.findall(r"<loc>https?://[^/]+(/sitemap-[^<]+)</loc>", index)
        warm(client, ["/sitemap.xml", *sitemaps])
        article = publish_new(publication)
        assert text(next_view(client, "/sitemap.xml")) != index  # its lastmod moved
        listed = "".join(text(next_view(client, url)) for url in sitemaps)
        assert f"{article.url}</loc>" in listed

    def test_its_topic_page_and_feed_show_it(self, client, publication):
        # A topic page exists once an article carries the topic: warm one it joins.
        urls = ["/en/topics/mining/", "/en/feeds/topics/mining/rss/"]
        warm(client, urls)
        article = publish_new(publication, topics=["mining"])
        for url in urls:
            assert article.title in text(next_view(client, url)), url

    def test_an_unrelated_article_stays_a_hit_and_its_latest_news_shows_it(
        self, client, publication, django_assert_num_queries
    ):
        warm(client, [UNRELATED])
        article = publish_new(publication)
        first = fetch(client, UNRELATED)
        assert first["X-Cache"] == "HIT"  # not re-rendered, not even stale
        assert article.title in latest_box(first)
        # The box was rendered once for everyone: the next reader costs no query.
        with django_assert_num_queries(0):
            again = assert_hit(client, UNRELATED)
        assert article.title in latest_box(again)

    def test_the_latest_box_in_spanish_does_not_show_an_english_article(self, client, publication):
        spanish = publication.flagship_es.url
        warm(client, [spanish])
        article = publish_new(publication)
        assert article.title not in text(assert_hit(client, spanish))

    def test_a_section_it_is_not_in_stays_a_hit(self, client, publication):
        warm(client, ["/en/analysis/", "/en/feeds/sections/analysis/rss/", "/en/topics/labour/"])
        publish_new(publication)
        assert_hit(client, "/en/feeds/sections/analysis/rss/")
        assert_hit(client, "/en/topics/labour/")
        # The section page is a hit too; its latest-news box (a hole) shows the new piece.
        assert "Freshly Published Piece" in latest_box(assert_hit(client, "/en/analysis/"))

    def test_articles_sharing_a_topic_show_it_as_related_and_stay_hits(
        self, client, publication, django_capture_on_commit_callbacks
    ):
        page = publication.others[0]  # "mining"
        neighbour = page.url
        warm(client, [neighbour])
        # Related by content as well as by topic, so the engine ranks it into the list;
        # the changed lists are announced on commit (discovery.signals).
        with django_capture_on_commit_callbacks(execute=True):
            article = publish_new(
                publication,
                title=f"{page.title}, again",
                standfirst=page.standfirst,
                body=[(block.block_type, block.value) for block in page.body],
                kind=page.kind,
                bylines=[byline.contributor for byline in page.bylines.all()],
                topics=["mining"],
            )
        response = assert_hit(client, neighbour)
        assert article.title in related_box(response)

    def test_a_stored_related_list_is_not_drawn_again_for_a_publish_that_leaves_it(
        self, client, publication, django_assert_num_queries, settings
    ):
        from masthead.discovery import services as discovery
        from masthead.discovery.models import RelatedList

        discovery.rebuild_related()
        stored, fallback = publication.others[0], publication.others[2]  # both "mining"
        RelatedList.objects.filter(article_id=fallback.pk).delete()  # as before the worker ran
        warm(client, [stored.url, fallback.url])
        # The engine's task is queued, not run (the worker has not got to it): no stored
        # list changed.
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        article = publish_new(publication, topics=["mining"])
        with django_assert_num_queries(4):  # the latest-news box, drawn again for everyone
            assert article.title in latest_box(assert_hit(client, stored.url))
        # The fallback list, newest first among articles sharing a topic, shows it at once.
        assert article.title in related_box(assert_hit(client, fallback.url))

    def test_a_members_only_article_shows_as_such_and_its_body_never_reaches_the_cache(
        self, client, publication
    ):
        warm(client, ["/en/", "/en/interviews/"])
        article = publish_new(
            publication,
            members_only=True,
            body=[{"type": "paragraph", "value": "<p>Only for members: quartzite.</p>"}],
        )
        for url in ["/en/", "/en/interviews/", article.url]:
            body = text(next_view(client, url))
            assert "quartzite" not in body, url
        assert "Members only" in text(next_view(client, "/en/"))


class TestChangingAnArticle:
    def test_unpublishing_removes_it_at_once_from_its_own_address(self, client, publication):
        url = publication.others[0].url
        warm(client, [url])
        publication.others[0].unpublish()
        # Never the stale copy: the piece is gone, not changed.
        assert fetch(client, url).status_code == 404

    def test_unpublishing_removes_it_from_listings_and_related_boxes(self, client, publication):
        gone = publication.others[1]  # analysis, "mining", Nora Field
        neighbour = publication.others[0].url  # "mining": lists it as related
        urls = [
            "/en/",
            "/en/analysis/",
            "/en/topics/mining/",
            "/en/contributors/nora-field/",
            "/en/feeds/rss/",
            "/en/feeds/sections/analysis/rss/",
        ]
        warm(client, [*urls, neighbour])
        assert gone.title in related_box(fetch(client, neighbour))
        gone.unpublish()
        for url in urls:
            assert gone.title not in listing(next_view(client, url)), url
        response = assert_hit(client, neighbour)
        assert gone.title not in related_box(response)
        assert gone.title not in latest_box(response)

    def test_moving_it_changes_both_sections_and_its_old_address(self, client, publication):
        article = publication.others[0]  # interviews
        old_url = article.url
        warm(client, [old_url, "/en/interviews/", "/en/analysis/", "/en/feeds/rss/"])
        article.move(publication.analysis, pos="last-child")
        # Never the stale copy: Wagtail's redirect to the new address (or a 404).
        assert fetch(client, old_url).status_code in (301, 404)
        assert article.title not in listing(next_view(client, "/en/interviews/"))
        assert article.title in listing(next_view(client, "/en/analysis/"))
        moved = ArticlePage.objects.get(pk=article.pk)
        assert fetch(client, moved.url).status_code == 200

    def test_taking_a_topic_away_reaches_the_topic_page(self, client, publication):
        article = ArticlePage.objects.get(pk=publication.others[0].pk)
        warm(client, ["/en/topics/mining/", "/en/topics/labour/"])
        article.topics.set(["labour"])
        article.save_revision().publish()
        assert article.title not in text(next_view(client, "/en/topics/mining/"))
        assert article.title in text(next_view(client, "/en/topics/labour/"))

    def test_changing_a_byline_reaches_both_contributors(self, client, publication):
        article = ArticlePage.objects.get(pk=publication.others[0].pk)
        newcomer = publication.members[1]
        urls = ["/en/contributors/nora-field/", f"/en/contributors/{newcomer.slug}/"]
        warm(client, [*urls, article.url])
        article.bylines = [services.ArticleByline(contributor=newcomer)]
        article.save_revision().publish()
        assert article.title not in text(next_view(client, urls[0]))
        assert article.title in text(next_view(client, urls[1]))
        assert newcomer.name in text(next_view(client, article.url))

    def test_a_translation_changes_the_language_links_of_the_other(self, client, publication):
        english = publication.flagship.url
        warm(client, [english])
        assert publication.flagship_es.url in text(fetch(client, english))
        publication.flagship_es.unpublish()
        assert publication.flagship_es.url not in text(next_view(client, english))

    def test_a_spanish_publish_leaves_english_listings_alone(self, client, publication):
        warm(client, ["/en/interviews/", UNRELATED])
        spanish = ArticlePage.objects.get(pk=publication.flagship_es.pk)
        spanish.title = "Sal y plata, otra vez"
        spanish.save_revision().publish()
        assert_hit(client, "/en/interviews/")
        assert_hit(client, UNRELATED)
        assert "Sal y plata, otra vez" in text(next_view(client, "/es/"))

    def test_a_saved_draft_invalidates_nothing(self, client, publication):
        flagship = ArticlePage.objects.get(pk=publication.flagship.pk)
        warm(client, [flagship.url, "/en/"])
        flagship.title = "Draft Title Nobody Sees"
        flagship.save_revision()
        assert_hit(client, flagship.url)
        assert_hit(client, "/en/")


class TestOtherChanges:
    def test_renaming_a_contributor_reaches_their_page_and_bylines(self, client, publication):
        urls = ["/en/contributors/nora-field/", publication.others[0].url, "/en/"]
        warm(client, urls)
        writer = Contributor.objects.get(pk=publication.writer.pk)
        writer.name = "Nora Field-Renamed"
        writer.save()
        for url in urls:
            assert "Nora Field-Renamed" in text(next_view(client, url)), url

    def test_a_new_contributor_invalidates_nothing(self, client, publication):
        warm(client, [UNRELATED])
        services.create_contributor(name="Someone New", slug="someone-new", locale=publication.en)
        assert_hit(client, UNRELATED)

    @pytest.mark.usefixtures("campaign")
    def test_the_campaign_bar_is_still_filled_on_a_hit_after_a_publish(self, client, publication):
        warm(client, [UNRELATED])
        publish_new(publication)
        response = assert_hit(client, UNRELATED)
        assert "Keep the long interviews coming" in text(response)
        assert "Freshly Published Piece" in latest_box(response)


class TestDeclaredTags:
    def test_an_article_page_declares_its_page_and_shared(self, client, publication):
        url = publication.others[3].url
        fetch(client, url)
        stored = caches["pages"].get(pagecache.page_key(RequestFactory().get(url)))
        tags = set(stored[2])
        article = publication.others[3]
        assert {f"page:{article.pk}", "shared", "all"} <= tags
        assert pagecache.ANY not in tags  # known page: not invalidated by every change

    @pytest.mark.parametrize(
        ("url", "tag"),
        [
            ("/en/topics/mining/", "topic:mining"),
            ("/en/feeds/topics/mining/rss/", "topic:mining"),
            ("/en/contributors/board/", "contributor:board"),
            ("/en/feeds/sections/interviews/rss/", "section:interviews"),
            ("/en/feeds/rss/", "articles"),
            ("/sitemap.xml", "articles"),
        ],
    )
    def test_discovery_pages_declare_what_they_list(self, client, publication, url, tag):
        fetch(client, url)
        stored = caches["pages"].get(pagecache.page_key(RequestFactory().get(url)))
        assert tag in stored[2]

    def test_an_article_change_names_every_place_that_shows_it(self, publication):
        tags = invalidation.article_tags(publication.flagship.pk)
        home, section = publication.home, publication.interviews
        topics = ArticleTopic.objects.filter(content_object_id=publication.flagship.pk)
        assert {
            f"page:{publication.flagship.pk}",
            f"page:{publication.flagship_es.pk}",  # its translation's language links
            f"list:{home.path}",
            f"list:{section.path}",
            "section:interviews",
            "topic:mining",
            "topic:history",
            "contributor:board",
            "contributor:tomas-arce",
            "articles",
            *(f"related-topic:{row.tag_id}" for row in topics),
        } <= tags
        # The board's members list what the board signs.
        assert {f"contributor:{m.slug}" for m in publication.members} <= tags


class TestContributorRows:
    def test_a_new_member_of_a_collective_shows_on_its_page(self, client, publication):
        url = "/en/contributors/board/"
        warm(client, [url])
        newcomer = services.create_contributor(
            name="Pia Newmember", slug="pia-newmember", locale=publication.en
        )
        board = Contributor.objects.get(pk=publication.board.pk)
        board.members.add(services.CollectiveMember(member=newcomer))
        board.save()
        assert "Pia Newmember" in text(next_view(client, url))
