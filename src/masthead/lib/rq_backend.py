"""The RQ task backend, holding a task back until the transaction that enqueued it commits.

A job in Redis is visible to a worker at once, while the rows it is about (the article
just published, the reader just signed up) become visible only when the web process's
transaction commits. django-tasks 0.12 ignores ``ENQUEUE_ON_COMMIT`` (Django's own tasks
framework left it to callers), so under load an RQ worker indexed an article's old
revision, or found no row at all, before the publish committed: the multi-process test
(tests/deploy/test_scale_path.py) caught it. Masthead's receivers, Wagtail's and
modelsearch's all enqueue inside the transaction, so it is done here, once, for every task.

The database backend needs nothing of the kind (its job row commits with the
transaction) and the immediate one runs inside it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import django_rq
from django.db import transaction
from django_tasks.base import TASK_MAX_PRIORITY, Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq import backend as rq
from rq.job import Callback, JobStatus


class RQBackend(rq.RQBackend):
    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        if not transaction.get_connection().in_atomic_block:
            return super().enqueue(task, args, kwargs)
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        # robust: a Redis outage after the commit must not skip the other callbacks (the
        # page cache's invalidation); it is logged, and the task is lost as it would have
        # been had Redis failed a moment earlier.
        transaction.on_commit(partial(self._push, result), robust=True)
        return result

    def _push(self, result: TaskResult) -> None:
        """What ``RQBackend.enqueue`` does once it has its result, under that result's id
        (repeated here: django-tasks-rq has no hook to push a job later)."""
        task = result.task
        queue = django_rq.get_queue(task.queue_name, job_class=rq.Job)
        job = queue.create_job(
            task.module_path,
            args=result.args,
            kwargs=result.kwargs,
            job_id=result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(rq.failed_callback),
            on_success=Callback(rq.success_callback),
            meta={"backend_name": self.alias},
        )
        if task.run_after is None:
            queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            queue.schedule_job(job, task.run_after)
        task_enqueued.send(type(self), task_result=result)
