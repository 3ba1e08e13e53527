"""PostgreSQL full text: the engine when DATABASE_URL names PostgreSQL (issue 12 §2).

Two narrow tables beside the documents (migration 0004): ``discovery_search_match``
holds the filters and a ``tsvector`` of everything, GIN-indexed, the vector stored out
of line so a row is about 80 bytes; ``discovery_search_rank`` holds ``head``, the vector
of headline, standfirst and names only. Vectors are built with the ``simple``
configuration from text folded in Python (``fold``), so accents and case never matter
and no ``unaccent`` extension is needed. Weights: A the headline, B the standfirst, C
the names on the byline, D the body.

A search is one statement in two steps. The first finds the window, the newest
RANKED_MATCHES + 1 matches, by one of two plans, chosen from the words' frequencies in the
planner's own statistics (``choose_plan``), and pinned, because the planner does not count
the cost of reading a vector that lives out of line:

- WALK: down the primary key from the newest article, testing each row's vector. Cheap
  when most articles match ("the", "said"): 2,001 matches in about 2,100 rows.
- BITMAP: the GIN index gives every match, and only those rows are read. Cheap when few
  do: walking would read 35,000 rows (and their vectors) to find 2,001 matches of a word
  in 6 % of articles, 80-130 ms at 100,000 articles, against 5 ms this way.

The second ranks the window by ``ts_rank`` on ``head``, a few hundred bytes an article.
So a headline match beats a standfirst match beats a names match, and matches in the
body alone come newest first (SQLite's bm25 also weighs how often the body says it).
"""

from __future__ import annotations

import enum
import time
from typing import TYPE_CHECKING

from django.db import connection, transaction

from masthead.discovery import search_engines
from masthead.discovery.search_engines import Hits, Query, filter_sql, fold

if TYPE_CHECKING:
    from masthead.discovery.models import SearchDocument

# ts_rank's weights, in the order {D, C, B, A}; ``head`` has no D.
WEIGHTS = "{0.1, 0.4, 0.5, 1.0}"
MATCH = "discovery_search_match"
RANK = "discovery_search_rank"

# Relative costs measured at 100,000 articles (bench/README.md, "PostgreSQL: narrow tables
# and a chosen plan"): a row walked (its vector read from out of line and tested) costs
# about five matches read through the bitmap.
WALK_ROW_COST = 5.0
BITMAP_MATCH_COST = 1.0
# How long a process trusts the statistics it read: ANALYZE changes them rarely.
STATISTICS_TTL = 600.0


class Plan(enum.Enum):
    """How the window is found: the settings that pin the plan, and the window's order
    (``+ 0`` takes the primary key's order away, so only the GIN index is left)."""

    WALK = ("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off", "")
    BITMAP = ("SET LOCAL enable_seqscan = off", " + 0")

    def __init__(self, settings: str, order: str) -> None:
        self.settings = settings
        self.order = order


# Two workers of a 2-core web server share the machine with the database: a parallel
# plan only makes one search wait for another's helpers. The window (at most 2,001 rows)
# meets the rank table by its primary key: a merge or hash join would read that table
# from one end.
COMMON = (
    "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL enable_mergejoin = off; "
    "SET LOCAL enable_hashjoin = off"
)
# SET LOCAL lasts to the end of the transaction: inside a caller's, the settings go back.
RESTORE = "; ".join(
    f"SET LOCAL {name} = DEFAULT"
    for name in (
        "enable_bitmapscan",
        "enable_seqscan",
        "max_parallel_workers_per_gather",
        "enable_mergejoin",
        "enable_hashjoin",
    )
)


def search(query: Query) -> Hits:
    return search_with(query, choose_plan(query))


def search_with(query: Query, plan: Plan) -> Hits:
    """``query`` answered with the window found by ``plan`` (both give the same hits)."""
    where, params = filter_sql(query, alias="r")
    words = " ".join(query.terms)
    ranked = search_engines.RANKED_MATCHES
    # plainto_tsquery ANDs the words and gives no character a meaning. One more than
    # RANKED_MATCHES says there are more.
    window = (
        f"SELECT r.article_id FROM {MATCH} r, plainto_tsquery('simple', %s) q "  # noqa: S608
        f"WHERE r.vector @@ q{where} ORDER BY r.article_id{plan.order} DESC LIMIT %s"
    )
    sql = (
        f"WITH m AS MATERIALIZED ({window}) "  # noqa: S608 (no reader text in the SQL)
        "SELECT h.article_id, (SELECT count(*) FROM m) FROM "
        f"(SELECT article_id FROM m ORDER BY article_id DESC LIMIT %s) w JOIN {RANK} h "
        "ON h.article_id = w.article_id, plainto_tsquery('simple', %s) q "
        "ORDER BY ts_rank(%s::float4[], h.head, q) DESC, h.published_at DESC, h.article_id DESC "
        "LIMIT %s OFFSET %s"
    )
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"{plan.settings}; {COMMON}")
        cursor.execute(
            sql, [words, *params, ranked + 1, ranked, words, WEIGHTS, query.limit, query.offset]
        )
        rows = cursor.fetchall()
        if rows:
            found = rows[0][1]
        elif query.offset == 0:
            found = 0
        else:  # past the last page: how many there are, for the 404 and the summary
            cursor.execute(f"SELECT count(*) FROM ({window}) m", [words, *params, ranked + 1])  # noqa: S608
            found = cursor.fetchone()[0]
        # Inside a caller's transaction the settings would outlive this search. (On an
        # error its savepoint rolls back, and they with it.)
        if nested:
            cursor.execute(RESTORE)
    return Hits(ids=[row[0] for row in rows], total=min(found, ranked), capped=found > ranked)


