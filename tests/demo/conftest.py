"""Starts the end-to-end `masthead demo` runs as soon as the first demo test starts.

The subprocess spends most of its half minute migrating a fresh SQLite file. Running it in
the background while this process builds its own test database and loads the demo in
memory saves most of that time on two cores; `test_cli_demo` waits for it. When that test
is not selected, the run is stopped at the end of the session instead of awaited.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class DemoRuns:
    """Two runs of `masthead demo` in one fresh data folder, one after the other."""

    data_dir: Path
    articles: int = 20
    results: list[Run] = field(default_factory=list)
    _process: subprocess.Popen | None = None
    _stopped: bool = False
    _waited: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def wait(self) -> list[Run]:
        self._waited = True
        self._thread.join(timeout=300)
        return self.results

    def finish(self) -> None:
        if not self._waited:
            with self._lock:
                self._stopped = True
                if self._process is not None and self._process.poll() is None:
                    self._process.terminate()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        for args in (["demo", "--articles", str(self.articles)], ["demo"]):
            with self._lock:
                if self._stopped:
                    return
                self._process = _masthead(*args, data_dir=self.data_dir)
            stdout, stderr = self._process.communicate(timeout=240)
            self.results.append(Run(self._process.returncode, stdout, stderr))
            if self._process.returncode != 0:
                return


def _masthead(*args: str, data_dir: Path) -> subprocess.Popen:
    script = Path(sys.executable).with_name("masthead")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "masthead.cli"]
    # A shared database or cache must never see this run: it gets its own SQLite file.
    dropped = {"DATABASE_URL", "REDIS_URL", "MASTHEAD_ADMIN_PASSWORD", "MASTHEAD_BASE_URL"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(MASTHEAD_DATA_DIR=str(data_dir), MASTHEAD_ENV="test")
    return subprocess.Popen(
        [*command, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.fixture(scope="session", autouse=True)
def demo_runs(tmp_path_factory):
    runs = DemoRuns(data_dir=tmp_path_factory.mktemp("demo-data"))
    runs.start()
    yield runs
    runs.finish()
