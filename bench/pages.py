#!/usr/bin/env python3
"""Page benchmark (issue 10): Masthead's uncached pages beside a bare Wagtail page, in one run.

Builds, in a temporary folder: the demo publication with --small synthetic articles, then a
throwaway ``wagtail start`` project whose page shows the demo flagship interview's body
(``bench/pages_bare.py``), served by gunicorn with the flags of ``masthead serve``. Then,
with Masthead served by ``masthead serve --workers 2`` and the page cache off, every figure
beside the bare page measured in the same run:

- serial p50 (``wrk -t1 -c1``) of the flagship interview, home, a section, a topic and a
  contributor page, as ratios to the bare article page;
- throughput at 16 connections (``wrk -t2 -c16``), flagship vs bare;
- the first render after a publish (Wagtail's publish path, in a ``masthead manage shell``)
  vs a warm render, for the flagship and home;
- SQL queries per page;
- scale: the flagship's serial p50 at --articles vs at --small articles (the corpus is
  grown in place, so it is the same page);
- memory: RSS of each gunicorn worker after 1,000 and after --mixed mixed requests;
- the corpus's build time (``masthead demo --articles``).

With the page cache on, the old figures follow (cached article and home, the article
through the shipped nginx cache; ``--no-cached`` skips them). Every request goes to
127.0.0.1; servers are stopped on exit. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from bench.pages_bare import BareProject  # noqa: E402
from bench.pages_http import (  # noqa: E402
    Load,
    Wrk,
    drive,
    fetch,
    gunicorn_workers,
    rss_mib,
    running,
    timed_fetch,
    warm_median,
)
from tests.deploy.harness import free_port, nginx_binary, running_nginx  # noqa: E402

# Services the embedded defaults replace: the benchmark measures the one-machine setup.
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SEARCH_URL", "MASTHEAD_PAGE_CACHE")
PAGES = ("article", "home", "section", "topic", "contributor")
TARGETS = {"article": 1.5, "home": 2.0, "section": 2.0, "topic": 2.0, "contributor": 2.0}
FIRST_MEMORY_CHECK = 1000


@dataclass
class Results:
    builds: list[tuple[str, float]] = field(default_factory=list)
    serial: dict[str, Load] = field(default_factory=dict)
    bare: list[Load] = field(default_factory=list)  # the bare article, serial, every time
    bare_listing: Load | None = None
    small: tuple[Load, Load] | None = None  # (flagship, bare) at --small articles
    throughput: Load | None = None
    bare_throughput: list[Load] = field(default_factory=list)
    publish: dict[str, tuple[float, list[float]]] = field(default_factory=dict)
    memory: dict[int, list[float]] = field(default_factory=dict)  # pid: [start, first, last]
    mixed_errors: list[tuple[str, int]] = field(default_factory=list)
    cached: list[Load] = field(default_factory=list)
    info: dict = field(default_factory=dict)
    small_queries: dict = field(default_factory=dict)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small, short run (~6 minutes)")
    parser.add_argument("--articles", type=int, help="corpus size (100000; --quick 3000)")
    parser.add_argument("--small", type=int, help="size for the scale check (1000)")
    parser.add_argument("--duration", type=int, help="seconds per wrk run (10; --quick 3)")
    parser.add_argument(
        "--mixed", type=int, help="mixed requests for memory (20000; --quick 2000)"
    )
    parser.add_argument("--publishes", type=int, help="publishes per page timed (6; --quick 3)")
    parser.add_argument("--no-cached", action="store_true", help="skip the page-cache figures")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads under load (2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--search", default="Merrow", help="the search query (Merrow)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--masthead", default=str(REPO / ".venv" / "bin" / "masthead"))
    parser.add_argument("--save", type=Path, help="also write the figures to this file (pickle)")
    parser.add_argument("--report", type=Path, help="only print the report of a --save file")
    args = parser.parse_args()
    if args.report:
        saved_args, saved = pickle.loads(args.report.read_bytes())  # our own file
        report(saved_args, saved)
        return
    quick = args.quick
    defaults = {
        "articles": 3000 if quick else 100_000,
        "small": 1000,
        "duration": 3 if quick else 10,
        "mixed": 2000 if quick else 20_000,
        "publishes": 3 if quick else 6,
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.cached = not (args.no_cached or quick)
    if not 1 <= args.small < args.articles:
        parser.error("--small must be at least 1 and below --articles")
    if not 1 <= args.duration <= 120:
        parser.error("--duration must be between 1 and 120 seconds")
    if args.mixed <= FIRST_MEMORY_CHECK:
        parser.error(f"--mixed must be above {FIRST_MEMORY_CHECK}")
    if args.publishes < 1:
        parser.error("--publishes must be at least 1")
    if not Path(args.masthead).exists():
        parser.error(f"no masthead command at {args.masthead}: run `make install` first")
    ensure_tools()

    workdir = Path(tempfile.mkdtemp(prefix="masthead-bench-"))
    try:
        results = run(args, workdir)
        if args.save:
            args.save.write_bytes(pickle.dumps((args, results)))
        report(args, results)
    finally:
        if args.keep:
            print(f"\nKept: {workdir} (data/, bare/, wrk/ with wrk's reports)")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> Results:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env |= {
        "MASTHEAD_DATA_DIR": str(workdir / "data"),
        "MASTHEAD_ENV": "development",
        "MASTHEAD_DEBUG": "false",
        "MASTHEAD_LOG_LEVEL": "ERROR",
    }
    masthead = Masthead(args, env)
    results = Results()
    wrk = Wrk(workdir / "wrk", args.duration)

    def serial(name: str, url: str) -> Load:
        return wrk.run(name, url, 1, 1)

    results.builds.append(masthead.build(args.small, first=True))
    info = masthead.info()
    results.small_queries = info["queries"]
    print("Building the bare Wagtail project...", flush=True)
    started = time.monotonic()
    bare = BareProject(workdir / "bare", Path(sys.executable))
    bare.build(info["flagship"])
    print(f"  done in {time.monotonic() - started:.0f} s", flush=True)

    bare_port = free_port()
    bare_base = f"http://127.0.0.1:{bare_port}"
    with running(
        bare.command(f"127.0.0.1:{bare_port}", args.workers),
        env=bare.env,
        cwd=bare.folder,
        ready_url=bare_base + bare.article,
    ):
        bare_article = bare_base + bare.article
        print(f"At {args.small} articles, page cache off:", flush=True)
        with masthead.serve(cache=False) as (base, _server):
            small_bare = serial("bare article", bare_article)
            small_article = serial("article", base + info["urls"]["article"])
            results.small = (small_article, small_bare)

        results.builds.append(masthead.build(args.articles - args.small))
        info = masthead.info()
        results.info = info
        urls = info["urls"]

        print(f"At {info['articles']} articles, page cache off:", flush=True)
        with masthead.serve(cache=False) as (base, server):
            results.bare.append(serial("bare article", bare_article))
            results.bare_listing = serial("bare listing", bare_base + bare.listing)
            for page in PAGES:
                results.serial[page] = serial(page, base + urls[page])
            results.bare.append(serial("bare article", bare_article))

            results.bare_throughput.append(
                wrk.run("bare article", bare_article, args.threads, args.connections)
            )
            results.throughput = wrk.run(
                "article", base + urls["article"], args.threads, args.connections
            )
            results.bare_throughput.append(
                wrk.run("bare article", bare_article, args.threads, args.connections)
            )

            results.publish = masthead.publish_timings(
                {"article": base + urls["article"], "home": base + urls["home"]}
            )
            results.memory, results.mixed_errors = mixed_memory(args, base, info, server)

    if args.cached:
        results.cached = cached_figures(args, masthead, wrk, info, workdir)
    return results


class Masthead:
    """The ``masthead`` command against the bench's data folder."""

    def __init__(self, args: argparse.Namespace, env: dict[str, str]) -> None:
        self.args = args
        self.env = env

    def command(self, *command: str, cache: bool = False, timeout: int = 300) -> str:
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

    def build(self, count: int, *, first: bool = False) -> tuple[str, float]:
        """``masthead demo --articles count``: (what, seconds the synthetic articles took)."""
        print(f"Building the corpus: +{count} synthetic articles...", flush=True)
        started = time.monotonic()
        output = self.command("demo", "--articles", str(count), timeout=3600)
        total = time.monotonic() - started
        # load_demo prints "Generated N synthetic articles in S s."
        line = next(x for x in output.splitlines() if x.startswith("Generated "))
        seconds = float(line.rsplit(" in ", 1)[1].removesuffix(" s."))
        what = f"{'demo publication + ' if first else ''}{count} articles"
        print(f"  {what}: {total:.0f} s in all, {seconds:.1f} s for the articles", flush=True)
        self.make_renditions()
        return what, seconds

    def make_renditions(self) -> None:
        """What the publish tasks do in production (pages_probe.py ``renditions``):
        renditions, then related lists."""
        started = time.monotonic()
        result = subprocess.run(
            self.probe(),
            env=self.env | {"BENCH_PROBE": "renditions"},
            text=True,
            capture_output=True,
            timeout=3600,
            check=False,
        )
        if result.returncode != 0:
            sys.exit(f"bench: the renditions probe failed:\n{result.stderr[-3000:]}")
        related = next(x for x in result.stdout.splitlines() if x.startswith("RELATED "))
        print(
            f"  renditions and related lists made in {time.monotonic() - started:.0f} s "
            f"(rebuild_related: {float(related.split()[1]):.0f} s)",
            flush=True,
        )

    def probe(self) -> list[str]:
        runner = (
            f"import runpy; runpy.run_path({str(BENCH / 'pages_probe.py')!r}, run_name='__main__')"
        )
        return [self.args.masthead, "manage", "shell", "-c", runner]

    def info(self) -> dict:
        env = self.env | {"BENCH_PROBE": "info", "BENCH_SEARCH": self.args.search}
        result = subprocess.run(
            self.probe(), env=env, text=True, capture_output=True, timeout=900, check=False
        )
        if result.returncode != 0:
            sys.exit(f"bench: the info probe failed:\n{result.stderr[-3000:]}")
        line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH "))
        return json.loads(line.removeprefix("BENCH "))

    @contextmanager
    def serve(self, *, cache: bool) -> Iterator[tuple[str, subprocess.Popen]]:
        port = free_port()
        env = self.env | {"MASTHEAD_PAGE_CACHE": "on" if cache else "off"}
        command = [self.args.masthead, "serve", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(self.args.workers)]
        base = f"http://127.0.0.1:{port}"
        with running(command, env=env, ready_url=base + "/robots.txt") as server:
            yield base, server

    def publish_timings(self, urls: dict[str, str]) -> dict[str, tuple[float, list[float]]]:
        """Per page: (warm median ms, [ms of the first request after each publish])."""
        print("  first render after a publish...", flush=True)
        env = self.env | {"BENCH_PROBE": "publish", "MASTHEAD_PAGE_CACHE": "off"}
        probe = subprocess.Popen(
            self.probe(),
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            self._expect(probe, "READY")
            warm = {name: warm_median(url, 15) for name, url in urls.items()}
            firsts: dict[str, list[float]] = {name: [] for name in urls}
            for _ in range(self.args.publishes):
                # One publish per timed page: the second page's first render must not
                # find the caches the first one refilled.
                for name, url in urls.items():
                    probe.stdin.write("publish\n")
                    probe.stdin.flush()
                    self._expect(probe, "PUBLISHED")
                    firsts[name].append(timed_fetch(url))
        finally:
            probe.stdin.close()
            probe.wait(timeout=60)
        for name in urls:
            print(
                f"    {name}: warm {warm[name]:.1f} ms, first after a publish "
                + ", ".join(f"{x:.0f}" for x in firsts[name])
                + " ms",
                flush=True,
            )
        return {name: (warm[name], firsts[name]) for name in urls}

    @staticmethod
    def _expect(probe: subprocess.Popen, word: str) -> None:
        for line in probe.stdout:
            if line.startswith(word):
                return
        raise RuntimeError(f"the publish probe stopped before {word}")


def mixed_memory(
    args: argparse.Namespace, base: str, info: dict, server: subprocess.Popen
) -> tuple[dict[int, list[float]], list[tuple[str, int]]]:
    """RSS of each worker at start, after 1,000 and after --mixed mixed requests.

    Four in five requests are articles drawn from a sample spread over the whole archive,
    the fifth a listing (home, a section, the busiest topic and contributor, the feed).
    """
    workers = gunicorn_workers(server.pid)
    memory = {pid: [rss_mib(pid)] for pid in workers}
    listings = [*info["listings"], *(info["urls"][k] for k in ("topic", "contributor", "feed"))]
    rng = random.Random(10)
    urls = [
        base + (rng.choice(info["sample"]) if rng.random() < 0.8 else rng.choice(listings))
        for _ in range(args.mixed)
    ]
    errors: list[tuple[str, int]] = []
    print(f"  {args.mixed} mixed requests, 4 at a time...", flush=True)
    # Checkpoints printed as they come, so a run stopped early still tells something.
    checks = sorted({FIRST_MEMORY_CHECK, *range(5000, args.mixed, 5000), args.mixed})
    started, done = time.monotonic(), 0
    for check in checks:
        drive(
            urls[done:check], threads=4, on_error=lambda url, status: errors.append((url, status))
        )
        done = check
        sizes = [rss_mib(pid) for pid in workers]
        if check in (FIRST_MEMORY_CHECK, args.mixed):
            for pid, size in zip(workers, sizes, strict=True):
                memory[pid].append(size)
        print(
            f"    after {check}: RSS "
            + ", ".join(f"{size:.1f}" for size in sizes)
            + f" MiB ({check / (time.monotonic() - started):.1f} req/s, {len(errors)} failed)",
            flush=True,
        )
    if gunicorn_workers(server.pid) != workers:
        errors.append(("a gunicorn worker was replaced during the run", 0))
    return memory, errors


def cached_figures(
    args: argparse.Namespace, masthead: Masthead, wrk: Wrk, info: dict, workdir: Path
) -> list[Load]:
    """The page cache's figures (issue 3): cached pages and the shipped nginx cache."""
    print("Page cache on:", flush=True)
    loads = []
    article = info["urls"]["article"]
    with masthead.serve(cache=True) as (base, _server):
        loads.append(wrk.run("article, cached", base + article, args.threads, args.connections))
        loads.append(
            wrk.run("home, cached", base + info["urls"]["home"], args.threads, args.connections)
        )
        static = workdir / "nginx-static"
        (static / "bench").mkdir(parents=True)
        (static / "bench" / "article.html").write_bytes(fetch(base + article)[2])
        with running_nginx(
            workdir / "nginx",
            upstream=base.removeprefix("http://"),
            static_root=static,
            media_root=workdir / "data" / "media",
            workers=args.workers,
        ) as port:
            proxy = f"http://127.0.0.1:{port}"
            loads.append(
                wrk.run(
                    "static file (nginx)",
                    f"{proxy}/static/bench/article.html",
                    args.threads,
                    args.connections,
                )
            )
            loads.append(
                wrk.run("article via nginx cache", proxy + article, args.threads, args.connections)
            )
    return loads


def report(args: argparse.Namespace, r: Results) -> None:
    info = r.info
    checks: list[tuple[str, str, bool]] = []
    bare = min(r.bare, key=lambda load: load.p50_ms)  # the better bare run counts
    print()
    print(
        f"Masthead page benchmark (issue 10), {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} "
        f"UTC: {info['articles']} live English articles, SQLite, {args.workers} gunicorn "
        f"workers, {os.cpu_count()} CPUs"
    )
    load1, load5, _ = os.getloadavg()
    print(f"load average at the end: {load1:.2f} (1 min), {load5:.2f} (5 min)")
    print(f"flagship: {info['urls']['article']}")
    bare_runs = ", ".join(f"{load.p50_ms:.2f}" for load in r.bare)
    print(f"bare Wagtail article p50: {bare_runs} ms (the better counts)\n")

    header = f"{'page cache off, wrk -t1 -c1':<30} {'p50 ms':>8} {'p99 ms':>8} {'x bare':>7} {'target':>7} {'SQL':>4}"
    print(header)
    print("-" * len(header))
    print(f"{'bare Wagtail article':<30} {bare.p50_ms:>8.2f} {bare.p99_ms:>8.2f} {1:>7.2f}")
    listing = r.bare_listing
    print(
        f"{'bare Wagtail listing (20)':<30} {listing.p50_ms:>8.2f} {listing.p99_ms:>8.2f} "
        f"{listing.p50_ms / bare.p50_ms:>7.2f}"
    )
    for page in PAGES:
        load = r.serial[page]
        ratio = load.p50_ms / bare.p50_ms
        target = TARGETS[page]
        print(
            f"{page + ' ' + info['urls'][page]:<30.30} {load.p50_ms:>8.2f} {load.p99_ms:>8.2f} "
            f"{ratio:>7.2f} {'<= ' + str(target):>7} {info['queries'][page]:>4}"
        )
        if not load.requests:  # not one answer within the run: slower than --duration
            checks.append((f"{page} serial p50 <= {target}x bare", "no answer", False))
            continue
        checks.append((f"{page} serial p50 <= {target}x bare", f"{ratio:.2f}x", ratio <= target))
    print(
        "(listing pages beside the bare listing: "
        + ", ".join(f"{page} {r.serial[page].p50_ms / listing.p50_ms:.2f}x" for page in PAGES[1:])
        + ")"
    )

    best_bare = max(r.bare_throughput, key=lambda load: load.rps)
    share = r.throughput.rps / best_bare.rps
    print(
        f"\nThroughput, wrk -t{args.threads} -c{args.connections}: article {r.throughput.rps:.1f} "
        f"req/s (p50 {r.throughput.p50_ms:.1f} ms), bare "
        + " / ".join(f"{load.rps:.1f}" for load in r.bare_throughput)
        + f" req/s (the better counts): {100 * share:.0f} %"
    )
    checks.append(("article throughput >= 75% of bare", f"{100 * share:.0f}%", share >= 0.75))

    print("\nFirst render after a publish (new article in the flagship's section), one request:")
    for page, (warm, firsts) in r.publish.items():
        first = statistics.median(firsts)
        ratio = first / warm
        print(
            f"  {page}: warm median {warm:.1f} ms; first after publish "
            + ", ".join(f"{x:.0f}" for x in firsts)
            + f" ms, median {first:.1f} ms = {ratio:.2f}x"
        )
        checks.append(
            (f"{page}: first render after publish <= 2x warm", f"{ratio:.2f}x", ratio <= 2)
        )

    print("\nSQL queries per request (page cache off, second request):")
    for label, queries in ((args.small, r.small_queries), (info["articles"], info["queries"])):
        print(f"  {label:>6} articles: " + ", ".join(f"{k} {v}" for k, v in queries.items()))
    checks.append(
        (
            "article SQL queries <= 8",
            str(info["queries"]["article"]),
            info["queries"]["article"] <= 8,
        )
    )

    small_article, small_bare = r.small
    big = r.serial["article"]
    scale = big.p50_ms / small_article.p50_ms
    bare_scale = bare.p50_ms / small_bare.p50_ms
    print(
        f"\nScale, flagship serial p50: {small_article.p50_ms:.2f} ms at {args.small} articles "
        f"(bare {small_bare.p50_ms:.2f}), {big.p50_ms:.2f} ms at {info['articles']} (bare "
        f"{bare.p50_ms:.2f}): {scale:.2f}x (the bare page moved {bare_scale:.2f}x meanwhile)"
    )
    checks.append(
        (
            f"article p50 at {info['articles']} <= 1.2x at {args.small}",
            f"{scale:.2f}x",
            scale <= 1.2,
        )
    )

    print(f"\nMemory, RSS of each gunicorn worker (MiB) over {args.mixed} mixed requests:")
    for pid, (start, first, last) in r.memory.items():
        growth = last / first - 1
        print(
            f"  worker {pid}: {start:.1f} at start, {first:.1f} after {FIRST_MEMORY_CHECK}, "
            f"{last:.1f} after {args.mixed}: {100 * growth:+.1f} %"
        )
        checks.append(
            (
                f"worker RSS after {args.mixed} within 10% of after {FIRST_MEMORY_CHECK}",
                f"{100 * growth:+.1f}%",
                abs(growth) <= 0.10,
            )
        )
    if r.mixed_errors:
        print(f"  {len(r.mixed_errors)} failed, e.g. {r.mixed_errors[:3]}")
    checks.append(
        ("mixed requests all answered 200", str(len(r.mixed_errors)), not r.mixed_errors)
    )

    print("\nBuild (`masthead demo --articles N`, the synthetic articles only):")
    for what, seconds in r.builds:
        count = int(what.split()[-2])
        print(f"  {what}: {seconds:.1f} s, {count / seconds:.0f} articles/s")

    if r.cached:
        static = next(x for x in r.cached if x.name == "static file (nginx)")
        print(f"\nPage cache on, wrk -t{args.threads} -c{args.connections}:")
        for load in r.cached:
            print(
                f"  {load.name:<26} {load.rps:>9.1f} req/s  p50 {load.p50_ms:>6.2f} ms  "
                f"x static {load.rps / static.rps:.3f}  {load.cache or '-'}"
            )

    everything = [
        *r.serial.values(),
        *r.bare,
        r.bare_listing,
        r.throughput,
        *r.bare_throughput,
        *r.cached,
    ]
    failed = [load.name for load in everything if load.bad]
    checks.append(
        ("no failed or unanswered wrk requests", ", ".join(failed) or "none", not failed)
    )
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