def choose_plan(query: Query) -> Plan:
    """The cheaper plan by the words' frequencies, taken as independent (as the planner does).

    Walking reads about RANKED_MATCHES / frequency rows; the bitmap reads every match.
    Without statistics (a new or small table), or with a filter whose share is unknown
    (section, kind, dates, contributor), the bitmap: its cost is bounded by the matches.
    """
    stats = _statistics()
    unknown_share = (
        query.section_id,
        query.kind,
        query.contributor_ids,
        query.published_from,
        query.published_before,
    )
    if stats is None or any(unknown_share):
        return Plan.BITMAP
    rows, words, floor, languages = stats
    share = 1.0
    for term in query.terms:
        share *= words.get(term, floor)
    if query.languages is not None:
        share *= sum(languages.get(language, 0.0) for language in query.languages)
    if share <= 0 or rows <= 0:
        return Plan.BITMAP
    walked = min(rows, (search_engines.RANKED_MATCHES + 1) / share)
    matched = rows * share
    return Plan.WALK if walked * WALK_ROW_COST < matched * BITMAP_MATCH_COST else Plan.BITMAP


_cache: dict[str, tuple[float, object]] = {}


def _statistics() -> tuple[float, dict[str, float], float, dict[str, float]] | None:
    """Rows, each common word's share of them, the share assumed for any other word, and
    each language's share: from ``pg_stats``, which ANALYZE (or autovacuum) fills."""
    now = time.monotonic()
    kept = _cache.get(connection.alias)
    if kept and now - kept[0] < STATISTICS_TTL:
        return kept[1]  # type: ignore[return-value]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs "
            "FROM pg_class c JOIN pg_stats s ON s.tablename = c.relname "
            "WHERE c.relname = %s AND s.attname = 'vector' AND s.schemaname = current_schema()",
            [MATCH],
        )
        row = cursor.fetchone()
        cursor.execute(
            "SELECT most_common_vals::text::text[], most_common_freqs FROM pg_stats "
            "WHERE tablename = %s AND attname = 'language' AND schemaname = current_schema()",
            [MATCH],
        )
        language_row = cursor.fetchone()
    stats = None
    if row and row[1] and row[2]:
        rows, elements, frequencies = row
        words = dict(zip(elements, frequencies, strict=False))
        # After the elements' own: the smallest and largest of them, then the null share.
        # The planner takes half the smallest for a word it does not list; so do we.
        floor = frequencies[len(elements)] / 2
        languages = {}
        if language_row and language_row[0]:
            languages = dict(zip(language_row[0], language_row[1], strict=True))
        stats = (float(rows), words, floor, languages)
    _cache[connection.alias] = (now, stats)
    return stats


def after_write(documents: list[SearchDocument]) -> None:
    """Write the match and rank rows of the documents just written, from their folded text."""
    head = (
        "setweight(to_tsvector('simple', %s), 'A') || "
        "setweight(to_tsvector('simple', %s), 'B') || "
        "setweight(to_tsvector('simple', %s), 'C')"
    )
    match_sql = (
        f"INSERT INTO {MATCH} (article_id, language, section_id, kind, published_at, vector) "  # noqa: S608
        f"VALUES (%s, %s, %s, %s, %s, {head} || setweight(to_tsvector('simple', %s), 'D')) "
        "ON CONFLICT (article_id) DO UPDATE SET language = EXCLUDED.language, "
        "section_id = EXCLUDED.section_id, kind = EXCLUDED.kind, "
        "published_at = EXCLUDED.published_at, vector = EXCLUDED.vector"
    )
    rank_sql = (
        f"INSERT INTO {RANK} (article_id, published_at, head) VALUES (%s, %s, {head}) "  # noqa: S608
        "ON CONFLICT (article_id) DO UPDATE SET "
        "published_at = EXCLUDED.published_at, head = EXCLUDED.head"
    )
    matches, ranks = [], []
    for doc in documents:
        folded = (fold(doc.headline), fold(doc.standfirst), fold(doc.people))
        facts = (doc.article_id, doc.language, doc.section_id, doc.kind, doc.published_at)
        matches.append((*facts, *folded, fold(doc.body)))
        ranks.append((doc.article_id, doc.published_at, *folded))
    with connection.cursor() as cursor:
        cursor.executemany(match_sql, matches)
        cursor.executemany(rank_sql, ranks)


def rebuild() -> None:
    """Refresh the planner's statistics, which ``choose_plan`` reads, after a bulk write."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {MATCH}")
        cursor.execute(f"ANALYZE {RANK}")
    _cache.clear()
