"""Hot statements that PostgreSQL prepares once per connection (issues 9 and 10).

A webhook's insert and a newsletter's "sent" checkpoint run thousands of times a minute.
Through Django's cursor, psycopg merges the values into the SQL text on the client and the
server parses and plans every one: about a third of the server's CPU per stored event.
``execute`` runs such a statement through a cursor that binds values on the server, so
psycopg prepares it at its first run on the connection (``prepare_threshold``, set in
settings.py). Django's wrapper stays around it: errors are Django's, queries are logged as
usual. Everything else keeps Django's client-side binding, which PgBouncer and friends
need; so does this, on SQLite, or when prepared statements are off for a pooler.

Django has no public API for a server-binding cursor, hence this small helper.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.backends.base.base import BaseDatabaseWrapper


def execute(connection: BaseDatabaseWrapper, sql: str, params: Sequence) -> tuple | None:
    """Run one statement; its first row if it returns rows, else None."""
    if (
        connection.vendor != "postgresql"
        or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None
    ):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() if cursor.description else None
    import psycopg  # only with PostgreSQL

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = psycopg.Cursor(connection.connection)
    # What BaseDatabaseWrapper._cursor() does with the cursor it creates.
    with connection._prepare_cursor(raw) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() if cursor.description else None
