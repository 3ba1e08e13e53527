"""Feeds are read by anyone: a members-only item carries its front, never its body."""

from __future__ import annotations

import feedparser
import pytest

from tests.discovery.members_only import BODY_SENTENCE, SECRET, STANDFIRST, make_locked

FEEDS = [
    "/en/feeds/{kind}/",
    "/en/feeds/sections/interviews/{kind}/",
    "/en/feeds/topics/mining/{kind}/",
    "/en/feeds/contributors/board/{kind}/",
    "/en/feeds/contributors/tomas-arce/{kind}/",
]
KINDS = ["rss", "atom"]


@pytest.fixture
def locked(publication):
    return make_locked(publication)


def fetch(client, url: str) -> tuple[bytes, feedparser.FeedParserDict]:
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, (url, feed.get("bozo_exception"))
    return response.content, feed


def entry_for(feed, url: str):
    matches = [entry for entry in feed.entries if entry.link == url]
    assert len(matches) == 1, [entry.link for entry in feed.entries]
    return matches[0]


def text_of(entry) -> str:
    parts = [entry.get("summary", "")] + [part.value for part in entry.get("content", [])]
    return " ".join(parts)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("feed_url", FEEDS)
def test_no_feed_carries_the_body_of_a_members_only_article(client, locked, feed_url, kind):
    raw, feed = fetch(client, feed_url.format(kind=kind))
    entry = entry_for(feed, locked.full_url)  # listed: readers learn it exists
    assert SECRET.encode() not in raw
    assert BODY_SENTENCE.encode() not in raw
    assert STANDFIRST in text_of(entry)


@pytest.mark.parametrize("kind", KINDS)
def test_the_item_invites_the_reader_to_become_a_member(client, locked, kind):
    _raw, feed = fetch(client, f"/en/feeds/{kind}/")
    content = text_of(entry_for(feed, locked.full_url))
    assert "This interview is for members" in content
    assert (
        'href="http://localhost/en/support/membership/?next=%2Fen%2Finterviews%2Fthe-second-ledger%2F"'
        in content
    )


@pytest.mark.parametrize("kind", KINDS)
def test_free_articles_keep_their_full_content(client, locked, publication, kind):
    _raw, feed = fetch(client, f"/en/feeds/{kind}/")
    content = text_of(entry_for(feed, publication.flagship.full_url))
    assert "zanzibarite" in content and "Slowly, and then all at once." in content
    assert "for members" not in content


@pytest.mark.parametrize("kind", KINDS)
def test_an_article_made_members_only_leaves_the_feed_cache_at_once(client, publication, kind):
    article = make_locked(publication, members_only=False)
    raw, _feed = fetch(client, f"/en/feeds/{kind}/")
    assert SECRET.encode() in raw  # free: full content, now in the item cache

    article.members_only = True
    article.save_revision().publish()

    raw, feed = fetch(client, f"/en/feeds/{kind}/")
    assert SECRET.encode() not in raw
    assert STANDFIRST in text_of(entry_for(feed, article.full_url))
