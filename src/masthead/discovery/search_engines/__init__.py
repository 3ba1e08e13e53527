"""Search engines: one adapter per engine, all answering the same ``Query`` with ``Hits``.

The embedded default ranks in the database's own full text, chosen by its vendor
(``sqlite.py``: FTS5 and bm25; ``postgres.py``: tsvector and ts_rank). With ``SEARCH_URL``
set, Wagtail's OpenSearch / Elasticsearch backend ranks instead (``wagtail.py``): the
scale path (docs/scale.md). Wagtail's database backend is not used to rank on SQLite: it
re-ran the match for every hit, 1-2 s a query at 10,000 articles (issue 12).

Every adapter matches every term (AND), folds case and accents the same way
(``fold``), and filters on the columns of ``SearchDocument``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from types import ModuleType

from django.conf import settings
from django.db import connection


@dataclass(frozen=True)
class Query:
    """Folded words (all must match) and the filters; ``languages`` None means any."""

    terms: tuple[str, ...]
    languages: tuple[str, ...] | None = None
    section_id: int | None = None
    contributor_ids: tuple[int, ...] = ()
    kind: str = ""
    published_from: dt.datetime | None = None
    published_before: dt.datetime | None = None
    offset: int = 0
    limit: int = 10


# A query that matches more than this many articles is ranked among the most recently
# added this many of them only, and its total is given as "more than" this. Ranking
# costs the engine work for every match: a word found in every article would rank 100,000
# of them for one page of ten. A word that common tells ranking little anyway (its idf is
# near zero), and newest first is what search did before (issue 12).
RANKED_MATCHES = 2000


@dataclass(frozen=True)
class Hits:
    """Article ids of one page of results, best first, and how many match in all
    (``capped``: more than ``total``, which is then RANKED_MATCHES)."""

    ids: list[int]
    total: int
    capped: bool = False


def fold(text: str) -> str:
    """``text`` lower-cased and without accents: "Perú" → "peru", "EDUCACIÓN" → "educacion".

    What SQLite's ``unicode61 remove_diacritics 2`` does, done in Python for PostgreSQL
    (no ``unaccent`` extension needed) and for the snippets, so every engine agrees.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def current() -> ModuleType:
    """The adapter for this installation: SEARCH_URL's engine, else the database's own."""
    from masthead.discovery.search_engines import postgres, sqlite, wagtail

    backend = settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]
    if not backend.endswith(".database"):
        return wagtail
    return postgres if connection.vendor == "postgresql" else sqlite


def filter_sql(query: Query, alias: str = "d") -> tuple[str, list[object]]:
    """SQL conditions (each starting with AND) on the documents table for ``query``'s filters."""
    where: list[str] = []
    params: list[object] = []
    if query.languages is not None:
        where.append(f"{alias}.language IN ({', '.join(['%s'] * len(query.languages))})")
        params.extend(query.languages)
    if query.section_id is not None:
        where.append(f"{alias}.section_id = %s")
        params.append(query.section_id)
    if query.kind:
        where.append(f"{alias}.kind = %s")
        params.append(query.kind)
    if query.published_from is not None:
        where.append(f"{alias}.published_at >= %s")
        params.append(query.published_from)
    if query.published_before is not None:
        where.append(f"{alias}.published_at < %s")
        params.append(query.published_before)
    if query.contributor_ids:
        marks = ", ".join(["%s"] * len(query.contributor_ids))
        where.append(
            f"{alias}.article_id IN (SELECT page_id FROM newsroom_articlebyline "  # noqa: S608
            f"WHERE contributor_id IN ({marks}) UNION SELECT page_id FROM "
            f"newsroom_articlesubject WHERE contributor_id IN ({marks}))"
        )
        params.extend([*query.contributor_ids, *query.contributor_ids])
    return "".join(f" AND {condition}" for condition in where), params
