"""PostgreSQL full text: the engine when DATABASE_URL names PostgreSQL (issue 12 §2).

A ``tsvector`` column on ``discovery_searchdocument`` with a GIN index (migration 0002),
built with the ``simple`` configuration from text folded in Python (``fold``), so accents
and case never matter and no ``unaccent`` extension is needed. Weights: A the headline,
B the standfirst, C the names on the byline, D the body. Matching reads ``vector``;
ranking reads ``head``, the same without the body: ``ts_rank`` decompresses every vector
it ranks, and a body's made ranking 2,000 matches cost 40 ms at 20,000 articles. So on
PostgreSQL a headline match beats a standfirst match beats a names match, and matches in
the body alone come newest first (SQLite's bm25 also weighs how often the body says it).
"""

from __future__ import annotations

from django.db import connection

from masthead.discovery import search_engines
from masthead.discovery.search_engines import Hits, Query, filter_sql, fold

# ts_rank's weights, in the order {D, C, B, A}; ``head`` has no D.
WEIGHTS = "{0.1, 0.4, 0.5, 1.0}"


def search(query: Query) -> Hits:
    where, params = filter_sql(query)
    words = " ".join(query.terms)
    ranked = search_engines.RANKED_MATCHES
    # plainto_tsquery ANDs the words and gives no character a meaning.
    source = (
        "FROM discovery_searchdocument d, plainto_tsquery('simple', %s) q "
        f"WHERE d.vector @@ q{where}"
    )
    # One pass over the matches: the GIN index finds them, the newest RANKED_MATCHES + 1
    # are kept (one more says there are more), and ts_rank reads only those.
    sql = (
        "WITH m AS MATERIALIZED ("  # noqa: S608 (no reader text in the SQL)
        f"SELECT d.article_id, d.head, d.published_at {source} "
        "ORDER BY d.article_id DESC LIMIT %s) "
        "SELECT w.article_id, (SELECT count(*) FROM m) FROM "
        "(SELECT * FROM m ORDER BY article_id DESC LIMIT %s) w, "
        "plainto_tsquery('simple', %s) q "
        "ORDER BY ts_rank(%s::float4[], w.head, q) DESC, w.published_at DESC "
        "LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [words, *params, ranked + 1, ranked, words, WEIGHTS, query.limit, query.offset],
        )
        rows = cursor.fetchall()
        if rows:
            capped = rows[0][1] > ranked
            total = ranked if capped else rows[0][1]
            return Hits(ids=[row[0] for row in rows], total=total, capped=capped)
        if query.offset == 0:
            return Hits(ids=[], total=0)
        cursor.execute(f"SELECT count(*) {source}", [words, *params])
        found = cursor.fetchone()[0]
        return Hits(ids=[], total=min(found, ranked), capped=found > ranked)


def after_write(article_ids: list[int]) -> None:
    """Compute the vectors of the documents just written, from their folded text."""
    from masthead.discovery.models import SearchDocument

    rows = SearchDocument.objects.filter(article_id__in=article_ids).values_list(
        "article_id", "headline", "standfirst", "people", "body"
    )
    head = (
        "setweight(to_tsvector('simple', %s), 'A') || "
        "setweight(to_tsvector('simple', %s), 'B') || "
        "setweight(to_tsvector('simple', %s), 'C')"
    )
    # Both spelled out: in an UPDATE, a column named on the right is its old value.
    sql = (
        f"UPDATE discovery_searchdocument SET head = {head}, "  # noqa: S608 (constants)
        f"vector = {head} || setweight(to_tsvector('simple', %s), 'D') WHERE article_id = %s"
    )
    params = []
    for pk, headline, standfirst, people, body in rows:
        folded = [fold(headline), fold(standfirst), fold(people)]
        params.append((*folded, *folded, fold(body), pk))
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def rebuild() -> None:
    """Nothing beyond ``after_write``: the GIN index follows the column."""
