"""`masthead demo`, end to end: a fresh data folder, run twice, loaded once.

The runs happen in a subprocess against their own SQLite file (started early by
``conftest.demo_runs``), so they also cover the migrate step and the printed login.
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

from masthead.demo.content.pieces import PIECES


def _count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608


def test_masthead_demo_twice_loads_the_publication_once(demo_runs):
    results = demo_runs.wait()
    assert [r.returncode for r in results] == [0, 0], results[-1].stderr[-3000:]
    first, second = (r.stdout for r in results)
    database = demo_runs.data_dir / "masthead.sqlite3"

    written = len(PIECES) + sum(1 for piece in PIECES if piece.es)
    assert f"Loaded the demo publication: {written} articles" in first
    assert "already loaded" in second
    assert _count(database, "newsroom_articlepage") == written + demo_runs.articles
    assert _count(database, "newsroom_homepage") == 2
    assert _count(database, "auth_user") == 1
    password_file = demo_runs.data_dir / "admin_password"
    password = password_file.read_text().strip()
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    for output in (first, second):
        assert "http://127.0.0.1:" in output and "username: admin" in output
        assert f"password: {password}" in output
