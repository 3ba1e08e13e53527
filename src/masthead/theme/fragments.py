"""The latest-news box and the related-posts box: page-cache holes (lib/holes.py).

Both change with publishing, and both are on every article page. Left in the page, a new
article would make stale every page that shows either (related lists: any article sharing
a topic or a person, a third of the archive), so the pages keep holes and these fragments
are refreshed instead (issue 10):

- latest news: one fragment per language, depending on ``articles`` (any article's change)
  and for at most ``LATEST_SECONDS``. It lists one article more than the box shows, and
  each page takes out itself, or else the last one, with string work: a hit runs no query.
- related posts: one fragment per article, depending on its stored list (``related:<id>``,
  moved when discovery recomputes it) and on each card it shows; before one is stored,
  on the related-box tags of its own topics and people too (the fallback list).
"""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.template.loader import render_to_string
from wagtail.models import Locale

from masthead.discovery import invalidation
from masthead.lib import holes, pagecache
from masthead.newsroom import queries

LATEST = "latest-news"
RELATED = "related-posts"
LATEST_SECONDS = 300  # a bound even if an invalidation was missed (bulk updates)
RELATED_SECONDS = 3600
_ITEM = re.compile(r'<li data-id="(\d+)">.*?</li>', re.S)


def latest_news(request: HttpRequest) -> str:
    pagecache.depends_on(invalidation.ARTICLES, invalidation.SHARED)
    locale = Locale.get_active()
    articles = queries.latest_articles(locale=locale, limit=queries.LATEST_COUNT + 1)
    if not articles:
        return ""
    return render_to_string("theme/includes/latest_news.html", {"articles": articles}, request)


def leave_out(html: str, page_id: str) -> str:
    """The box for one page: without that page, and at most LATEST_COUNT long."""
    items = list(_ITEM.finditer(html))
    drop = next((item for item in items if item.group(1) == page_id), None)
    if drop is None and len(items) > queries.LATEST_COUNT:
        drop = items[-1]
    if drop is None:
        return html
    if len(items) == 1:
        return ""  # nothing left to show: no box
    return html[: drop.start()] + html[drop.end() :]


def related_posts(request: HttpRequest, argument: str) -> str:
    if not argument.isdigit():
        return ""
    page_id = int(argument)
    article = queries.public_article(page_id)
    if article is None:
        return ""
    related = queries.related(article, limit=queries.RELATED_COUNT)
    articles = related.articles
    pagecache.depends_on(
        invalidation.page_tag(page_id),
        invalidation.related_tag(page_id),
        invalidation.SHARED,
        *(invalidation.page_tag(card.pk) for card in articles),
    )
    if not related.stored:
        # The fallback list changes with any article of its topics and people; a stored
        # list only when the engine rewrites it (``related:<id>``), so another article's
        # publish leaves the box of a third of the archive as it is (issue 10).
        # Its people and topics, from the article page's own kept details: no query when warm.
        details = queries.article_details(article)
        pagecache.depends_on(
            *(f"related-topic:{topic.pk}" for topic in details.topics),
            *(f"related-person:{person.pk}" for person in [*details.bylines, *details.subjects]),
        )
    if not articles:
        return ""
    return render_to_string("theme/includes/related_posts.html", {"articles": articles}, request)


def register() -> None:
    """Fill the article and section templates' holes (called from ThemeConfig.ready)."""
    holes.register(LATEST, latest_news, seconds=LATEST_SECONDS, adjust=leave_out)
    holes.register(RELATED, related_posts, seconds=RELATED_SECONDS, per_argument=True)
