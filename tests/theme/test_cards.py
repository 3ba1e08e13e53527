"""An article's card is drawn once and kept until the article, or a name or picture on it,
changes (theme/cards.py); a replaced picture shows at once (newsroom/renditions.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.images.rect import Rect

from masthead.lib import pagecache
from masthead.newsroom import renditions
from masthead.newsroom.models import ArticlePage, Contributor
from masthead.theme import cards
from tests.discovery.factories import make_articles, make_image

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
