"""An article's card (home, sections, topics, contributors, related posts) as kept HTML.

A listing of twenty cards spent most of its uncached render drawing them: each card's
``<picture>`` looks up fifteen renditions, its byline and date are formatted, its template
runs. A card only changes when its article does (its page tag) or when a name, picture or
topic shown on it does (SHARED), so its HTML is kept under those tags, per language (the
kind and the date are translated) and per host (``pageurl`` writes a relative link only
for the site being served).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from masthead.lib import pagecache
from masthead.newsroom.models import ArticlePage
from masthead.newsroom.queries import CardRef

TEMPLATE = "theme/includes/card.html"
# Kept until the article or what it shows changes (the tags); this only bounds the size.
CARD_SECONDS = 3600


def card_html(
    article: ArticlePage | CardRef,
    request: HttpRequest | None,
    *,
    lead: bool = False,
    show_image: bool = False,
    show_standfirst: bool = False,
    heading: str = "h3",
) -> SafeString:
    """The card of ``article`` as ``theme/includes/card.html`` draws it, kept; nothing for
    an article that went away since it was listed."""
    variant = f"{lead:d}{show_image:d}{show_standfirst:d}{heading}"
    context = {
        "lead": lead,
        "show_image": show_image,
        "show_standfirst": show_standfirst,
        "heading": heading,
        "request": request,
    }

    def render() -> str:
        found = article.article if isinstance(article, CardRef) else article
        if found is None:
            return ""
        return render_to_string(TEMPLATE, {**context, "article": found})

    return mark_safe(_kept(f"card:{variant}", article.pk, request, render, everywhere=True))  # noqa: S308 (our template's output)


def _kept(
    kind: str,
    article_id: int,
    request: HttpRequest | None,
    render: Callable[[], str],
    *,
    everywhere: bool = False,
) -> str:
    """HTML of one article kept per language and host (``pageurl`` writes a relative link
    only for the site being served) until the article (its page tag) or a name, picture
    or topic on it (SHARED) changes. No revision in the key: every publish of the article
    moves its page tag."""
    host = request.get_host() if request is not None else ""
    key = f"{kind}:{article_id}:{translation.get_language()}:{host}"
    tags = (pagecache.page_tag(article_id), pagecache.SHARED)
    if everywhere:  # a listing card, which every worker draws after a publish
        return pagecache.remembered_everywhere(key, render, CARD_SECONDS, tags=tags)
    return pagecache.remembered(key, render, CARD_SECONDS, tags=tags)


RESULT_TEMPLATE = "discovery/includes/result.html"
# What the reader's words mark differs per search; the rest of a result is the article's.
_HEADLINE_SLOT = "\x00masthead-headline\x00"
_SNIPPET_SLOT = "\x00masthead-snippet\x00"


def result_html(
    article_id: int,
    request: HttpRequest | None,
    *,
    facts: Callable[[], dict[str, object]],
    headline: SafeString,
    snippet: SafeString,
) -> SafeString:
    """A search result (``discovery/includes/result.html``): the article's facts kept as
    HTML with slots for the marked headline and snippet, which are the search's own.

    Drawing ten results (kind, link, byline, date) was a third of a search page's render
    (issue 12); like a card, a result's frame changes only with its article or SHARED.
    ``facts()`` gives the template's context, asked for only when the frame is drawn.
    """

    def render() -> str:
        slots = {"headline": _HEADLINE_SLOT, "snippet": _SNIPPET_SLOT}
        return render_to_string(RESULT_TEMPLATE, {**facts(), "result": slots, "request": request})

    frame = _kept("result-card", article_id, request, render)
    # NUL cannot be in a stored title or text (PostgreSQL refuses it): the slots are ours.
    before, rest = frame.split(_HEADLINE_SLOT, 1)
    middle, after = rest.split(_SNIPPET_SLOT, 1)
    return mark_safe(f"{before}{headline}{middle}{snippet}{after}")  # noqa: S308 (escaped parts)
