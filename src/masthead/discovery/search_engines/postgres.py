"""PostgreSQL full text: the engine when DATABASE_URL names PostgreSQL (issue 12 §2).

A ``tsvector`` column on ``discovery_searchdocument`` with a GIN index (migration 0002),
built with the ``simple`` configuration from text folded in Python (``fold``), so accents
and case never matter and no ``unaccent`` extension is needed. Weights: A the headline,
B the standfirst, C the names on the byline, D the body; ranked by ``ts_rank``.
"""

from __future__ import annotations

from django.db import connection

from masthead.discovery.search_engines import Hits, Query, filter_sql, fold

# ts_rank's weights, in the order {D, C, B, A}.
WEIGHTS = "{0.1, 0.4, 0.5, 1.0}"


def search(query: Query) -> Hits:
    where, params = filter_sql(query)
    words = " ".join(query.terms)
    # plainto_tsquery ANDs the words and gives no character a meaning.
    sql = (
        "SELECT d.article_id, count(*) OVER () FROM discovery_searchdocument d, "  # noqa: S608
        "plainto_tsquery('simple', %s) q "
        f"WHERE d.vector @@ q{where} "
        "ORDER BY ts_rank(%s::float4[], d.vector, q) DESC, d.published_at DESC "
        "LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [words, *params, WEIGHTS, query.limit, query.offset])
        rows = cursor.fetchall()
        if rows:
            return Hits(ids=[row[0] for row in rows], total=rows[0][1])
        if query.offset == 0:
            return Hits(ids=[], total=0)
        cursor.execute(
            "SELECT count(*) FROM discovery_searchdocument d "  # noqa: S608
            f"WHERE d.vector @@ plainto_tsquery('simple', %s){where}",
            [words, *params],
        )
        return Hits(ids=[], total=cursor.fetchone()[0])


def after_write(article_ids: list[int]) -> None:
    """Compute the vectors of the documents just written, from their folded text."""
    from masthead.discovery.models import SearchDocument

    rows = SearchDocument.objects.filter(article_id__in=article_ids).values_list(
        "article_id", "headline", "standfirst", "people", "body"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE discovery_searchdocument SET vector = "
            "setweight(to_tsvector('simple', %s), 'A') || "
            "setweight(to_tsvector('simple', %s), 'B') || "
            "setweight(to_tsvector('simple', %s), 'C') || "
            "setweight(to_tsvector('simple', %s), 'D') WHERE article_id = %s",
            [(*(fold(text) for text in texts), pk) for pk, *texts in rows],
        )


def rebuild() -> None:
    """Nothing beyond ``after_write``: the GIN index follows the column."""
