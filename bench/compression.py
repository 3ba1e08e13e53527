#!/usr/bin/env python3
"""Compression benchmark (issue 14 §2): bytes and time per page-cache hit, in one run.

Loads the demo publication in a temporary data folder (SQLite; the page cache in files as
on a one-machine install, or in Redis with ``--redis URL``), then, in this process,
through Masthead's whole middleware stack (Django's test client, no network):

- the flagship interview's size uncompressed, gzip, Brotli as sent once per request
  (``QUICK_QUALITY``) and as kept (``KEPT_QUALITY``), and Brotli 11 for reference;
- the codec's own time for each, on that body;
- the time of one page-cache hit of the flagship, as a ratio to an uncompressed hit:
  Brotli and gzip with the kept copy (what Masthead does), and without it (the body
  compressed again on every hit, lib/compression.py's kept copy switched off here).

Every ratio's denominator is measured in the same run, in alternating rounds, and the
median round counts. See bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

FLAGSHIP_SLUG = "the-altitude-of-power"
BROWSER = "gzip, deflate, br, zstd"


def _django(data_dir: str, redis_url: str) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "SEARCH_URL", "MASTHEAD_ENV"):
        os.environ.pop(name, None)
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    os.environ["MASTHEAD_DATA_DIR"] = data_dir
    os.environ["MASTHEAD_TASK_BACKEND"] = "immediate"
    os.environ["MASTHEAD_ALLOWED_HOSTS"] = "localhost"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # manifest names, as served
    call_command("load_demo", verbosity=0, stdout=io.StringIO())  # not its admin password


def _per_call(action: Callable[[], object], repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - started) / repeat


def _rounds(actions: dict[str, Callable[[], object]], repeat: int, rounds: int) -> dict:
    """Median seconds per call of each action, the actions alternating round by round."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(rounds):
        for name, action in actions.items():
            times[name].append(_per_call(action, repeat))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200, help="hits per round (200)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds per figure (7)")
    parser.add_argument("--redis", default="", help="keep the page cache in this Redis URL")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="masthead-bench-compression-") as data_dir:
        print("Loading the demo publication...", file=sys.stderr)
        _django(data_dir, args.redis)
        from django.core.cache import caches
        from django.test import Client

        from masthead.lib import compression
        from masthead.newsroom.models import ArticlePage

        if args.redis:
            caches["pages"].clear()
        url = ArticlePage.objects.get(slug=FLAGSHIP_SLUG, locale__language_code="en").url
        client = Client(HTTP_HOST="localhost")

        def hit(accept: str = "") -> Callable[[], object]:
            headers = {"HTTP_ACCEPT_ENCODING": accept} if accept else {}

            def fetch() -> object:
                response = client.get(url, **headers)
                assert response.status_code == 200 and response["X-Cache"] == "HIT"
                return response

            return fetch

        client.get(url)  # stored
        body = client.get(url).content
        print(f"\nFlagship interview {url} (page-cache hit)")
        print(f"{'variant':<28}{'bytes':>9}{'÷ identity':>12}{'codec ms':>10}")
        variants = {
            "identity": (lambda: body),
            "gzip -6": (lambda: compression.compress(body, "gzip")),
            f"br {compression.QUICK_QUALITY} (once per request)": (
                lambda: compression.compress(body, "br")
            ),
            f"br {compression.KEPT_QUALITY} (kept copy)": (
                lambda: compression.compress(body, "br", kept=True)
            ),
        }
        for name, make in variants.items():
            size = len(make())
            codec_ms = _per_call(make, 20) * 1000 if name != "identity" else 0.0
            print(f"{name:<28}{size:>9,}{size / len(body):>12.3f}{codec_ms:>10.2f}")
        import brotli

        print(
            "Brotli by quality: "
            + ", ".join(
                f"q{q} {len(brotli.compress(body, mode=brotli.MODE_TEXT, quality=q)):,} B "
                f"{_per_call(lambda q=q: brotli.compress(body, mode=brotli.MODE_TEXT, quality=q), 10) * 1000:.1f} ms"
                for q in range(4, 12)
            )
        )
        for accept, coding in ((BROWSER, "br"), ("gzip", "gzip")):
            sent = client.get(url, HTTP_ACCEPT_ENCODING=accept)
            assert sent["Content-Encoding"] == coding, sent.get("Content-Encoding")
            print(f"as served to {accept!r}: {len(sent.content):,} bytes ({coding})")

        kept_copy = compression._kept_copy

        def without_kept_copy(accept: str, *, kept: bool = False) -> Callable[[], object]:
            fetch = hit(accept)

            def run() -> object:
                compression._kept_copy = lambda request, content, coding, etag: (
                    compression.compress(content, coding, kept=kept)
                )
                try:
                    return fetch()
                finally:
                    compression._kept_copy = kept_copy

            return run

        # Warm every path once (the kept copies are made here).
        actions = {
            "identity hit": hit(),
            "br hit, kept copy": hit(BROWSER),
            "gzip hit, kept copy": hit("gzip"),
            "br hit, compressed each time": without_kept_copy(BROWSER),
            f"br {compression.KEPT_QUALITY} hit, each time": without_kept_copy(BROWSER, kept=True),
            "gzip hit, compressed each time": without_kept_copy("gzip"),
        }
        for action in actions.values():
            action()
        print(f"\nTime per hit, median of {args.rounds} rounds of {args.repeat} hits")
        medians = _rounds(actions, args.repeat, args.rounds)
        baseline = medians["identity hit"]
        for name, seconds in medians.items():
            print(f"{name:<34}{seconds * 1000:>8.3f} ms{seconds / baseline:>8.2f} x identity")
        print(
            "kept copy saves per br hit: "
            f"{medians['br hit, compressed each time'] / medians['br hit, kept copy']:.2f}x; "
            "page cache: " + ("Redis" if args.redis else "files")
        )


if __name__ == "__main__":
    main()
