"""The `masthead` command: bad settings end it with one clear line, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Every process started here runs on a SQLite data folder of its own, whatever DATABASE_URL says.
pytestmark = pytest.mark.own_sqlite

MASTHEAD = str(Path(sys.executable).with_name("masthead"))


def run(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_DATA_DIR": str(tmp_path / "data"),
        "MASTHEAD_ENV": "test",
        **env,
    }
    return subprocess.run(
        [MASTHEAD, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, *expected: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("masthead: error: ")
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in lines[0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysqlx://root@localhost/db", "DATABASE_URL must start with"),
        ("postgres://u@localhost:notaport/db", "DATABASE_URL"),
        ("postgres://nobody@127.0.0.1:1/nothing", "cannot connect to the database"),
    ],
)
def test_bad_database_url_is_one_clear_line(tmp_path, url, expected):
    assert_one_line_error(run("worker", tmp_path=tmp_path, DATABASE_URL=url), expected)


def test_bad_redis_url_is_one_clear_line(tmp_path):
    result = run("manage", "check", tmp_path=tmp_path, REDIS_URL="memcache-or-whatever")
    assert_one_line_error(result, "REDIS_URL")


def test_data_dir_that_is_a_file_is_refused(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("")
    result = run("manage", "check", tmp_path=tmp_path, MASTHEAD_DATA_DIR=str(a_file))
    assert_one_line_error(result, "MASTHEAD_DATA_DIR", "is not a directory")


def test_data_dir_that_cannot_be_created_is_refused(tmp_path):
    result = run("serve", tmp_path=tmp_path, MASTHEAD_DATA_DIR="/proc/masthead-data")
    assert_one_line_error(result, "MASTHEAD_DATA_DIR=/proc/masthead-data", "cannot be created")


def test_zero_workers_is_refused(tmp_path):
    result = run("serve", "--workers", "0", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "--workers must be at least 1" in result.stderr


def test_web_workers_below_one_are_refused_with_one_line(tmp_path):
    result = run("manage", "check", tmp_path=tmp_path, MASTHEAD_WEB_WORKERS="0")
    assert_one_line_error(result, "MASTHEAD_WEB_WORKERS must be at least 1")


def test_manage_runs_any_management_command(tmp_path):
    result = run("manage", "check", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_first_run_generates_and_keeps_a_secret_key(tmp_path):
    run("manage", "check", tmp_path=tmp_path)
    key_file = tmp_path / "data" / "secret_key"
    first = key_file.read_text()
    run("manage", "check", tmp_path=tmp_path)
    assert len(first) >= 50
    assert key_file.read_text() == first
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_scheduler_runs_scheduled_publishing_and_due_newsletters_once(tmp_path):
    assert run("manage", "migrate", "--verbosity", "0", tmp_path=tmp_path).returncode == 0
    result = run("scheduler", "--once", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["serve"], ["worker"], ["scheduler", "--once"]])
def test_a_database_behind_the_code_is_refused_with_one_line(tmp_path, command):
    result = run(*command, tmp_path=tmp_path)
    assert_one_line_error(result, "the database needs migrating", "masthead manage migrate")


@pytest.mark.parametrize("command", [["demo"], ["serve"], ["worker"]])
def test_a_database_from_before_the_migration_reset_is_refused_with_one_line(tmp_path, command):
    # A data folder made before issue 8 reset the reader apps' migrations (pre-release).
    import sqlite3

    (tmp_path / "data").mkdir()
    with sqlite3.connect(tmp_path / "data" / "masthead.sqlite3") as db:
        db.execute(
            "CREATE TABLE django_migrations (id integer primary key, app varchar(255), "
            "name varchar(255), applied datetime)"
        )
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('audience', '0002_reader_sign_in', '2026-11-01 00:00:00')"
        )
    result = run(*command, tmp_path=tmp_path)
    assert_one_line_error(result, "audience.0002_reader_sign_in", "make clean-data")


def test_sigterm_stops_the_server_and_everything_it_started(tmp_path):
    import signal
    import socket
    import time
    import urllib.request

    assert run("manage", "migrate", "--verbosity", "0", tmp_path=tmp_path).returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_DATA_DIR": str(tmp_path / "data"),
        "MASTHEAD_ENV": "test",
    }
    parent = subprocess.Popen(
        [MASTHEAD, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--with-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):  # the server answers once gunicorn has started
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        children = _children_of(parent.pid)
        assert len(children) == 3  # gunicorn, the task worker, the scheduler
        parent.send_signal(signal.SIGTERM)
        parent.wait(timeout=30)
        for _ in range(100):
            alive = [pid for pid in children if Path(f"/proc/{pid}").exists()]
            if not alive:
                break
            time.sleep(0.2)
        assert alive == []
    finally:
        if parent.poll() is None:
            parent.kill()


def _children_of(pid: int) -> list[str]:
    children = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if entry.name.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            children.append(entry.name)
    return children
