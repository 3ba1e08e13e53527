"""How the delivery ledger is stored: the send loop's updates must stay cheap (issue 10 §4).

On PostgreSQL an update that changes no indexed column, and finds room on its row's page,
is HOT: it writes no index entry. The loop changes a row at its claim and at its "sent"
mark, so no index may hold a column it writes, and pages are left half free for the new
versions. SQLite rewrites only the indexes whose columns change, so the same rule helps it.
"""

from __future__ import annotations

import pytest
from django.db import connection

from masthead.newsletter.models import Delivery

# What the claim, the sent mark, a retry and a release write (sending.py).
WRITTEN_BY_THE_LOOP = {
    "status",
    "claimed_at",
    "sent_at",
    "attempts",
    "message_id",
    "last_error",
    "next_attempt_at",
}

pytestmark = pytest.mark.django_db


def _indexes() -> dict[str, dict]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Delivery._meta.db_table)
    return {name: c for name, c in constraints.items() if c["index"] or c["unique"]}


def test_no_index_holds_a_column_the_send_loop_writes():
    indexed = {column for index in _indexes().values() for column in index["columns"] or []}
    assert indexed.isdisjoint(WRITTEN_BY_THE_LOOP)


def test_the_loop_walks_an_edition_by_id_and_nothing_indexes_the_edition_alone():
    columns = [index["columns"] for index in _indexes().values()]
    assert ["edition_id", "id"] in columns
    assert ["edition_id"] not in columns  # the composite ones lead with it


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL storage option")
def test_pages_are_left_half_free_for_hot_updates():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s", [Delivery._meta.db_table]
        )
        (options,) = cursor.fetchone()
    assert "fillfactor=50" in options
