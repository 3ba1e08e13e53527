"""Finished task rows are purged after MASTHEAD_TASK_RETENTION_DAYS; nothing else is (issue 8).

django-tasks-db keeps every task's row (arguments, return value, traceback) forever unless
something deletes it: the scheduler does, through ``purge_task_results``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from masthead.audience import tasks
from tests.test_cli import assert_one_line_error, run

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued_row(**fields) -> DBTaskResult:
    result = tasks.send_sign_in_link.enqueue(reader_id=1, sign_in_stamp=0)
    DBTaskResult.objects.filter(pk=result.id).update(**fields)
    return DBTaskResult.objects.get(pk=result.id)


@pytest.mark.django_db
def test_finished_rows_past_retention_are_purged_and_recent_or_unfinished_ones_kept(settings):
    settings.TASKS = DATABASE_QUEUE
    settings.TASK_RETENTION_DAYS = 7
    now = timezone.now()
    old, recent = now - dt.timedelta(days=8), now - dt.timedelta(days=6)
    purged = [
        queued_row(status="SUCCESSFUL", started_at=old, finished_at=old),
        queued_row(status="FAILED", started_at=old, finished_at=old, traceback="boom"),
    ]
    kept = [
        queued_row(status="SUCCESSFUL", started_at=recent, finished_at=recent),
        queued_row(status="FAILED", started_at=recent, finished_at=recent),
        queued_row(enqueued_at=old),  # still waiting for a worker
        queued_row(status="RUNNING", enqueued_at=old, started_at=old),
    ]

    call_command("purge_task_results")
    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert remaining == {row.pk for row in kept}
    assert not remaining & {row.pk for row in purged}

    settings.TASK_RETENTION_DAYS = 5
    call_command("purge_task_results")
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"READY", "RUNNING"}


_OLD_ROW = """
import datetime as dt
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from masthead.audience import tasks
result = tasks.send_sign_in_link.enqueue(reader_id=1, sign_in_stamp=0)
old = timezone.now() - dt.timedelta(days=30)
DBTaskResult.objects.filter(pk=result.id).update(status="SUCCESSFUL", finished_at=old)
print(DBTaskResult.objects.count())
"""


def test_the_scheduler_purges_old_task_rows(tmp_path):
    env = {"MASTHEAD_TASK_BACKEND": "database"}
    assert run("manage", "migrate", "--verbosity", "0", tmp_path=tmp_path).returncode == 0
    made = run("manage", "shell", "--no-imports", "-c", _OLD_ROW, tmp_path=tmp_path, **env)
    assert made.stdout.strip() == "1", made.stderr
    result = run("scheduler", "--once", tmp_path=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    count = "from django_tasks_db.models import DBTaskResult; print(DBTaskResult.objects.count())"
    left = run("manage", "shell", "--no-imports", "-c", count, tmp_path=tmp_path)
    assert left.stdout.strip() == "0", left.stderr


def test_a_retention_below_one_day_is_one_clear_line(tmp_path):
    result = run("manage", "check", tmp_path=tmp_path, MASTHEAD_TASK_RETENTION_DAYS="0")
    assert_one_line_error(result, "MASTHEAD_TASK_RETENTION_DAYS must be at least 1")
