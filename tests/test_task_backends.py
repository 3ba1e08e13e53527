"""The scale path for background work: MASTHEAD_TASK_BACKEND=rq wires django-tasks to RQ."""

import socket
import subprocess
from pathlib import Path

import pytest

from tests.test_cli import run as run_masthead


def redis_is_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def run(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    return run_masthead(*args, tmp_path=tmp_path, **{"MASTHEAD_ENV": "development", **env})


# A Redis database of these tests' own, and one worker for both (an xdist group): the
# suite's workers count down from 13 and the scale path's cluster runs on 14, whose queue
# and counters a process started here would share (it did: the cluster's mail went missing).
REDIS_URL = "redis://127.0.0.1:6379/15"
needs_redis = pytest.mark.skipif(not redis_is_up(), reason="needs Redis on 127.0.0.1:6379")
own_redis = pytest.mark.xdist_group("redis-15")


@needs_redis
@own_redis
def test_rq_backend_is_configured_and_its_worker_command_exists(tmp_path):
    env = {"MASTHEAD_TASK_BACKEND": "rq", "REDIS_URL": REDIS_URL}
    probe = (
        'from django_tasks import task_backends; b = task_backends["default"]; '
        "print(type(b).__module__, type(b).__name__)"
    )
    result = run("manage", "shell", "-c", probe, tmp_path=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert "masthead.lib.rq_backend RQBackend" in result.stdout
    assert run("manage", "check", tmp_path=tmp_path, **env).returncode == 0
    assert run("manage", "rqworker", "--help", tmp_path=tmp_path, **env).returncode == 0


def test_unknown_task_backend_is_one_clear_line(tmp_path):
    result = run("worker", tmp_path=tmp_path, MASTHEAD_TASK_BACKEND="celery")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "masthead: error: MASTHEAD_TASK_BACKEND must be one of immediate, database, rq "
        "(got 'celery')"
    )


ON_COMMIT_PROBE = """
import django_rq
from django.db import transaction
from masthead.discovery import tasks

queue = django_rq.get_queue("default")
queue.empty()
with transaction.atomic():
    result = tasks.update_search_index.enqueue([1])
    print("inside the transaction:", queue.job_ids)
print("after the commit:", queue.job_ids == [result.id])
queue.empty()
try:
    with transaction.atomic():
        tasks.update_search_index.enqueue([2])
        raise RuntimeError
except RuntimeError:
    pass
print("after a rollback:", queue.job_ids)
result = tasks.update_search_index.enqueue([3])
print("outside a transaction:", queue.job_ids == [result.id])
queue.empty()
"""


@needs_redis
@own_redis
def test_an_rq_job_reaches_redis_only_when_its_transaction_commits(tmp_path):
    # A worker that saw the job before the commit read the rows as they were before it: the
    # article's old revision, or no reader at all.
    env = {"MASTHEAD_TASK_BACKEND": "rq", "REDIS_URL": REDIS_URL}
    result = run("manage", "shell", "-c", ON_COMMIT_PROBE, tmp_path=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-4:] == [
        "inside the transaction: []",
        "after the commit: True",
        "after a rollback: []",
        "outside a transaction: True",
    ]
