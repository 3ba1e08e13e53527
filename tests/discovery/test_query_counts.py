"""Hot pages run a fixed number of queries, however many articles they list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.discovery.factories import exchange, make_articles, paragraph

# Budgets: what SQLite measured when these tests were written, plus a little room (most of
# the home and section counts are the page furniture). What matters most is that the count
# with 40 more articles is no higher than with the fixture's 7.
PAGES = {
    "/en/": 32,
    "/en/analysis/": 29,
    "/en/contributors/nora-field/": 16,
    "/en/contributors/board/": 16,
    "/en/topics/labour/": 16,
    "/en/search/?q=dispatch": 14,
    "/en/feeds/rss/": 10,
    "/en/feeds/atom/": 10,
    "/en/feeds/sections/analysis/rss/": 12,
    "/en/feeds/topics/labour/atom/": 14,
    "/en/feeds/contributors/nora-field/rss/": 15,
    "/en/feeds/contributors/board/atom/": 15,
}

pytestmark = pytest.mark.usefixtures("no_page_cache")


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def add_articles(publication) -> None:
    """Thirty more articles in every listing: by Nora Field and by the board (so its
    members' pages list them too), all on "labour", in Analysis, half of them interviews."""
    make_articles(publication.analysis, 15, bylines=[publication.writer], topics=("labour",))
    make_articles(
        publication.analysis,
        15,
        bylines=[publication.board],
        topics=("labour",),
        prefix="board",
        body=[
            paragraph("A dispatch with a body."),
            exchange(publication.board, publication.subject),
        ],
    )


def test_query_count_does_not_grow_with_the_articles_listed(
    client, publication, django_assert_max_num_queries
):
    # One test for every page, so the thirty articles are published once, not per page.
    for url in PAGES:
        client.get(url)  # warm Wagtail's site-root and the feed item caches
    few = {url: count_queries(client, url) for url in PAGES}
    add_articles(publication)
    for url in PAGES:
        client.get(url)
    many = {url: count_queries(client, url) for url in PAGES}
    grew = {url: (few[url], many[url]) for url in PAGES if many[url] > few[url]}
    assert not grew, grew
    over = {url: many[url] for url in PAGES if many[url] > PAGES[url]}
    assert not over, over
    with django_assert_max_num_queries(PAGES["/en/"]):
        client.get("/en/")


def test_article_page_query_count_is_bounded(client, publication, django_assert_max_num_queries):
    url = publication.flagship.url
    client.get(url)
    few = count_queries(client, url)
    add_articles(publication)
    client.get(url)
    many = count_queries(client, url)
    assert many <= few, (few, many)
    with django_assert_max_num_queries(34):
        client.get(url)
