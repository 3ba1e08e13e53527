"""Search results and every card (related, latest, home, section, topic, contributor):
a members-only article may be found and listed, with its standfirst, never its body."""

from __future__ import annotations

import re

import pytest

from tests.discovery.members_only import BODY_SENTENCE, SECRET, STANDFIRST, TITLE, make_locked


@pytest.fixture
def locked(publication):
    return make_locked(publication)


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def results_listing(page: str) -> str:
    """The search results themselves, after the form and summary that echo the query,
    without the marks that highlight the reader's words."""
    return re.sub(r"</?mark>", "", page[page.index('class="list"') :])


class TestSearch:
    def test_a_body_word_finds_the_article_but_no_result_shows_the_body(self, client, locked):
        page = html(client.get("/en/search/", {"q": SECRET}))
        listing = results_listing(page)
        assert TITLE in listing and STANDFIRST in listing
        assert SECRET not in listing
        assert BODY_SENTENCE not in page
        # The word is on the page only where the reader's own query is echoed back: the
        # search boxes, the summary and the language switcher's links.
        echoes = [f'value="{SECRET}"', f"“{SECRET}”", f"?q={SECRET}"]
        assert page.count(SECRET) == sum(page.count(echo) for echo in echoes)

    def test_a_headline_word_shows_the_standfirst_and_the_members_label(self, client, locked):
        listing = results_listing(html(client.get("/en/search/", {"q": "second ledger"})))
        assert TITLE in listing and STANDFIRST in listing
        assert "Members only" in listing
        assert SECRET not in listing and BODY_SENTENCE not in listing

    def test_a_second_results_page_carries_no_body_either(self, client, locked, publication):
        # Every English article has "the" in its body or standfirst: many results, paged.
        page = html(client.get("/en/search/", {"q": "the"}))
        assert SECRET not in page and BODY_SENTENCE not in page


LISTINGS = [
    "/en/",
    "/en/interviews/",
    "/en/topics/mining/",
    "/en/contributors/board/",
    "/en/contributors/tomas-arce/",
]


@pytest.mark.parametrize("url", LISTINGS)
def test_listings_show_the_card_and_never_the_body(client, locked, url):
    page = html(client.get(url))
    assert TITLE in page
    assert SECRET not in page and BODY_SENTENCE not in page


def test_related_and_latest_on_another_article_carry_no_body(client, locked, publication):
    page = html(client.get(publication.flagship.url))
    related = page[page.index('id="related-heading"') :]
    assert TITLE in related  # shares topics and the board with the flagship
    assert re.search(r'<aside class="layout__aside".*The Second Ledger', page, re.S)  # latest
    assert SECRET not in page and BODY_SENTENCE not in page
