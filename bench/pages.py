#!/usr/bin/env python3
"""Page benchmarks: how fast Masthead serves readers, cached and uncached, at 10,000 articles.

Builds a synthetic corpus in a temporary data folder, serves it with ``masthead serve
--workers 2`` on 127.0.0.1, and drives it with ``wrk`` from a second process:

- throughput (req/s, p50, p99 at --connections) of the article page uncached (page cache
  off) and cached, the home page and the RSS feed (cached), a search (never cached), the
  same article HTML as a file served by nginx (the physical limit) and the article through
  the shipped nginx cache (docs/deploy/nginx.conf);
- latency of one reader at a time (one connection): the uncached article's p50, at
  --small and at --articles articles, to check that its cost does not grow with the archive;
- the SQL queries the article page runs, uncached and from the page cache.

Every request goes to 127.0.0.1 and every load run lasts --duration seconds. The servers
and nginx it starts are stopped on exit. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.deploy.harness import free_port, nginx_binary, running_nginx  # noqa: E402

# Services the embedded defaults replace: the benchmark measures the one-machine setup.
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SEARCH_URL", "MASTHEAD_PAGE_CACHE")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000, help="corpus size (10000)")
    parser.add_argument(
        "--small", type=int, default=1_000, help="size for the scale check (1000; 0 skips it)"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per load run (10)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--search", default="Merrow", help="the search query (Merrow)")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--masthead", default=str(REPO / ".venv" / "bin" / "masthead"))
    args = parser.parse_args()
    if not 0 <= args.small < args.articles:
        parser.error("--small must be at least 0 and below --articles")
    if args.duration < 1 or args.duration > 120:
        parser.error("--duration must be between 1 and 120 seconds")
    if not Path(args.masthead).exists():
        parser.error(f"no masthead command at {args.masthead}: run `make install` first")
    ensure_tools()

    workdir = Path(tempfile.mkdtemp(prefix="masthead-bench-"))
    try:
        run(args, workdir)
    finally:
        if args.keep:
            print(f"\nKept: the data folder {workdir / 'data'}, wrk's reports {workdir / 'wrk'}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env |= {
        "MASTHEAD_DATA_DIR": str(workdir / "data"),
        "MASTHEAD_ENV": "development",
        "MASTHEAD_DEBUG": "false",
        "MASTHEAD_LOG_LEVEL": "ERROR",
    }
    bench = Bench(args, env, workdir / "wrk")
    scale: dict[int, Load] = {}
    queries: dict[int, dict] = {}

    first = args.small or args.articles
    bench.build(first)
    info = bench.corpus_info(article="")
    article = info["article"]
    if args.small:
        queries[args.small] = info["queries"]
        with bench.serve(cache=False) as base:
            scale[args.small] = bench.latency("article, uncached", base + article)
        bench.build(args.articles - args.small)
        info = bench.corpus_info(article=article)
    queries[args.articles] = info["queries"]

    loads: list[Load] = []
    with bench.serve(cache=False) as base:
        scale[args.articles] = bench.latency("article, uncached", base + article)
        loads.append(bench.load("article, uncached (cache off)", base + article))
    with bench.serve(cache=True) as base:
        loads.append(bench.load("article, cached", base + article))
        loads.append(bench.load("home, cached", base + info["home"]))
        loads.append(bench.load("RSS feed, cached", base + info["feed"]))
        loads.append(bench.load("search (never cached)", base + info["search"]))
        search_one = bench.latency("search", base + info["search"])
        html = fetch(base + article)[2]
        static = workdir / "nginx-static"
        (static / "bench").mkdir(parents=True)
        (static / "bench" / "article.html").write_bytes(html)
        with running_nginx(
            workdir / "nginx",
            upstream=base.removeprefix("http://"),
            static_root=static,
            media_root=workdir / "data" / "media",
            workers=args.workers,
        ) as port:
            proxy = f"http://127.0.0.1:{port}"
            loads.append(bench.load("static file (nginx)", f"{proxy}/static/bench/article.html"))
            loads.append(bench.load("article via nginx cache", proxy + article))

    report(args, loads, scale, queries, info, search_one)


class Bench:
    def __init__(self, args: argparse.Namespace, env: dict[str, str], outputs: Path) -> None:
        self.args = args
        self.env = env
        self.outputs = outputs  # wrk's own reports, one file per run (kept with --keep)
        outputs.mkdir(parents=True, exist_ok=True)

    def masthead(self, *command: str, cache: bool = False, timeout: int = 300) -> str:
        """Run a masthead command to completion; its output, or exit with its errors."""
        env = self.env | {"MASTHEAD_PAGE_CACHE": "on" if cache else "off"}
        result = subprocess.run(
            [self.args.masthead, *command],
            env=env,
            text=True,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            sys.exit(f"bench: masthead {command[0]} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def build(self, count: int) -> None:
        started = time.monotonic()
        print(f"Building the corpus: +{count} synthetic articles...", flush=True)
        self.masthead("demo", "--articles", str(count), timeout=1800)
        # The manifest static storage needs it before any page renders (serve does it too).
        self.masthead("manage", "collectstatic", "--noinput", "--verbosity", "0")
        print(f"  done in {time.monotonic() - started:.0f} s", flush=True)

    def corpus_info(self, *, article: str) -> dict:
        """URLs to measure and the article's query counts, from a Django shell."""
        code = CORPUS_INFO.replace("__ARTICLE__", json.dumps(article)).replace(
            "__SEARCH__", json.dumps(self.args.search)
        )
        output = self.masthead("manage", "shell", "-c", code)
        line = next(x for x in output.splitlines() if x.startswith("BENCH "))
        return json.loads(line.removeprefix("BENCH "))

    @contextmanager
    def serve(self, *, cache: bool) -> Iterator[str]:
        port = free_port()
        env = self.env | {"MASTHEAD_PAGE_CACHE": "on" if cache else "off"}
        command = [self.args.masthead, "serve", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(self.args.workers)]
        # Its own process group, so gunicorn and its workers stop with it.
        server = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"masthead serve exited with {server.returncode}")
                try:
                    if fetch(base + "/robots.txt")[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError("masthead serve did not answer within 120 s")
                time.sleep(0.25)
            yield base
        finally:
            stop_group(server)

    def load(self, name: str, url: str) -> Load:
        return self._wrk(name, url, self.args.threads, self.args.connections)

    def latency(self, name: str, url: str) -> Load:
        return self._wrk(name, url, 1, 1)

    def _wrk(self, name: str, url: str, threads: int, connections: int) -> Load:
        status, _, _ = fetch(url)  # the first request also fills the caches on the way
        if status != 200:
            raise RuntimeError(f"{url} answered {status}, not 200")
        headers = fetch(url)[1]
        print(f"  {name} ({threads} thread(s), {connections} connection(s))...", flush=True)
        # A short unrecorded run first: freshly forked workers, cold OS and SQLite caches.
        self._run_wrk(url, threads, connections, WARM_UP_SECONDS)
        output = self._run_wrk(url, threads, connections, self.args.duration)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{name} c{connections}".lower()).strip("-")
        (self.outputs / f"{len(list(self.outputs.iterdir())):02d}-{slug}.txt").write_text(output)
        cache = headers.get("X-Cache-Status") or headers.get("X-Cache") or ""
        return parse_wrk(output, name=name, url=url, cache=cache)

    @staticmethod
    def _run_wrk(url: str, threads: int, connections: int, seconds: int) -> str:
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", *WRK_FLAGS, url]
        result = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        )
        return result.stdout


