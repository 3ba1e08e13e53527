"""Finished rows of the database task queue (django-tasks-db) are kept a while, then purged.

django-tasks-db keeps every task's row, arguments, return value and traceback included,
forever. Masthead's tasks carry ids only, yet a finished row is of use only to someone
looking into a recent failure, so the scheduler deletes it ``TASK_RETENTION_DAYS`` after
it finished (issue 8). Rows waiting or running are never touched.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


def purge_finished(*, now: dt.datetime | None = None) -> int:
    """Delete task rows that succeeded or failed more than ``TASK_RETENTION_DAYS`` ago.

    Every backend's rows are purged, so rows left by the database queue stay bounded after
    a switch to RQ. Idempotent; returns how many rows were deleted.
    """
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.TASK_RETENTION_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
