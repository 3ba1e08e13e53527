"""What a channel post says: headline, standfirst and link, in Telegram's HTML parse mode.

Telegram's limits (4,096 characters of text, 1,024 of caption) count what the reader sees
after the markup is parsed, so lengths are measured on the raw text, not the escaped HTML;
they are measured in UTF-16 code units, as Telegram counts entity offsets, so an emoji
counts two and a post is never refused for a character too many. Only the standfirst is
cut: the link is the point of the post, and a headline is short (Page.title: 255).
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"


@dataclass(frozen=True)
class Post:
    """One Bot API call: its method and its parameters, without the chat id."""

    method: str  # "sendPhoto" or "sendMessage"
    params: dict


def escape(text: str) -> str:
    # Telegram's HTML mode knows only &lt; &gt; &amp; &quot;: escaping & first keeps the
    # others from being escaped twice.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(value: str) -> str:
    return escape(value).replace('"', "&quot;")


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, budget: int) -> str:
    """``text`` cut to ``budget`` UTF-16 units, ending with an ellipsis when cut, at a word
    boundary when one is near."""
    if units(text) <= budget:
        return text
    if budget <= units(ELLIPSIS):
        return ""
    room = budget - units(ELLIPSIS)
    kept, used = "", 0
    for char in text:
        used += units(char)
        if used > room:
            break
        kept += char
    space = kept.rfind(" ")
    if space > len(kept) * 0.8:  # a word boundary close to the cut: end on a whole word
        kept = kept[:space]
    return kept.rstrip() + ELLIPSIS


def render(*, headline: str, standfirst: str, url: str, limit: int) -> str:
    """The post's HTML: bold headline, standfirst, link; at most ``limit`` visible units."""
    headline, standfirst = headline.strip(), " ".join(standfirst.split())
    # Two blank-line separators between the three parts.
    fixed = units(url) + 2
    headline = _cut(headline, limit - fixed - 2)
    budget = limit - fixed - units(headline) - 2
    standfirst = _cut(standfirst, budget) if standfirst else ""
    parts = [f"<b>{escape(headline)}</b>"]
    if standfirst:
        parts.append(escape(standfirst))
    parts.append(f'<a href="{escape_attribute(url)}">{escape(url)}</a>')
    return "\n\n".join(parts)


def build(*, headline: str, standfirst: str, url: str, photo_url: str | None) -> Post:
    """``sendPhoto`` with a caption when there is a photo, else ``sendMessage`` whose link
    preview shows the article's card."""
    if photo_url:
        caption = render(headline=headline, standfirst=standfirst, url=url, limit=CAPTION_LIMIT)
        return Post("sendPhoto", {"photo": photo_url, "caption": caption, "parse_mode": "HTML"})
    text = render(headline=headline, standfirst=standfirst, url=url, limit=TEXT_LIMIT)
    return Post(
        "sendMessage",
        {"text": text, "parse_mode": "HTML", "link_preview_options": {"url": url}},
    )
