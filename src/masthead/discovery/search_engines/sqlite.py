"""SQLite FTS5: the embedded engine (issue 12 §2).

An external-content FTS5 table over ``discovery_searchdocument``, kept in step by
triggers (migration 0002), tokenized by ``unicode61 remove_diacritics 2`` so case and
accents never matter. Ranked by bm25 with column weights: a headline match outweighs any
number of body matches (bm25 saturates term frequency at about 2.2 times the weight), then the
standfirst and the names on the byline, then the body.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import connection

from masthead.discovery import search_engines
from masthead.discovery.search_engines import Hits, Query, filter_sql

# bm25 weights in column order: headline, standfirst, body, people.
WEIGHTS = "12.0, 4.0, 1.0, 5.0"
TABLE = "discovery_search_fts"
FILTERS_INDEX = "search_doc_filters"  # SearchDocument.Meta.indexes

if TYPE_CHECKING:
    from masthead.discovery.models import SearchDocument


def match_expression(terms: Iterable[str]) -> str:
    """Every term as an FTS5 string, ANDed: no term is ever read as FTS5 syntax.

    Terms are words already (``search.search_terms``); the quotes make NEAR, NOT or a
    column name plain words, and a double quote inside one is doubled as FTS5 asks.
    """
    return " AND ".join('"{}"'.format(term.replace('"', '""')) for term in terms)


def search(query: Query) -> Hits:
    where, params = filter_sql(query)
    match = match_expression(query.terms)
    # The FTS5 table drives (CROSS JOIN fixes the order): left to itself, SQLite's planner
    # walked the documents by language and ran the match once per document, 3 s a query
    # at 5,000 articles. Each match's filters and date come from their index, not from
    # its row, which holds the whole body. SQLite picks that index only with statistics,
    # which nothing gathers on SQLite, so it is named.
    source = (
        f"FROM {TABLE} f CROSS JOIN discovery_searchdocument d INDEXED BY {FILTERS_INDEX} "
        f"ON d.article_id = f.rowid WHERE {TABLE} MATCH %s{where}"
    )
    with connection.cursor() as cursor:
        # The RANKED_MATCHES+1-th newest match, if there is one: FTS5 walks its doclists
        # in rowid order, so this reads that many rows and ranks none.
        cursor.execute(
            f"SELECT f.rowid {source} ORDER BY f.rowid DESC LIMIT 1 OFFSET %s",
            [match, *params, search_engines.RANKED_MATCHES],
        )
        floor = cursor.fetchone()
        capped = floor is not None
        window = f" AND f.rowid > {int(floor[0])}" if capped else ""
        # The window count is taken over every ranked match before LIMIT: no second scan.
        # bm25() is computed inside the subquery, where FTS5 allows it.
        cursor.execute(
            "SELECT id, count(*) OVER () FROM ("  # noqa: S608 (no reader text in the SQL)
            f"SELECT f.rowid AS id, bm25({TABLE}, {WEIGHTS}) AS score, d.published_at AS day "
            f"{source}{window}) ORDER BY score, day DESC LIMIT %s OFFSET %s",
            [match, *params, query.limit, query.offset],
        )
        rows = cursor.fetchall()
        if capped:
            return Hits(
                ids=[row[0] for row in rows], total=search_engines.RANKED_MATCHES, capped=True
            )
        if rows:
            return Hits(ids=[row[0] for row in rows], total=rows[0][1])
        if query.offset == 0:
            return Hits(ids=[], total=0)
        # Past the last page: how many there are, for the 404 and the summary.
        cursor.execute(f"SELECT count(*) {source}", [match, *params])
        return Hits(ids=[], total=cursor.fetchone()[0])


def after_write(documents: list[SearchDocument]) -> None:
    """Nothing to do: the triggers have already updated the FTS5 table."""


def rebuild() -> None:
    """Rebuild the FTS5 table from the documents table (after a bulk load, or to repair)."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")  # noqa: S608
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")  # noqa: S608
