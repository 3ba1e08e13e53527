"""Rate-limit counters are shared by every process and atomic across them (issue 8).

Each test runs on every store the run has: the database table always, Redis when REDIS_URL
is set (the PostgreSQL + Redis pass of .ci/run). The concurrency test uses real processes,
started together, all counting on one counter.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from masthead.lib import ratelimit

MASTHEAD = str(Path(sys.executable).with_name("masthead"))
REDIS_URL = os.environ.get("REDIS_URL", "")

STORES = [
    "database",
    pytest.param("redis", marks=pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")),
]

# Each process says it is ready, then waits for the go file: all of them hit at once, each
# from several threads (each thread has its own database connection).
HITS = """
import os, pathlib, time
from concurrent.futures import ThreadPoolExecutor
from django.db import connection
from masthead.lib import ratelimit
def hits(_):
    try:
        return sum(ratelimit.hit({scope!r}, "one@example.org", limit={limit}, window_seconds=3600)
                   for _ in range({hits}))
    finally:
        connection.close()
pathlib.Path({ready!r}, str(os.getpid())).touch()
while not os.path.exists({go!r}):
    time.sleep(0.001)
with ThreadPoolExecutor({threads}) as pool:
    print(sum(pool.map(hits, range({threads}))))
"""


@pytest.fixture(params=STORES)
def store(request, settings):
    settings.RATELIMIT_REDIS_URL = REDIS_URL if request.param == "redis" else ""
    return request.param


def _process_env(store: str, tmp_path: Path) -> dict:
    """What a separate process needs to count on the same store as this test."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_ENV": "test",
        "MASTHEAD_DATA_DIR": str(tmp_path),
    }
    if store == "redis":
        env["REDIS_URL"] = REDIS_URL
    elif connection.vendor == "sqlite":
        # The test database lives in memory: give the processes a file with the table.
        database = tmp_path / "counters.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL",
                [ratelimit.TABLE],
            )
            schema = ";\n".join(row[0] for row in cursor.fetchall())
        with sqlite3.connect(database) as target:
            # WAL as `migrate` leaves a real data folder's database: processes that all
            # switch a fresh file to WAL at once would find it locked.
            target.execute("PRAGMA journal_mode=WAL")
            target.executescript(schema + ";")
        env["DATABASE_URL"] = f"sqlite:///{database}"
    else:
        # The processes count in the test database itself, in rows of their own scope.
        db = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    return env


@pytest.mark.django_db
def test_the_window_counts_and_is_per_key(store):
    scope = f"t-{uuid.uuid4().hex[:8]}"
    assert [ratelimit.hit(scope, "a", limit=2, window_seconds=60) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert ratelimit.hit(scope, "b", limit=2, window_seconds=60)
    assert ratelimit.hit(f"{scope}-other", "a", limit=2, window_seconds=60)


def test_processes_hitting_one_counter_at_once_never_pass_more_than_the_limit(
    store, tmp_path, django_db_setup, django_db_blocker
):
    processes, threads, hits, limit = 3, 4, 10, 50
    scope = f"race-{uuid.uuid4().hex[:8]}"
    go, ready = tmp_path / "go", tmp_path / "ready"
    ready.mkdir()
    with django_db_blocker.unblock():
        env = _process_env(store, tmp_path)
    code = HITS.format(
        go=str(go), ready=str(ready), scope=scope, limit=limit, hits=hits, threads=threads
    )
    started = [
        subprocess.Popen(
            [MASTHEAD, "manage", "shell", "--no-imports", "-c", code],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    try:
        while len(list(ready.iterdir())) < processes:
            assert all(p.poll() is None for p in started), "a process ended before the start"
            time.sleep(0.05)
        go.touch()
        passed = []
        for process in started:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            passed.append(int(out.strip().splitlines()[-1]))
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
        if store == "database" and connection.vendor != "sqlite":
            with django_db_blocker.unblock(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM lib_ratelimit WHERE counter LIKE %s", [f"{scope}:%"])
    assert sum(passed) == limit  # 120 hits, exactly 50 passed: none lost, none extra
    assert sum(1 for n in passed if n) > 1  # more than one process got a share


@pytest.mark.real_clock
@pytest.mark.django_db
def test_ended_windows_are_deleted_and_live_ones_kept(settings):
    settings.RATELIMIT_REDIS_URL = ""
    now = int(time.time())
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO lib_ratelimit (counter, hits, expires) VALUES (%s, %s, %s)",
            [("old:1:a", 3, now - 10), ("old:2:b", 1, now - 3600), ("live:9:c", 2, now + 600)],
        )
    ratelimit.hit("new", "someone", limit=3, window_seconds=60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT counter FROM lib_ratelimit ORDER BY counter")
        left = [row[0] for row in cursor.fetchall()]
    assert "old:1:a" not in left
    assert "old:2:b" not in left
    assert "live:9:c" in left
    assert len([name for name in left if name.startswith("new:")]) == 1


@pytest.mark.real_clock
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")
def test_redis_counters_expire_when_their_window_ends(settings):
    import redis

    settings.RATELIMIT_REDIS_URL = REDIS_URL
    scope = f"ttl-{uuid.uuid4().hex[:8]}"
    ratelimit.hit(scope, "someone", limit=3, window_seconds=60)
    client = redis.Redis.from_url(REDIS_URL)
    (name,) = client.keys(f"masthead:ratelimit:{scope}:*")
    assert 0 < client.ttl(name) <= 60 + 5