WRK_FLAGS = ("--latency", "--timeout", "10s")
WARM_UP_SECONDS = 2

CORPUS_INFO = """
import json
from urllib.parse import urlencode
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from masthead.newsroom.models import ArticlePage

article = __ARTICLE__
if not article:
    page = ArticlePage.objects.live().filter(locale__language_code="en").order_by("-pk").first()
    article = page.get_url_parts()[2]
with translation.override("en"):
    feed = reverse("discovery:feed_rss")
    search = reverse("discovery:search") + "?" + urlencode({"q": __SEARCH__})
client = Client(HTTP_HOST="127.0.0.1")

def count(url, cached):
    with override_settings(PAGE_CACHE_ENABLED=cached):
        first = client.get(url)
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url)
    assert first.status_code == again.status_code == 200, (url, again.status_code)
    return {"again": len(queries), "x_cache": again.get("X-Cache", "")}

with CaptureQueriesContext(connection) as cold:
    assert client.get(article).status_code == 200
print("BENCH " + json.dumps({
    "article": article,
    "home": "/en/",
    "feed": feed,
    "search": search,
    "articles": ArticlePage.objects.live().count(),
    "queries": {
        "article_cold": len(cold),
        "article": count(article, False)["again"],
        "article_cached": count(article, True),
        "home": count("/en/", False)["again"],
        "feed": count(feed, False)["again"],
        "search": count(search, False)["again"],
    },
}))
"""


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
    # gunicorn may outlive the `masthead serve` process by its graceful timeout.
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
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


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
        # Nothing answered within the run (every request slower than --duration).
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


