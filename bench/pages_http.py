"""HTTP side of the page benchmark: servers, wrk, single timed requests, worker memory.

Used by ``bench/pages.py``; nothing here knows about Masthead or the bare project.
"""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

WRK_FLAGS = ("--latency", "--timeout", "10s")
WARM_UP_SECONDS = 2


@dataclass
class Load:
    """One wrk run."""

    name: str
    url: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx/3xx answers plus socket errors
    cache: str = ""  # the X-Cache / X-Cache-Status header of a sample request


class Wrk:
    """Runs wrk against one URL after a short unrecorded warm-up; keeps wrk's reports."""

    def __init__(self, outputs: Path, duration: int) -> None:
        self.outputs = outputs
        self.duration = duration
        outputs.mkdir(parents=True, exist_ok=True)

    def run(self, name: str, url: str, threads: int, connections: int) -> Load:
        status, _, _ = fetch(url)  # the first request also fills the caches on the way
        if status != 200:
            raise RuntimeError(f"{url} answered {status}, not 200")
        headers = fetch(url)[1]  # so X-Cache tells what the recorded run gets
        print(f"  {name} (wrk -t{threads} -c{connections})...", flush=True)
        # Freshly forked workers, cold OS and SQLite caches: a short run that is not recorded.
        self._wrk(url, threads, connections, WARM_UP_SECONDS)
        drain(url)
        output = self._wrk(url, threads, connections, self.duration)
        drain(url)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{name} c{connections}".lower()).strip("-")
        (self.outputs / f"{len(list(self.outputs.iterdir())):02d}-{slug}.txt").write_text(output)
        cache = headers.get("X-Cache-Status") or headers.get("X-Cache") or ""
        load = parse_wrk(output, name=name, url=url, cache=cache)
        print(
            f"    p50 {load.p50_ms:.2f} ms, p99 {load.p99_ms:.2f} ms, {load.rps:.1f} req/s, "
            f"{load.bad} failed",
            flush=True,
        )
        return load

    @staticmethod
    def _wrk(url: str, threads: int, connections: int, seconds: int) -> str:
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", *WRK_FLAGS, url]
        result = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        )
        return result.stdout


def drain(url: str) -> None:
    """Wait out the requests wrk left queued when it stopped.

    gunicorn's sync workers still render every request already sent on a connection that
    wrk has closed: after a 16-connection run, up to 16 slow renders. Without this they
    ran during the next recorded run (it measured 1 request in 3 s). Two requests in a
    row on new connections queue behind them, so when both are answered the queue is empty.
    """
    fetch(url)
    fetch(url)


@contextmanager
def running(
    command: Sequence[str], *, env: dict[str, str], ready_url: str, cwd: Path | None = None
) -> Iterator[subprocess.Popen]:
    """Start a server in its own process group; yield it once ``ready_url`` answers 200."""
    server = subprocess.Popen(
        list(command),
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {server.returncode}")
            try:
                if fetch(ready_url)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{ready_url} did not answer within 120 s")
            time.sleep(0.25)
        wait_until_idle(server.pid)
        yield server
    finally:
        stop_group(server)


def wait_until_idle(pid: int, *, timeout: float = 60) -> None:
    """Wait until the server's processes stop using CPU: every worker has booted.

    Without this the first worker's answer starts the clock while the second is still
    importing Django, and the first measurement pays for it.
    """
    deadline = time.monotonic() + timeout
    before = _cpu_ticks([pid, *descendants(pid)])
    while time.monotonic() < deadline:
        time.sleep(0.5)
        after = _cpu_ticks([pid, *descendants(pid)])
        if after - before <= 2:  # clock ticks (1/100 s) in half a second
            return
        before = after


def _cpu_ticks(pids: Sequence[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def gunicorn_workers(pid: int) -> list[int]:
    """The gunicorn workers below ``pid``: gunicorn processes whose parent is gunicorn."""
    below = descendants(pid)
    master = [p for p in [pid, *below] if _is_gunicorn(p)]
    masters = [p for p in master if _parent(p) not in master]
    return sorted(p for p in below if _parent(p) in masters and _is_gunicorn(p))


def _is_gunicorn(pid: int) -> bool:
    try:
        return b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def rss_mib(pid: int) -> float:
    """Resident memory of one process (VmRSS), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    kib = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(kib.group(1)) / 1024 if kib else 0.0


def stop_group(process: subprocess.Popen) -> None:
    """Stop a process started with start_new_session=True, and its children."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass
    # gunicorn may outlive the process that started it by its graceful timeout.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def timed_fetch(url: str) -> float:
    """Milliseconds for one whole GET on a new connection (how wrk's sync-worker runs go)."""
    started = time.perf_counter()
    status, _, _ = fetch(url)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise RuntimeError(f"{url} answered {status}, not 200")
    return elapsed


def warm_median(url: str, count: int) -> float:
    for _ in range(3):
        timed_fetch(url)
    return statistics.median(timed_fetch(url) for _ in range(count))


def drive(urls: Sequence[str], *, threads: int, on_error: Callable[[str, int], None]) -> None:
    """GET every URL once, ``threads`` at a time, in order."""
    lock = threading.Lock()
    position = iter(range(len(urls)))

    def work() -> None:
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                return
            try:
                status = fetch(urls[index])[0]
            except OSError:
                status = 0
            if status != 200:
                on_error(urls[index], status)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str, *, name: str, url: str, cache: str = "") -> Load:
    """Read req/s and the latency distribution from ``wrk --latency`` output."""
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    if rps and total and int(total.group(1)) == 0:
        # Nothing answered within the run (every request slower than the duration).
        return Load(name=name, url=url, rps=0.0, p50_ms=0.0, p99_ms=0.0, requests=0, bad=1)
    if not (rps and total and len(percentiles) == 2):
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    # Read errors are the server closing a connection after its answer (gunicorn's sync
    # workers do not keep connections alive); wrk reconnects. Only the others are failures.
    if errors:
        connect, _read, write, timeout = (int(n) for n in errors.groups())
        bad += connect + write + timeout
    return Load(
        name=name,
        url=url,
        rps=float(rps.group(1)),
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        requests=int(total.group(1)),
        bad=bad,
        cache=cache,
    )
