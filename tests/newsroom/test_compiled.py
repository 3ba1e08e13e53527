"""Short reads compiled once (newsroom/compiled.py), and the card reads built on them.

A read kept here must answer exactly as the ORM does: the same rows, the same Python
values (aware datetimes, booleans), for any ids, however the database changed since.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from masthead.newsroom import compiled, queries
from masthead.newsroom.models import ArticlePage
from tests.discovery.factories import make_article, make_image


@pytest.fixture(autouse=True)
def _fresh_compilations(monkeypatch):
    # Each test counts its own compilations; a key kept by another test must not answer.
    monkeypatch.setattr(compiled, "_compiled", {})


def _counting(build):
    built = []

    def counted(*args):
        built.append(args)
        return build(*args)

    return counted, built


class TestIds:
    def test_a_listing_is_compiled_once_and_answers_as_the_orm_does(self, publication):
        build, built = _counting(
            lambda: queries._section_listing(publication.analysis).values_list("pk", flat=True)[:3]
        )
        key = ("test", publication.analysis.path)
        first = compiled.ids(key, build)
        make_article(publication.analysis, slug="newer", bylines=[publication.writer], days_ago=0)
        again = compiled.ids(key, build)
        assert len(built) == 1
        assert again == list(build()) and again[1:] == first[:2]


class TestRowsFor:
    @staticmethod
    def _rows(pks):
        return ArticlePage.objects.filter(pk__in=pks).values_list(
            "pk", "title", "first_published_at", "members_only"
        )

    def test_other_ids_of_the_same_count_reuse_the_sql(self, publication):
        build, built = _counting(self._rows)
        one, two = publication.others[:2], publication.others[2:4]
        first = compiled.rows_for(("test",), build, [a.pk for a in one])
        second = compiled.rows_for(("test",), build, [a.pk for a in two])
        assert len(built) == 1
        assert sorted(first) == sorted(self._rows([a.pk for a in one]))
        assert sorted(second) == sorted(self._rows([a.pk for a in two]))

    def test_another_count_is_compiled_apart(self, publication):
        build, built = _counting(self._rows)
        compiled.rows_for(("test",), build, [publication.flagship.pk])
        rows = compiled.rows_for(("test",), build, [a.pk for a in publication.others[:3]])
        assert len(built) == 2 and len(rows) == 3

    def test_values_come_back_as_the_orm_gives_them(self, publication):
        (row,) = compiled.rows_for(("test",), self._rows, [publication.flagship.pk])
        assert row == tuple(self._rows([publication.flagship.pk])[0])
        published, members_only = row[2], row[3]
        assert isinstance(published, dt.datetime) and published.tzinfo is not None
        assert members_only is False

    def test_ids_that_are_gone_are_left_out(self, publication):
        rows = compiled.rows_for(("test",), self._rows, [publication.flagship.pk, 10**9])
        assert [row[0] for row in rows] == [publication.flagship.pk]

    def test_a_read_with_parameters_of_its_own_is_never_kept(self, publication):
        # The title's start is a parameter beside the ids: replacing the parameters would be
        # wrong, so the read runs through the ORM every time, and still answers right.
        build, built = _counting(
            lambda pks: ArticlePage.objects.filter(
                title__startswith="Salt", pk__in=pks
            ).values_list("pk")
        )
        wanted = [publication.flagship.pk, publication.others[0].pk]
        assert compiled.rows_for(("test",), build, wanted) == [(publication.flagship.pk,)]
        assert compiled.rows_for(("test",), build, wanted) == [(publication.flagship.pk,)]
        assert len(built) == 3  # the check, then once per read


class TestCardReads:
    def test_a_card_s_article_shows_what_the_orm_reads(self, publication):
        image = make_image()
        article = make_article(
            publication.interviews,
            slug="with-a-picture",
            bylines=[publication.board, publication.writer],
            hero_image=image,
            hero_alt="A harbour at dawn",
        )
        (card,) = queries._cards_by_ids([article.pk])
        full = ArticlePage.objects.get(pk=article.pk)
        for field in ("title", "url_path", "first_published_at", "kind", "standfirst"):
            assert getattr(card, field) == getattr(full, field)
        assert card.members_only is False
        assert card.hero_image.pk == image.pk and card.hero_image.file.name == image.file.name
        assert [b.contributor.name for b in card.bylines.all()] == [
            "The Gazette Board",
            "Nora Field",
        ]
        assert card.url == full.url

    def test_three_queries_for_any_number_of_cards_and_none_for_their_cards(self, publication):
        image = make_image()
        make_article(
            publication.interviews,
            slug="pictured",
            bylines=[publication.writer],
            hero_image=image,
            hero_alt="A harbour at dawn",
        )
        ids = list(queries.published_articles().values_list("pk", flat=True))
        assert publication.flagship.url  # the sites' root paths, which Wagtail keeps
        with CaptureQueriesContext(connection) as reads:
            found = queries._cards_by_ids(ids)
            for card in found:
                (
                    card.title,
                    card.url,
                    card.hero_image,
                    [b.contributor.name for b in card.bylines.all()],
                )
        assert len(reads) == 3  # the articles, their bylines, their pictures
        assert [card.pk for card in found] == ids

    def test_a_field_a_card_does_not_show_is_read_when_asked_for(self, publication):
        (card,) = queries._cards_by_ids([publication.flagship.pk])
        with CaptureQueriesContext(connection) as reads:
            assert card.seo_title == publication.flagship.seo_title
        assert len(reads) == 1

    def test_ids_that_are_gone_or_repeated(self, publication):
        flagship = publication.flagship.pk
        found = queries._cards_by_ids([flagship, 10**9, flagship])
        assert [card.pk for card in found] == [flagship, flagship]
        assert queries._cards_by_ids([]) == []

    def test_latest_links_are_read_narrowly_and_in_order(self, publication):
        links = queries.latest_articles(locale=publication.en, limit=3)
        expected = list(queries.published_articles(locale=publication.en)[:3])
        assert [(a.pk, a.title, a.url) for a in links] == [
            (a.pk, a.title, a.url) for a in expected
        ]
