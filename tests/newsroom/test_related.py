"""Related posts and latest news around an article."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from masthead.newsroom import queries, services
from masthead.newsroom.models import ArticlePage
from tests.discovery.factories import make_article


class TestRelatedArticles:
    """Before discovery's engine has stored a list (tests/discovery/test_related.py covers
    the stored lists): shared topics or contributors, newest first."""

    @pytest.fixture(autouse=True)
    def _no_stored_lists(self, monkeypatch):
        monkeypatch.setattr(queries, "_stored_related_ids", None)

    def test_never_the_article_itself(self, publication):
        for article in [publication.flagship, *publication.others]:
            assert article.pk not in [a.pk for a in queries.related_articles(article, limit=10)]

    def test_shares_a_topic_or_a_contributor_newest_first(self, publication):
        # dispatch-0 (mining, Nora Field) relates to every dispatch through Nora and to the
        # flagship through "mining"; newest first puts the flagship before the dispatches.
        related = queries.related_articles(publication.others[0], limit=10)
        expected = [publication.flagship, *publication.others[1:]]
        assert [a.pk for a in related] == [a.pk for a in expected]

    def test_respects_the_limit(self, publication):
        assert len(queries.related_articles(publication.others[0], limit=2)) == 2

    def test_only_the_same_language(self, publication):
        related = queries.related_articles(publication.flagship_es, limit=10)
        assert related == []
        for article in queries.related_articles(publication.flagship, limit=10):
            assert article.locale_id == publication.en.pk

    def test_by_shared_topic_alone(self, publication):
        stranger = services.create_contributor(
            name="Una Otra", slug="una-otra", locale=publication.en
        )
        article = make_article(
            publication.analysis, slug="history-only", bylines=[stranger], topics=("history",)
        )
        assert [a.pk for a in queries.related_articles(article)] == [publication.flagship.pk]

    def test_by_shared_interviewee_alone(self, publication):
        article = make_article(
            publication.analysis,
            slug="second-talk",
            bylines=[publication.writer],
            topics=(),
            subjects=[publication.subject],
        )
        related = queries.related_articles(article, limit=10)
        assert publication.flagship.pk in [a.pk for a in related]

    def test_nothing_shared_nothing_related(self, publication):
        stranger = services.create_contributor(
            name="Una Otra", slug="una-otra", locale=publication.en
        )
        article = make_article(publication.analysis, slug="alone", bylines=[stranger], topics=())
        assert queries.related_articles(article) == []

    def test_never_a_draft_or_unpublished_article(self, publication):
        publication.others[1].unpublish()
        related = [a.pk for a in queries.related_articles(publication.others[0], limit=10)]
        assert publication.draft.pk not in related
        assert publication.others[1].pk not in related

    def test_each_article_appears_once(self, publication):
        # The flagship shares two topics and nothing else with a two-topic article: once.
        article = make_article(
            publication.analysis,
            slug="twice",
            bylines=[publication.board],
            topics=("mining", "history"),
            subjects=[publication.subject],
        )
        related = [a.pk for a in queries.related_articles(article, limit=10)]
        assert len(related) == len(set(related))

    def test_are_shown_on_the_article_page(self, client, publication):
        body = client.get(publication.others[0].url).content.decode()
        related = body[body.index('id="related-heading"') :]
        assert publication.flagship.url in related
        assert publication.draft.url not in body


class TestLatestArticles:
    def test_excludes_the_current_article_newest_first(self, publication):
        latest = queries.latest_articles(
            locale=publication.en, limit=5, exclude=publication.flagship
        )
        assert publication.flagship.pk not in [a.pk for a in latest]
        assert [a.pk for a in latest] == [a.pk for a in publication.others[:5]]

    def test_only_the_language_and_never_a_draft(self, publication):
        latest = queries.latest_articles(locale=publication.es, limit=10)
        assert [a.pk for a in latest] == [publication.flagship_es.pk]
        english = queries.latest_articles(locale=publication.en, limit=20)
        assert publication.draft.pk not in [a.pk for a in english]

    def test_latest_box_on_the_article_page_leaves_out_the_article(self, client, publication):
        body = client.get(publication.flagship.url).content.decode()
        latest = body[body.index('id="latest-heading"') :]
        assert publication.others[0].url in latest
        assert f'href="{publication.flagship.url}"' not in latest

    def test_a_link_knows_its_headline_address_and_date_from_one_narrow_query(self, publication):
        with CaptureQueriesContext(connection) as captured:
            latest = queries.latest_articles(locale=publication.en, limit=3)
        article = ArticlePage.objects.get(pk=latest[0].pk)
        assert article.pk in {publication.flagship.pk, publication.others[0].pk}
        assert (latest[0].pk, latest[0].title, latest[0].url) == (
            article.pk,
            article.title,
            article.url,
        )
        assert latest[0].first_published_at == article.first_published_at
        assert not any('"body"' in query["sql"] for query in captured)

    def test_the_box_and_home_s_lead_share_one_sorted_list_per_language(self, publication):
        with CaptureQueriesContext(connection) as captured:
            box = queries._latest_ids(publication.en, queries.LATEST_COUNT)
            lead = queries._latest_ids(publication.en, queries.HOME_LEAD_COUNT)
        sorted_lists = [q for q in captured if '"first_published_at" DESC' in q["sql"]]
        assert len(sorted_lists) == 1
        assert lead[: len(box)] == box

    def test_section_latest_sorted_by_first_publication(self, publication):
        newest = make_article(
            publication.analysis, slug="brand-new", bylines=[publication.writer], days_ago=0
        )
        latest = queries.latest_articles(locale=publication.en, limit=2)
        assert [a.pk for a in latest] == [newest.pk, publication.flagship.pk]
        assert isinstance(latest[0], ArticlePage)
