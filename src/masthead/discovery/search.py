"""Site search over headline, standfirst, body and contributor names (Wagtail search)."""

from __future__ import annotations

from django.db.models import QuerySet
from wagtail.models import Locale

from masthead.discovery.queries import published_articles

# Longer queries are cut, not refused: a pasted paragraph still finds its article.
MAX_QUERY_LENGTH = 200


def clean_query(raw: str | None) -> str:
    """The query a reader typed, with control characters removed and length bounded."""
    if not raw:
        return ""
    printable = "".join(ch if ch.isprintable() else " " for ch in raw)
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def search_articles(query: str, *, locale: Locale) -> QuerySet:
    if not query:
        return published_articles(locale=locale).none()
    return published_articles(locale=locale).order_by().search(query, operator="and")
