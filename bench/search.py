#!/usr/bin/env python3
"""Search benchmark (issue 12 §2): 200 queries from the corpus's own words, over HTTP.

Builds, in a temporary folder (or reuses ``--data-dir``), the demo publication with
``--articles N`` synthetic articles (``masthead demo``; ``--postgres URL`` builds it in that
PostgreSQL database instead of SQLite), then:

1. draws ``--queries`` (200) queries from the indexed text itself: one, two or three
   neighbouring words of a random article (headline, standfirst or body), a quarter of them
   with accents removed and some lower-cased, so every query has at least one answer;
2. in-process (``masthead manage shell``), times the engine alone on every query, and the
   old path (Wagtail's database backend, newest first) on the first ``--baseline`` of them:
   the ratio is the one comparison made in the same run;
3. serves it with ``masthead serve --workers W`` (gunicorn, page cache on, rate limit off)
   and times ``/en/search/?q=…``: serially, each query once (everything made stale first,
   as a publish does: every answer comes from the engine, every result is drawn); then with
   16 concurrent clients after a restart and the same again (uncached), every query once
   more, spread over the clients; then the same again with the results cache warm.

Prints p50/p95 per phase and the targets (serial p95 < 50 ms, 16 concurrent p95 < 500 ms).
Never asserts on time. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from bench.pages_http import fetch, running, timed_fetch  # noqa: E402
from tests.deploy.harness import free_port  # noqa: E402

SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SEARCH_URL", "MASTHEAD_PAGE_CACHE")
CONCURRENCY = 16
TARGET_SERIAL_P95_MS = 50
TARGET_CONCURRENT_P95_MS = 500

# Run inside ``masthead manage shell``: draws the queries, times the engines in-process.
PROBE = r"""
import json, os, random, re, statistics, time, unicodedata
from masthead.discovery import search, search_engines
from masthead.discovery.models import SearchDocument
from masthead.newsroom.queries import published_articles

rng = random.Random(int(os.environ["BENCH_SEED"]))
count = int(os.environ["BENCH_QUERIES"])
baseline = int(os.environ["BENCH_BASELINE"])
ids = list(SearchDocument.objects.filter(language="en").values_list("article_id", flat=True))
word = re.compile(r"\w{3,}")

