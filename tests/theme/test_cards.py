"""An article's card is drawn once and kept until the article, or a name or picture on it,
changes (theme/cards.py); a replaced picture shows at once (newsroom/renditions.py)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.images.rect import Rect

from masthead.lib import pagecache
from masthead.newsroom import queries, renditions
from masthead.newsroom.models import ArticlePage, Contributor, SectionPage
from masthead.theme import cards
from tests.discovery.factories import make_articles, make_image
from tests.discovery.test_invalidation import publish_new

pytestmark = pytest.mark.usefixtures("no_page_cache")


def card(article: ArticlePage) -> str:
    with translation.override("en"):
        fresh = ArticlePage.objects.get(pk=article.pk)
        return cards.card_html(fresh, RequestFactory().get("/en/"), show_standfirst=True)


def test_a_card_is_kept_until_its_article_changes(publication):
    article = publication.others[0]
    assert article.title in card(article)
    # Changed behind the page cache's back (no signal): the kept card is what is shown.
    ArticlePage.objects.filter(pk=article.pk).update(title=Concat(F("title"), Value(" (kept)")))
    assert "(kept)" not in card(article)
    pagecache.invalidate([pagecache.page_tag(article.pk)])
    assert "(kept)" in card(article)


@pytest.mark.skipif(
    not pagecache._default_is_per_process(), reason="the default cache is already shared"
)
def test_a_worker_that_missed_a_card_reads_it_from_the_shared_cache(publication):
    drawn = card(publication.others[0])
    caches["default"].clear()  # another worker: its own memory never saw this card
    listed = queries.card_refs([publication.others[0].pk])[0]
    with CaptureQueriesContext(connection) as reads, translation.override("en"):
        again = cards.card_html(listed, RequestFactory().get("/en/"), show_standfirst=True)
    assert again == drawn
    assert reads.captured_queries == []  # the article was never read: nothing was drawn


def test_a_card_kept_in_the_shared_cache_is_drawn_again_after_its_article_changes(publication):
    article = publication.others[0]
    card(article)
    ArticlePage.objects.filter(pk=article.pk).update(title=Concat(F("title"), Value(" (new)")))
    pagecache.invalidate([pagecache.page_tag(article.pk)])
    caches["default"].clear()
    assert "(new)" in card(article)


def test_a_new_headline_shows_on_the_home_page_after_its_publish(client, publication):
    article = publication.others[0]
    assert article.title in client.get("/en/").content.decode()
    article.title = "A headline written again"
    article.save_revision().publish()
    assert "A headline written again" in client.get("/en/").content.decode()


def test_a_renamed_writer_shows_on_every_card_of_their_section(client, publication):
    section_url = publication.flagship.get_parent().url
    page = client.get(section_url).content.decode()
    writer = Contributor.objects.get(pk=publication.writer.pk)
    assert writer.name in page
    writer.name = "Renamed Writer"
    writer.save()
    assert "Renamed Writer" in client.get(section_url).content.decode()


def test_cards_are_drawn_in_the_reader_s_language(client, publication):
    spanish = client.get("/es/").content.decode()
    assert publication.flagship_es.title in spanish
    assert publication.flagship.title not in spanish


def test_a_moved_focal_point_changes_the_cropped_picture_at_once(publication):
    image = make_image("Quay", size=(1600, 900))
    before = renditions.picture(image, "card", alt="")
    assert before == renditions.picture(image, "card", alt="")
    image.set_focal_point(Rect(1200, 300, 1500, 800))
    image.save()
    after = renditions.picture(image, "card", alt="")
    assert after != before
    assert "fill-" in after


def test_a_listing_whose_cards_are_kept_reads_no_article(client, publication):
    url = publication.flagship.get_parent().url
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert not [q["sql"] for q in captured if "newsroom_articlepage" in q["sql"]]


def test_after_a_publish_the_listing_draws_the_new_card_and_keeps_the_others(client, publication):
    section = publication.flagship.get_parent()
    client.get(section.url)
    make_articles(section, 1, bylines=[publication.writer], prefix="fresh")
    page = client.get(section.url).content.decode()
    assert "fresh-0" in page
    assert publication.flagship.title in page


def _articles_read(captured: CaptureQueriesContext) -> list[set[int]]:
    """The ids each card read of the captured queries asked for (``page_ptr_id IN (...)``)."""
    reads = []
    for query in captured.captured_queries:
        match = re.search(r'"newsroom_articlepage"\."page_ptr_id" IN \(([\d, ]+)\)', query["sql"])
        if match and "hero_image" in query["sql"]:
            reads.append({int(pk) for pk in match.group(1).split(",")})
    return reads


def publish_now(publication: SimpleNamespace, section: SectionPage) -> ArticlePage:
    """A new article published now, as an editor's Publish does (no backdating, which
    empties every cache the way an import does)."""
    return publish_new(publication, section=section, bylines=[publication.writer])


def test_cards_to_draw_are_read_with_the_next_two_then_alone_then_all_the_rest(publication):
    ids = [article.pk for article in publication.others]
    refs = queries.card_refs(ids)
    with CaptureQueriesContext(connection) as captured:
        assert refs[0].article.pk == ids[0]
        assert refs[3].article.pk == ids[3]
        assert refs[1].article.pk == ids[1]  # read with the first
        assert refs[4].article.pk == ids[4]
        # Everything is read by now: asking again reads nothing.
        assert [ref.article.pk for ref in refs] == ids
    assert _articles_read(captured) == [{ids[0], ids[1], ids[2]}, {ids[3]}, {ids[4], ids[5]}]


def test_after_a_publish_home_reads_only_the_articles_whose_cards_changed(client, publication):
    section = publication.flagship.get_parent()
    client.get("/en/")
    fresh = publish_now(publication, section)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/en/").content.decode()
    assert fresh.title in page
    reads = _articles_read(captured)
    # One read: the new article, with the one it pushed out of the lead (drawn in another
    # size) and the next along, which reading the first costs nothing more.
    assert len(reads) == 1 and fresh.pk in reads[0] and len(reads[0]) <= 3, reads


def test_a_publish_in_one_section_leaves_the_other_sections_lists_unread(client, publication):
    interviews = publication.flagship.get_parent()
    analysis = publication.others[1].get_parent()
    assert analysis.pk != interviews.pk
    client.get("/en/")
    client.get(analysis.url)
    fresh = publish_now(publication, interviews)
    with CaptureQueriesContext(connection) as captured:
        home = client.get("/en/").content.decode()
    assert fresh.title in home
    listed = [q["sql"] for q in captured if "ORDER BY" in q["sql"] and "LIKE" in q["sql"]]
    assert any(f"'{interviews.path}%'" in sql for sql in listed)
    assert not any(f"'{analysis.path}%'" in sql for sql in listed)
    # The other section's own page keeps its count and page of ids too.
    with CaptureQueriesContext(connection) as captured:
        assert client.get(analysis.url).status_code == 200
    assert not [q["sql"] for q in captured if "COUNT(" in q["sql"]]


def test_a_publish_in_a_section_updates_its_own_page_and_count(client, publication):
    interviews = publication.flagship.get_parent()
    before = client.get(interviews.url).content.decode()
    assert "Freshly Published Piece" not in before
    fresh = publish_now(publication, interviews)
    with CaptureQueriesContext(connection) as captured:
        after = client.get(interviews.url).content.decode()
    assert fresh.title in after
    assert [q["sql"] for q in captured if "COUNT(" in q["sql"]]


def test_a_topic_page_keeps_its_languages_until_an_article_with_the_topic_changes(
    client, publication
):
    # The flagship carries "history" in English only: no Spanish page for it.
    assert client.get("/es/topics/history/").status_code == 404
    client.get("/en/topics/history/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/en/topics/history/").status_code == 200
    assert not [q["sql"] for q in captured if "DISTINCT" in q["sql"]]
    spanish_section = publication.flagship_es.get_parent()
    publish_new(
        publication, section=spanish_section, bylines=[publication.board_es], topics=["history"]
    )
    assert client.get("/es/topics/history/").status_code == 200
