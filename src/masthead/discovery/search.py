"""Site search over headline, standfirst, body and contributor names (Wagtail search).

Whatever a reader types is reduced to plain words before it reaches the search backend:
SQLite FTS5 and PostgreSQL's ``to_tsquery`` both give punctuation (``"``, ``*``, ``(``,
``&``, ``:``) a meaning, and Wagtail's database backend passes some of it through, so a
stray quote was a 500 (DESIGN.md: bad input never is).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from wagtail.models import Locale

from masthead.newsroom.models import Contributor
from masthead.newsroom.queries import published_articles

# Longer queries are cut, not refused: a pasted paragraph still finds its article.
MAX_QUERY_LENGTH = 200
# Every term is ANDed; past a dozen, a query only gets slower without getting narrower.
MAX_TERMS = 12
MAX_CONTRIBUTORS = 5
# Words only: the backends quote each word, so AND, NOT or NEAR are searched as words.
_WORD = re.compile(r"\w+")


def clean_query(raw: str | None) -> str:
    """The query a reader typed, with control characters removed and length bounded.

    This is what the page shows back (escaped by the template), not what is searched.
    """
    if not raw:
        return ""
    printable = "".join(ch if ch.isprintable() else " " for ch in raw[: MAX_QUERY_LENGTH * 4])
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def search_terms(query: str) -> list[str]:
    """The words of ``query``: runs of letters, digits and underscores, at most MAX_TERMS."""
    return _WORD.findall(query)[:MAX_TERMS]


def search_articles(query: str, *, locale: Locale) -> QuerySet:
    """Live public articles of ``locale`` matching every word of ``query``, best first."""
    terms = search_terms(query)
    if not terms:
        return published_articles(locale=locale).none()
    if not _ranks_cheaply():
        # Wagtail's SQLite backend re-runs the full-text match for every hit to rank it:
        # 1-2 s a query at 10,000 articles (bench/pages). Newest first costs ~0.1 s.
        return published_articles(locale=locale).search(
            " ".join(terms), operator="and", order_by_relevance=False
        )
    # order_by() drops the newest-first order, so the backend ranks by relevance.
    return published_articles(locale=locale).order_by().search(" ".join(terms), operator="and")


def _ranks_cheaply() -> bool:
    """Whether the search backend ranks by relevance at a reasonable cost."""
    backend = settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]
    return not (backend.endswith(".database") and connection.vendor == "sqlite")


def matching_contributors(query: str, *, locale: Locale) -> list[Contributor]:
    """Contributors of ``locale`` whose name contains every word of ``query``.

    Readers search for a writer by name; the index knows only the names on a byline, not
    the members of a collective, so names are matched here directly.
    """
    terms = search_terms(query)
    if not terms:
        return []
    condition = Q(locale=locale)
    for term in terms:
        condition &= Q(name__icontains=term)
    return list(Contributor.objects.filter(condition).order_by("name")[:MAX_CONTRIBUTORS])