def strip(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

# Articles with accented words (names, places), for the queries typed without accents.
sample = SearchDocument.objects.filter(pk__in=rng.sample(ids, min(len(ids), 3000)))
accented = [d.pk for d in sample if any(w != strip(w) for w in word.findall(d.body))]

queries = []
stripped = 0
while len(queries) < count:
    unaccent = accented and rng.random() < 0.25
    doc = SearchDocument.objects.get(pk=rng.choice(accented if unaccent else ids))
    field = doc.body if unaccent else rng.choice([doc.headline, doc.standfirst, doc.body, doc.body])
    words = word.findall(field)
    size = rng.choice([1, 2, 3])
    if len(words) < size:
        continue
    if unaccent:
        # A window that holds an accented word, typed without its accents.
        at = rng.choice([i for i, w in enumerate(words) if w != strip(w)])
        start = max(0, min(at - rng.randrange(size), len(words) - size))
    else:
        start = rng.randrange(len(words) - size + 1)
    query = " ".join(words[start : start + size])
    if unaccent:
        query = strip(query)
        stripped += 1
    if rng.random() < 0.3:
        query = query.lower()
    queries.append(query)

engine = search_engines.current()
def engine_ms(query):
    wanted = search_engines.Query(terms=search.folded_terms(query), languages=("en",))
    started = time.perf_counter()
    hits = engine.search(wanted)
    return (time.perf_counter() - started) * 1000, hits.total

timed = [engine_ms(q) for q in queries]
old = []
from wagtail.models import Locale
en = Locale.objects.get(language_code="en")
for query in queries[:baseline]:
    started = time.perf_counter()
    results = published_articles(locale=en).search(
        " ".join(search.search_terms(query)), operator="and", order_by_relevance=False
    )
    list(results[:10]); results.count()
    old.append((time.perf_counter() - started) * 1000)
print("BENCH " + json.dumps({
    "queries": queries,
    "engine": engine.__name__.rsplit(".", 1)[1],
    "engine_ms": [t for t, _ in timed],
    "totals": [n for _, n in timed],
    "old_ms": old,
    "articles": published_articles().count(),
    "stripped": stripped,
}))
"""


FORGET = "from masthead.lib import pagecache; pagecache.invalidate_all()"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 0.5):7.1f} ms  p95 {percentile(values, 0.95):7.1f} ms  "
        f"max {max(values):7.1f} ms  (n={len(values)})"
    )


class Masthead:
    def __init__(self, args: argparse.Namespace, env: dict[str, str]) -> None:
        self.args, self.env = args, env

    def run(self, *command: str, extra: dict[str, str] | None = None, timeout: int = 7200) -> str:
        result = subprocess.run(
            [self.args.masthead, *command],
            env=self.env | (extra or {}),
            text=True,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            sys.exit(f"bench: masthead {command[0]} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def serve(self):  # noqa: ANN201
        port = free_port()
        command = [self.args.masthead, "serve", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(self.args.workers)]
        base = f"http://127.0.0.1:{port}"
        return base, running(command, env=self.env, ready_url=base + "/robots.txt")


def url_of(base: str, query: str) -> str:
    return f"{base}/en/search/?{urllib.parse.urlencode({'q': query})}"


def concurrent(urls: list[str]) -> tuple[list[float], int, float]:
    """Every URL once, 16 at a time: (latencies ms, bad answers, requests per second)."""
    bad = 0

    def one(url: str) -> float:
        nonlocal bad
        started = time.perf_counter()
        status, _, _ = fetch(url)
        if status != 200:
            bad += 1
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        times = list(pool.map(one, urls))
    return times, bad, len(urls) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000, help="synthetic articles")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--baseline", type=int, default=20, help="queries timed on the old path")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--postgres", help="build and serve on this PostgreSQL database URL")
    parser.add_argument("--data-dir", help="reuse this data folder (already built)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--masthead", default=str(REPO / ".venv" / "bin" / "masthead"))
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="masthead-bench-search-"))
    data = Path(args.data_dir) if args.data_dir else workdir / "data"
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env |= {
        "MASTHEAD_DATA_DIR": str(data),
        "MASTHEAD_ENV": "development",
        "MASTHEAD_DEBUG": "false",
        "MASTHEAD_LOG_LEVEL": "ERROR",
        "MASTHEAD_PAGE_CACHE": "on",
        # One client address sends every request here: the limit would answer 429.
        "MASTHEAD_SEARCH_RATE_LIMIT": "0",
    }
    if args.postgres:
        env["DATABASE_URL"] = args.postgres
    masthead = Masthead(args, env)
    try:
        engine_name = "PostgreSQL" if args.postgres else "SQLite"
        if not args.data_dir:
            print(f"Building: demo + {args.articles} synthetic articles ({engine_name})...")
            started = time.monotonic()
            masthead.run("demo", "--articles", str(args.articles))
            print(f"  built in {time.monotonic() - started:.0f} s", flush=True)
        masthead.run("manage", "collectstatic", "--noinput", "--verbosity", "0")
        print("Drawing queries and timing the engines in-process...", flush=True)
        output = masthead.run(
            "manage",
            "shell",
            "-c",
            PROBE,
            extra={
                "BENCH_SEED": str(args.seed),
                "BENCH_QUERIES": str(args.queries),
                "BENCH_BASELINE": str(args.baseline),
            },
        )
        probe = json.loads(next(x for x in output.splitlines() if x.startswith("BENCH "))[6:])
        queries = probe["queries"]
        words = [len(q.split()) for q in queries]
        print(
            f"\n{probe['articles']} live articles on {engine_name} "
            f"(engine: {probe['engine']}); {len(queries)} queries: "
            f"{words.count(1)} of one word, {words.count(2)} of two, {words.count(3)} of three, "
            f"{probe['stripped']} of them an accented name typed without its accents "
            f"({sum(1 for n in probe['totals'] if n == 0)} with no result); "
            f"matches per query: median {statistics.median(probe['totals']):.0f}, "
            f"max {max(probe['totals'])}"
        )
        print(f"  engine alone, in-process:      {summary(probe['engine_ms'])}")
        if probe["old_ms"]:
            n = len(probe["old_ms"])
            new = statistics.median(probe["engine_ms"][:n])
            old = statistics.median(probe["old_ms"])
            print(
                f"  old path (Wagtail database backend, newest first), first {n}: "
                f"{summary(probe['old_ms'])}\n"
                f"  ratio old/new on those {n} (medians): {old / new:.1f}x"
            )

        # The caches live in the data folder and outlast a restart (and an earlier run of
        # this bench on it): make everything stale, as a publish would, before each
        # uncached phase, so that every answer there comes from the engine.
        masthead.run("manage", "shell", "-c", FORGET)
        base, server = masthead.serve()
        with server:
            urls = [url_of(base, q) for q in queries]
            serial = [timed_fetch(url) for url in urls]
            print(f"  HTTP serial, uncached:          {summary(serial)}")
        masthead.run("manage", "shell", "-c", FORGET)
        base, server = masthead.serve()
        with server:
            urls = [url_of(base, q) for q in queries]
            fetch(base + "/en/")  # one warm-up request per process is not a search
            cold, bad_cold, rps_cold = concurrent(urls)
            warm, bad_warm, rps_warm = concurrent(urls)
            print(
                f"  HTTP {CONCURRENCY} concurrent, uncached:   {summary(cold)}  {rps_cold:.0f} req/s"
            )
            print(
                f"  HTTP {CONCURRENCY} concurrent, cached:     {summary(warm)}  {rps_warm:.0f} req/s"
            )
            if bad_cold or bad_warm:
                print(f"  non-200 answers: {bad_cold} uncached, {bad_warm} cached")
        verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
        print(
            f"\nTargets: serial p95 < {TARGET_SERIAL_P95_MS} ms: "
            f"{verdict(percentile(serial, 0.95) < TARGET_SERIAL_P95_MS)}; "
            f"{CONCURRENCY} concurrent p95 < {TARGET_CONCURRENT_P95_MS} ms (uncached): "
            f"{verdict(percentile(cold, 0.95) < TARGET_CONCURRENT_P95_MS)}"
        )
    finally:
        if args.keep:
            print(f"Kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
