"""A post's text: Telegram's HTML parse mode, escaped, within Telegram's limits."""

from __future__ import annotations

import pytest

from masthead.channels import posts
from tests.channels.fake_telegram import parse_html, utf16_length

URL = "https://news.example.org/en/analysis/fresh-1/?a=1&b=2"


@pytest.mark.parametrize(
    "headline",
    [
        "Rates < 5% & rising",
        'The "Salt" <b>Affair</b>',
        "Plain headline",
        "Dinner at Joe's 🍽️ & friends 🎉",
        '</a><a href="https://evil.example">click',
    ],
)
def test_headline_and_standfirst_reach_the_reader_exactly_as_written(headline):
    standfirst = 'Tom & Jerry say 1 < 2 > 0, "quoted" 😀'
    post = posts.build(headline=headline, standfirst=standfirst, url=URL, photo_url=None)
    visible, hrefs = parse_html(post.params["text"])  # what Telegram would accept and show
    assert visible == f"{headline}\n\n{standfirst}\n\n{URL}"
    assert hrefs == [URL]


def test_a_quote_in_the_link_is_escaped_inside_href():
    url = 'https://news.example.org/a"onmouseover="x/?q=<1>&r=2'
    text = posts.build(headline="H", standfirst="S", url=url, photo_url=None).params["text"]
    assert (
        'href="https://news.example.org/a&quot;onmouseover=&quot;x/?q=&lt;1&gt;&amp;r=2"' in text
    )
    assert parse_html(text)[1] == [url]


def test_a_long_standfirst_is_cut_never_the_link():
    standfirst = "word " * 2000 + "END"
    message = posts.build(headline="Headline", standfirst=standfirst, url=URL, photo_url=None)
    visible, hrefs = parse_html(message.params["text"])
    assert utf16_length(visible) <= posts.TEXT_LIMIT
    assert hrefs == [URL] and visible.endswith(URL)
    assert "…" in visible and "END" not in visible

    photo = posts.build(
        headline="Headline", standfirst=standfirst, url=URL, photo_url="https://x/p.jpg"
    )
    assert photo.method == "sendPhoto" and photo.params["photo"] == "https://x/p.jpg"
    caption, hrefs = parse_html(photo.params["caption"])
    assert utf16_length(caption) <= posts.CAPTION_LIMIT
    assert hrefs == [URL] and caption.startswith("Headline\n\nword word")


def test_emoji_count_as_telegram_counts_them():
    # 600 emoji are 1,200 UTF-16 units: over the caption limit though only 600 characters.
    standfirst = "😀" * 600
    caption = posts.build(headline="H", standfirst=standfirst, url=URL, photo_url="https://x/p")
    visible, _ = parse_html(caption.params["caption"])
    assert utf16_length(visible) <= posts.CAPTION_LIMIT
    assert visible.count("😀") < 600
    assert "\ud83d" not in visible  # never half an emoji


def test_a_short_post_is_not_cut():
    text = posts.build(headline="H", standfirst="Short.", url=URL, photo_url=None).params["text"]
    assert "…" not in text


def test_an_empty_standfirst_leaves_headline_and_link():
    visible, _ = parse_html(
        posts.build(headline="H", standfirst="  ", url=URL, photo_url=None).params["text"]
    )
    assert visible == f"H\n\n{URL}"
