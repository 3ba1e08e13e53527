"""The ``masthead`` command: demo, serve, worker, backup, restore and manage.

Errors in settings (a bad DATABASE_URL, an unwritable data folder) end the command with
one clear line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Sequence


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        _fail(str(exc))


def _fail(message: str) -> None:
    print(f"masthead: error: {message}", file=sys.stderr)  # noqa: T201
    raise SystemExit(2)


def _manage(args: Sequence[str]) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["masthead manage", *args])


def _check_database() -> None:
    from django.db import connection
    from django.db.utils import Error

    try:
        connection.ensure_connection()
    except Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        _fail(f"cannot connect to the database: {first_line}")


def _check_history() -> None:
    """Refuse a database whose applied migrations this version of Masthead does not have.

    Before its first release, Masthead reset the migrations of its reader apps once (the
    newsletter list moved into audience, issue 8); a database made before that would fail
    half-way through ``migrate`` with an error about a table that already exists.
    """
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connections[DEFAULT_DB_ALIAS], ignore_no_migrations=True)
    ours = {"audience", "newsletter", "newsroom"}
    unknown = sorted(
        f"{app}.{name}"
        for app, name in loader.applied_migrations
        if app in ours and (app, name) not in loader.disk_migrations
    )
    if unknown:
        _fail(
            f"this database was made by an earlier pre-release of Masthead ({unknown[0]} is "
            "applied but no longer exists): start a new data folder (`make clean-data`) or "
            "point DATABASE_URL at a new database"
        )


def _check_migrated() -> None:
    """Refuse to run against a database that is behind the code, with one clear line.

    Serving does not migrate by itself: several processes starting together would race.
    """
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    _check_history()
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        _fail("the database needs migrating: run `masthead manage migrate` first")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


# Also bench/pages_bare.py's, so that its bare Wagtail server is served alike.
GUNICORN_FLAGS = (
    "--access-logfile",
    "-",
    "--graceful-timeout",
    "5",
    # Headers are bounded by gunicorn (400 or 431 past these); bodies by Masthead's
    # RequestBodyLimitMiddleware. Browsers send about 20 header fields.
    "--limit-request-line",
    "4094",
    "--limit-request-fields",
    "50",
    "--limit-request-field_size",
    "8190",
)


def serve(*, bind: str, workers: int, threads: int = 1, with_worker: bool = False) -> None:
    """Collect static files, then run gunicorn (and the task worker beside it)."""
    _check_database()
    _check_migrated()
    _manage(["collectstatic", "--noinput", "--verbosity", "0"])
    helpers = []
    if with_worker:
        # Quiet beside the server: its access log is what an operator watches there.
        for helper_args in (["worker", "--quiet"], ["scheduler"]):
            helpers.append(
                subprocess.Popen([sys.executable, "-m", "masthead.cli", *helper_args])  # noqa: S603
            )
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "masthead.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        *GUNICORN_FLAGS,
    ]
    print(f"Serving on http://{bind} (Ctrl+C to stop)", flush=True)  # noqa: T201
    server = subprocess.Popen(command)  # noqa: S603
    # A service manager stops us with SIGTERM: treat it like Ctrl+C, so gunicorn, the
    # worker and the scheduler are stopped too rather than left running as orphans.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        code = server.wait()
    except KeyboardInterrupt:
        server.send_signal(signal.SIGTERM)
        code = server.wait()
    finally:
        for helper in helpers:
            helper.send_signal(signal.SIGTERM)
            helper.wait()
    raise SystemExit(code)


# What has to happen at a time rather than on a request, every minute.
SCHEDULED_COMMANDS = (
    "publish_scheduled",  # Wagtail's scheduled publishing
    "send_newsletters",  # editions that are due, or were interrupted by a crash
    "inbox_sweep",  # failed inbox events due for a retry; events past retention
    "reader_import_sweep",  # CSV imports whose worker stopped; old imports' bad rows
    "purge_task_results",  # finished task rows past retention
    "funding_sweep",  # lapsed memberships, renewal reminders, stale checkouts, owed mail
    "channels_sweep",  # Telegram posts due for a retry; posts a dead worker left uncertain
    "whatsapp_sweep",  # WhatsApp messages due, the daily digest, rows a dead worker left
    "webhooks_sweep",  # webhook messages due for a retry, or left mid-attempt by a dead worker
    "search_sweep",  # live articles search does not know yet (an upgrade, a lost task)
)


def run_scheduler(*, every: int, once: bool) -> None:
    """Run ``SCHEDULED_COMMANDS`` every ``every`` seconds (or once); one failing command
    does not stop the others."""
    import logging
    import time

    while True:
        for command in SCHEDULED_COMMANDS:
            try:
                _manage([command])
            except Exception:  # a bad run must not stop the next one
                logging.getLogger("masthead.scheduler").exception("%s failed", command)
        if once:
            return
        try:
            time.sleep(max(every, 1))
        except KeyboardInterrupt:
            return


def _backup_or_restore(args: argparse.Namespace) -> None:
    from django.utils.translation import gettext as _

    from masthead import backup

    try:
        if args.command == "backup":
            result = backup.create_backup(args.path)
        else:
            result = backup.restore_backup(args.path, force=args.force)
    except backup.BackupError as exc:
        _fail(str(exc))
    except OSError as exc:  # a full disk, a folder we may not write: one line too
        _fail(f"{exc.filename or args.path}: {exc.strerror or exc}")
    counts = ", ".join(f"{count} {name}" for name, count in result.counts.items())
    done = (
        _("Backed up %(path)s: %(counts)s")
        if args.command == "backup"
        else _("Restored %(path)s: %(counts)s")
    )
    print(done % {"path": result.path, "counts": counts})  # noqa: T201
    if result.pending_migrations:
        print(_("The backup is older than this Masthead: run `masthead manage migrate` now."))  # noqa: T201


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        _setup_django()
        _manage(argv[1:])
        return

    parser = argparse.ArgumentParser(prog="masthead", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="set up the data folder and load the demo publication")
    demo.add_argument("--articles", type=int, default=0, help="also generate N synthetic articles")
    demo.add_argument("--serve", action="store_true", help="then serve it with a worker")
    demo.add_argument("--bind", default=f"127.0.0.1:{os.environ.get('PORT', '8000')}")

    serve_cmd = commands.add_parser("serve", help="serve the site with gunicorn and WhiteNoise")
    serve_cmd.add_argument("--bind", default=f"127.0.0.1:{os.environ.get('PORT', '8000')}")
    serve_cmd.add_argument(
        "--workers", type=int, help="gunicorn workers (default: MASTHEAD_WEB_WORKERS, 2)"
    )
    serve_cmd.add_argument("--with-worker", action="store_true", help="also run the task worker")

    worker_cmd = commands.add_parser("worker", help="run the background task worker")
    worker_cmd.add_argument("--quiet", action="store_true", help="log errors only")
    scheduler = commands.add_parser(
        "scheduler",
        help="publish scheduled pages and send due (or resume interrupted) newsletter editions",
    )
    scheduler.add_argument("--every", type=int, default=60, metavar="SECONDS")
    scheduler.add_argument("--once", action="store_true", help="run once, then exit")
    backup_cmd = commands.add_parser(
        "backup", help="write the database, the media folder and a manifest into one archive"
    )
    backup_cmd.add_argument("path", help="the archive to write, e.g. masthead.tar.gz")
    restore_cmd = commands.add_parser(
        "restore", help="restore an archive made by `masthead backup` into an empty site"
    )
    restore_cmd.add_argument("path", help="the archive to restore")
    restore_cmd.add_argument(
        "--force", action="store_true", help="replace a site that already has data"
    )
    commands.add_parser("manage", help="run any Django or Wagtail management command")

    args = parser.parse_args(argv)
    if getattr(args, "workers", None) is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    if getattr(args, "articles", 0) < 0:
        parser.error("--articles must be zero or more")
    _setup_django()

    if args.command == "demo":
        _check_database()
        _check_history()
        _manage(["migrate", "--noinput", "--verbosity", "0"])
        _manage(["collectstatic", "--noinput", "--verbosity", "0"])
        _manage(["load_demo", *(["--articles", str(args.articles)] if args.articles else [])])
        if args.serve:
            serve(bind=args.bind, workers=2, with_worker=True)
    elif args.command == "serve":
        from django.conf import settings

        workers = args.workers or settings.WEB_WORKERS
        serve(
            bind=args.bind,
            workers=workers,
            threads=settings.WEB_THREADS,
            with_worker=args.with_worker,
        )
    elif args.command == "scheduler":
        _check_database()
        _check_migrated()
        run_scheduler(every=args.every, once=args.once)
    elif args.command in {"backup", "restore"}:
        _check_database()
        _backup_or_restore(args)
    elif args.command == "worker":
        from django.conf import settings

        _check_database()
        _check_migrated()
        if settings.TASK_BACKEND == "rq":
            _manage(["rqworker", "default", "--job-class", "django_tasks_rq.Job"])
        else:
            _manage(["db_worker", "--verbosity", "0" if args.quiet else "1"])


if __name__ == "__main__":
    main()
