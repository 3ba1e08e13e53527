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


@pytest.mark.skipif(not redis_is_up(), reason="needs Redis on 127.0.0.1:6379")
def test_rq_backend_is_configured_and_its_worker_command_exists(tmp_path):
    env = {"MASTHEAD_TASK_BACKEND": "rq", "REDIS_URL": "redis://127.0.0.1:6379/14"}
    probe = (
        'from django_tasks import task_backends; b = task_backends["default"]; '
        "print(type(b).__module__, type(b).__name__)"
    )
    result = run("manage", "shell", "-c", probe, tmp_path=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert "django_tasks_rq.backend RQBackend" in result.stdout
    assert run("manage", "check", tmp_path=tmp_path, **env).returncode == 0
    assert run("manage", "rqworker", "--help", tmp_path=tmp_path, **env).returncode == 0


def test_unknown_task_backend_is_one_clear_line(tmp_path):
    result = run("worker", tmp_path=tmp_path, MASTHEAD_TASK_BACKEND="celery")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "masthead: error: MASTHEAD_TASK_BACKEND must be one of immediate, database, rq "
        "(got 'celery')"
    )
