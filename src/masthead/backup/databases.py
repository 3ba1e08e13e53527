"""The database half of a backup: a consistent snapshot with its counts, and its restore.

SQLite uses Python's online backup API; PostgreSQL uses ``pg_dump`` / ``pg_restore`` in
custom format. Either way the counts and the applied migrations are read from the very
snapshot that goes into the archive, so they agree with it while the site keeps writing.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from masthead.backup.errors import BackupError, first_line

# What the manifest counts; a model whose app is not installed (funding.Payment before
# the funding app exists) is left out, and looked up by label so no app is imported.
COUNTED = {
    "pages": "wagtailcore.Page",
    "readers": "audience.Reader",
    "deliveries": "newsletter.Delivery",
    "payments": "funding.Payment",
}
# libpq's settings and the environment variables its tools read them from.
_LIBPQ_ENV = {
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "options": "PGOPTIONS",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
}

Snapshot = tuple[dict[str, int], dict[str, list[str]]]  # counts, migrations per app


def engine() -> str:
    """``sqlite`` or ``postgresql``: the configured database's engine."""
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise BackupError(
            _("cannot back up a %(vendor)s database") % {"vendor": connection.vendor}
        )
    return connection.vendor


def snapshot_sqlite(target: Path) -> Snapshot:
    """Copy the SQLite database to ``target``, one self-contained file."""
    source_path = settings.DATABASES["default"]["NAME"]
    if not Path(source_path).is_file():
        raise BackupError(_("%(path)s does not exist") % {"path": source_path})
    source = sqlite3.connect(source_path, timeout=20)
    copy = sqlite3.connect(target)
    try:
        # pages=-1 (the default) copies everything in one step under one read
        # transaction: a consistent snapshot, while WAL lets the site keep writing.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # no -wal file needed beside it
        return count(copy.cursor()), migrations(copy.cursor())
    except sqlite3.Error as exc:
        raise BackupError(_("cannot read the database: %(error)s") % {"error": exc}) from None
    finally:
        copy.close()
        source.close()


def dump_postgresql(target: Path) -> Snapshot:
    """``pg_dump --format=custom`` into ``target``, from the snapshot it counts in."""
    import psycopg

    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(_("pg_dump is not installed: install the PostgreSQL client tools"))
    try:
        with psycopg.connect(**libpq_params()) as conn:
            # The transaction's snapshot is exported to pg_dump (--snapshot), so the
            # counts describe exactly what it dumps.
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                taken = count(cursor), migrations(cursor)
                run_tool([pg_dump, "--format=custom", f"--snapshot={snapshot}", "-f", str(target)])
    except psycopg.Error as exc:
        error = first_line(exc)
        raise BackupError(_("cannot read the database: %(error)s") % {"error": error}) from None
    return taken


def restore_sqlite(staged: Path) -> None:
    """Write the staged SQLite file over the configured database."""
    source = sqlite3.connect(staged)
    target = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=20)
    try:
        # The backup API writes the target in one transaction: all or nothing.
        source.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(_("cannot write the database: %(error)s") % {"error": exc}) from None
    finally:
        target.close()
        source.close()


def restore_postgresql(staged: Path, *, clean: bool) -> None:
    """``pg_restore`` the staged dump into the configured database, in one transaction."""
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError(_("pg_restore is not installed: install the PostgreSQL client tools"))
    # --single-transaction: a restore that fails half-way leaves the database as it was.
    command = [pg_restore, "--single-transaction", "--exit-on-error", "--no-owner"]
    if clean:
        command += ["--clean", "--if-exists"]
    run_tool([*command, "--dbname", settings.DATABASES["default"]["NAME"], str(staged)])


def count(cursor: object) -> dict[str, int]:
    """Rows of each counted model, by raw SQL so it works on a snapshot's own cursor."""
    counts = {}
    for name, label in COUNTED.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        table = connection.ops.quote_name(model._meta.db_table)  # the same on both engines
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        counts[name] = cursor.fetchone()[0]
    return counts


def migrations(cursor: object) -> dict[str, list[str]]:
    """The migrations applied, per app, as django_migrations records them."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def libpq_params() -> dict[str, str]:
    """The configured PostgreSQL database as libpq connection settings."""
    db = settings.DATABASES["default"]
    params = {
        "dbname": db.get("NAME"),
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": str(db.get("PORT") or ""),
    }
    params.update({k: v for k, v in db.get("OPTIONS", {}).items() if k in _LIBPQ_ENV})
    return {k: str(v) for k, v in params.items() if v}


def run_tool(command: list[str]) -> None:
    """Run a PostgreSQL client tool; the password goes by environment, never argv."""
    env = {**os.environ, **{_LIBPQ_ENV[k]: v for k, v in libpq_params().items()}}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower()] or lines or ["failed"]
        raise BackupError(f"{Path(command[0]).name}: {errors[0]}")