def report(
    args: argparse.Namespace,
    loads: list[Load],
    scale: dict[int, Load],
    queries: dict[int, dict],
    info: dict,
    search_one: Load,
) -> None:
    by_name = {load.name: load for load in loads}
    static = by_name["static file (nginx)"]
    print()
    print(
        f"Masthead page benchmark, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC: "
        f"{info['articles']} live articles, SQLite, {args.workers} gunicorn workers, "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {os.cpu_count()} CPUs"
    )
    load1, load5, _ = os.getloadavg()
    print(f"article: {info['article']}")
    print(f"load average at the end: {load1:.2f} (1 min), {load5:.2f} (5 min)\n")
    header = (
        f"{'case':<32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x static':>9}  cache  errors"
    )
    print(header)
    print("-" * len(header))
    for load in loads:
        if not load.requests:
            print(f"{load.name:<32} no request answered within {args.duration} s")
            continue
        print(
            f"{load.name:<32} {load.rps:>9.1f} {load.p50_ms:>8.2f} {load.p99_ms:>8.2f} "
            f"{load.rps / static.rps:>9.4f}  {load.cache or '-':<5}  {load.bad}"
        )

    print("\nOne reader at a time (wrk -t1 -c1): uncached article")
    for size, load in sorted(scale.items()):
        print(
            f"  {size:>6} articles: p50 {load.p50_ms:.2f} ms, p99 {load.p99_ms:.2f} ms, "
            f"{load.rps:.0f} req/s"
        )

    print(
        f"  search ?{info['search'].split('?')[1]}, {args.articles} articles: "
        f"p50 {search_one.p50_ms:.2f} ms, p99 {search_one.p99_ms:.2f} ms, {search_one.rps:.1f} req/s"
    )

    print("\nSQL queries per request (second request, page cache off unless noted)")
    for size, counts in sorted(queries.items()):
        cached = counts["article_cached"]
        print(
            f"  {size:>6} articles: article {counts['article']} (first after start "
            f"{counts['article_cold']}), article from page cache {cached['again']} "
            f"[{cached['x_cache'] or 'no X-Cache'}], home {counts['home']}, "
            f"feed {counts['feed']}, search {counts['search']}"
        )

    uncached = by_name["article, uncached (cache off)"]
    cached = by_name["article, cached"]
    proxied = by_name["article via nginx cache"]
    big = scale[args.articles]
    checks = [
        (
            "cached article >= 10x uncached (req/s)",
            f"{cached.rps / max(uncached.rps, 0.1):.1f}x",
            cached.rps >= 10 * uncached.rps,
        ),
        (
            "article via nginx cache >= 70% of static (req/s)",
            f"{100 * proxied.rps / static.rps:.0f}%",
            proxied.rps >= 0.7 * static.rps,
        ),
        (
            "uncached article p50 < 25 ms (one reader)",
            f"{big.p50_ms:.1f} ms",
            big.p50_ms < 25,
        ),
    ]
    if args.small:
        ratio = big.p50_ms / scale[args.small].p50_ms
        label = f"uncached article p50, {args.articles} / {args.small} articles <= 1.2"
        checks.append((label, f"{ratio:.2f}", ratio <= 1.2))
    counts = [queries[size]["article"] for size in sorted(queries)]
    checks.append(
        (
            "article queries bounded (same at every size)",
            " / ".join(str(n) for n in counts),
            len(set(counts)) == 1,
        )
    )
    failed = [x.name for x in [*loads, *scale.values(), search_one] if x.bad]
    checks.append(("no failed or unanswered requests", ", ".join(failed) or "none", not failed))
    print("\nTargets")
    for label, value, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}: {value}")


def ensure_tools() -> None:
    """wrk and nginx from Debian's packages, installed when missing (root only)."""
    missing = [
        package
        for package, present in (("wrk", shutil.which("wrk")), ("nginx", nginx_binary()))
        if not present
    ]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"bench: install {' '.join(missing)} first (apt-get install {' '.join(missing)})")
    print(f"Installing {' '.join(missing)}...", flush=True)
    install = ["apt-get", "install", "-y", "-qq", *missing]
    if subprocess.run(install, check=False, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(install, check=True)


if __name__ == "__main__":
    main()
