"""The database task queue (django-tasks-db, the production default) and its real worker.

``run_the_worker`` runs every ready task through db_worker's own ``Worker.run_task`` (claim,
call, record the outcome, return value or traceback), without the command's polling loop,
which closes the database connection this test's transaction lives on (PostgreSQL).
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def use_database_queue(settings) -> None:
    settings.TASKS = DATABASE_QUEUE  # django-tasks drops its cached backends on the change


def run_the_worker() -> list[DBTaskResult]:
    """Run every ready task, oldest first, as db_worker does; the rows, finished."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = []
    while (row := DBTaskResult.objects.ready().first()) is not None:
        row.claim(worker.worker_id)
        worker.run_task(row)
        row.refresh_from_db()
        ran.append(row)
    return ran
