"""Does the flagship interview cost the same at 100,000 articles as at 1,000? (issue 10 §1)

The scale check of ``bench/pages.py`` measures the flagship once at 1,000 articles and once
at 100,000, minutes apart, and on a shared machine the bare Wagtail page itself moved by
1.20x between two such measurements: the ratio said more about the machine than about the
archive. This bench serves both archives at once, each on its own ``masthead serve
--workers 2`` (page cache off), and measures them back to back, alternating, ``--rounds``
times: the machine's mood lands on both alike. The ratio is of the medians of the rounds.

    .venv/bin/python bench/scale.py --large DIR            # builds the small archive itself
    .venv/bin/python bench/scale.py --large DIR --small DIR2 --rounds 7 --duration 5

``--large``: a data folder built by ``masthead demo --articles 100000`` (SQLite);
``--small``: one built with ``--articles 1000``, else built here in a temporary folder
(about a minute). Both hold the demo publication, so the flagship is the same page.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from bench.pages import SERVICE_VARIABLES, Masthead  # noqa: E402
from bench.pages_http import Wrk, running  # noqa: E402
from tests.deploy.harness import free_port  # noqa: E402

TARGET = 1.2
# The page bench's flagship (bench/pages_probe.py), and how many articles are live.
FLAGSHIP = (
    "from bench.pages_probe import flagship; "
    "from masthead.newsroom.queries import published_articles; "
    "print('URL', flagship().url, published_articles().count())"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", required=True, help="data folder with 100,000 articles")
    parser.add_argument("--small", help="data folder with 1,000 articles (else built)")
    parser.add_argument("--rounds", type=int, default=5, help="alternations (5)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (5)")
    parser.add_argument("--masthead", default=str(REPO / ".venv" / "bin" / "masthead"))
    args = parser.parse_args()
    if args.rounds < 1 or args.duration < 1:
        parser.error("--rounds and --duration must be at least 1")
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is needed (apt-get install wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="masthead-bench-scale-"))
    try:
        small = Path(args.small) if args.small else workdir / "small"
        folders = {"small": small, "large": Path(args.large)}
        if not args.small:
            print("Building the small archive: demo + 1,000 synthetic articles...", flush=True)
            run(args, small, "demo", "--articles", "1000")
        urls, sizes = {}, {}
        for name, folder in folders.items():
            run(args, folder, "manage", "collectstatic", "--noinput", "--verbosity", "0")
            line = next(
                x
                for x in run(args, folder, "manage", "shell", "-c", FLAGSHIP).splitlines()
                if x.startswith("URL ")
            )
            _, url, count = line.split()
            urls[name], sizes[name] = url, int(count)
        if urls["small"] != urls["large"]:
            sys.exit(f"bench: the flagship differs: {urls['small']} against {urls['large']}")
        measure(args, folders, urls["large"], sizes, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(
    args: argparse.Namespace,
    folders: dict[str, Path],
    path: str,
    sizes: dict[str, int],
    workdir: Path,
) -> None:
    wrk = Wrk(workdir / "wrk", args.duration)
    p50s: dict[str, list[float]] = {name: [] for name in folders}
    with ExitStack() as stack:
        bases = {}
        for name, folder in folders.items():
            port = free_port()
            command = [args.masthead, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
            base = f"http://127.0.0.1:{port}"
            stack.enter_context(
                running(command, env=environment(folder), ready_url=base + "/robots.txt")
            )
            bases[name] = base
        for number in range(1, args.rounds + 1):
            # Alternate which goes first, so neither always follows the other.
            order = ["small", "large"] if number % 2 else ["large", "small"]
            for name in order:
                load = wrk.run(f"round {number}, {name}", bases[name] + path, 1, 1)
                if load.bad:
                    sys.exit(f"bench: {load.bad} failed requests on the {name} archive")
                p50s[name].append(load.p50_ms)
    small, large = (statistics.median(p50s[name]) for name in ("small", "large"))
    ratio = large / small
    print(
        f"\nFlagship {path}, page cache off, wrk -t1 -c1, {args.duration} s a run, {args.rounds} rounds:"
    )
    for name in ("small", "large"):
        runs = ", ".join(f"{x:.2f}" for x in p50s[name])
        print(
            f"  {sizes[name]:>7} articles: p50 by round {runs} ms; median {statistics.median(p50s[name]):.2f} ms"
        )
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(
        f"flagship p50 at {sizes['large']} / at {sizes['small']}: {ratio:.2f}x (target <= {TARGET}x): {verdict}"
    )


def environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    return env | {
        "MASTHEAD_DATA_DIR": str(folder),
        "MASTHEAD_ENV": "development",
        "MASTHEAD_DEBUG": "false",
        "MASTHEAD_LOG_LEVEL": "ERROR",
        "MASTHEAD_PAGE_CACHE": "off",
        "MASTHEAD_TASK_BACKEND": "database",
    }


def run(args: argparse.Namespace, folder: Path, *command: str) -> str:
    """``masthead *command`` on ``folder``'s archive, as the page bench runs it."""
    # The flagship probe imports bench.pages_probe.
    env = environment(folder) | {"PYTHONPATH": str(REPO)}
    return Masthead(args, env).command(*command, timeout=3600)


if __name__ == "__main__":
    main()
