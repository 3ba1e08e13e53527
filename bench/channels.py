"""Channels benchmark (issue 11): a burst of publishes posted to 3 Telegram channels.

Against the loopback fake Bot API (tests/channels/fake_telegram.py, real HTTP), on a fresh
SQLite data folder (or PostgreSQL database, with --postgres):

1. The burst: one process publishes N articles through newsroom.services (the editor's
   publish, minus HTTP) into a section the 3 channels follow and, after every
   ``--baseline-every``-th of them, one into a section they do not, while two `db_worker`
   processes (the production queue, which also runs Wagtail's index tasks) deliver.
   Interleaving makes the baseline (a publish with no channel) share every condition with
   the measured one (a publish that queues 3 posts), so their ratio holds on a noisy
   machine.
2. Delivery at a fast pace (``--pace``, MASTHEAD_TELEGRAM_POSTS_PER_MINUTE): all 3 x N posts
   must arrive, none twice, and no channel faster than the pace in any 60 s window.
3. The real pace (20 a minute): a few more articles, and the gaps Telegram sees.

    .venv/bin/python bench/channels.py [--articles 1000] [--pace 600] [--workers 2]
    .venv/bin/python bench/channels.py --postgres postgres://postgres@127.0.0.1:5432
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MASTHEAD = str(Path(sys.executable).with_name("masthead"))
sys.path.insert(0, str(ROOT))

from tests.channels.fake_telegram import TOKEN, FakeTelegram  # noqa: E402

CHATS = ["@gazette", "@gaceta", "@third"]

SEED = """
from masthead.channels.models import TelegramChannel
from masthead.newsroom import services
en = services.ensure_locales(["en"])["en"]
home = services.create_home(title="Bench Gazette", slug="home", locale=en)
followed = services.create_section(home=home, title="News", slug="news")
services.create_section(home=home, title="Quiet", slug="quiet")
for chat in {chats!r}:
    channel = TelegramChannel.objects.create(name=chat, chat_id=chat, language="en")
    channel.sections.add(followed)
"""

# Timed inside the process: Django's start-up is not publishing.
PUBLISH = """
import json, time
from masthead.newsroom import services
from masthead.newsroom.models import SectionPage
followed = SectionPage.objects.get(slug="news")
quiet = SectionPage.objects.get(slug="quiet")
posted, alone, off = [], [], []
for i in range({n}):
    plan = [(followed, posted, True)]
    if i % {every} == 0:
        plan += [(quiet, alone, True), (quiet, off, False)]
        # In turn first, second and third: the one right after a followed publish shares
        # the cores with the workers posting it, and that must not fall on one kind.
        plan = plan[i // {every} % 3 :] + plan[: i // {every} % 3]
    for section, times, auto in plan:
        draft = services.ArticleDraft(
            title=f"Dispatch {{i}} <&> \\"{{section.slug}}\\" 📰",
            slug=f"{{section.slug}}-{tag}-{{i}}{{'' if auto else '-off'}}",
            standfirst="What happened, in a paragraph. " * 8,
            post_to_channels=auto,
        )
        started = time.perf_counter()
        services.create_article(section=section, draft=draft)
        times.append(time.perf_counter() - started)
print(json.dumps({{"posted": posted, "alone": alone, "off": off}}))
"""

STATES = """
import json
from django.db.models import Count
from masthead.channels.models import Delivery
print(json.dumps(dict(Delivery.objects.values_list("state").annotate(n=Count("id")))))
"""


def _shell(code: str, env: dict) -> str:
    proc = subprocess.run(
        [MASTHEAD, "manage", "shell", "--no-imports", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


def _workers(env: dict, count: int) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [
                MASTHEAD,
                "manage",
                "db_worker",
                "--no-startup-delay",
                "--interval",
                "0.2",
                "--worker-id",
                f"bench-{i}",
            ],
            env=env,
            # Not a pipe: nobody reads it, and a worker blocks once its log fills one.
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(count)
    ]


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def _wait_for(bot: FakeTelegram, total: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(bot.state.posted) < total and time.monotonic() < deadline:
        time.sleep(0.2)


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def _pace(bot: FakeTelegram, since: int = 0) -> dict[str, dict]:
    """Per channel: posts, rate over the run, the most in any 60 s window, the gaps."""
    by_chat = defaultdict(list)
    for call in bot.state.posted[since:]:
        by_chat[call.params["chat_id"]].append(call.at)
    out = {}
    for chat, times in sorted(by_chat.items()):
        times.sort()
        gaps = [b - a for a, b in itertools.pairwise(times)]
        window, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= 60:
                start += 1
            window = max(window, end - start + 1)
        span = times[-1] - times[0]
        out[chat] = {
            "posts": len(times),
            "per_minute": (len(times) - 1) / span * 60 if span else 0.0,
            "max_in_60s": window,
            "min_gap": min(gaps) if gaps else 0.0,
            "mean_gap": statistics.fmean(gaps) if gaps else 0.0,
        }
    return out


def _fresh_postgres_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--pace", type=int, default=600, help="posts a minute per channel")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline-every", type=int, default=4, help="one baseline per K")
    parser.add_argument("--real-pace-articles", type=int, default=4)
    parser.add_argument("--postgres", help="server URL; the bench database is created on it")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="masthead-bench-channels-"))
    with FakeTelegram() as bot:
        bot.state.chats = set(CHATS)
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
            "MASTHEAD_DATA_DIR": str(data),
            "MASTHEAD_BASE_URL": "https://news.example.org",
            "MASTHEAD_LOG_LEVEL": "ERROR",
            "MASTHEAD_TASK_BACKEND": "database",
            "MASTHEAD_TELEGRAM_BOT_TOKEN": TOKEN,
            "MASTHEAD_TELEGRAM_API_BASE": bot.base,
            "MASTHEAD_TELEGRAM_POSTS_PER_MINUTE": str(args.pace),
        }
        env.pop("MASTHEAD_ENV", None)
        if args.postgres:
            env["DATABASE_URL"] = _fresh_postgres_database(args.postgres, "chan_bench")
        try:
            subprocess.run(
                [MASTHEAD, "manage", "migrate", "--noinput", "-v0"], env=env, check=True
            )
            _shell(SEED.format(chats=CHATS), env)

            total = args.articles * len(CHATS)
            workers = _workers(env, args.workers)
            started = time.monotonic()
            times = json.loads(
                _shell(
                    PUBLISH.format(n=args.articles, tag="burst", every=args.baseline_every), env
                )
            )
            burst_seconds = time.monotonic() - started
            _wait_for(bot, total, timeout=total / args.pace * 60 / len(CHATS) + 600)
            delivered_seconds = time.monotonic() - started
            _stop(workers)
            fast = _pace(bot)
            links = [
                (c.params["chat_id"], c.params["text"].rpartition('href="')[2].partition('"')[0])
                for c in bot.state.posted
            ]
            states = json.loads(_shell(STATES, env))

            # The real pace: Telegram's 20 a minute, a few articles, the gaps it sees.
            before = len(bot.state.posted)
            real_env = {**env, "MASTHEAD_TELEGRAM_POSTS_PER_MINUTE": "20"}
            workers = _workers(real_env, args.workers)
            _shell(PUBLISH.format(n=args.real_pace_articles, tag="real", every=10**9), real_env)
            _wait_for(bot, before + args.real_pace_articles * len(CHATS), timeout=300)
            _stop(workers)
            real = _pace(bot, since=before)
        finally:
            if not args.keep:
                shutil.rmtree(data, ignore_errors=True)

    posted, alone, off = times["posted"], times["alone"], times["off"]
    print(
        f"channels bench: {args.articles} articles x {len(CHATS)} channels, "
        f"{args.workers} workers, {'PostgreSQL' if args.postgres else 'SQLite'}"
    )
    count = len(posted) + len(alone) + len(off)
    print(f"  publish burst: {count} publishes in {burst_seconds:.1f} s")
    for name, fn in (("median", statistics.median), ("p95", lambda v: _percentile(v, 95))):
        with_channels, without = fn(posted), fn(alone)
        print(
            f"  publish latency {name}: {with_channels * 1000:.1f} ms with 3 channels, "
            f"{without * 1000:.1f} ms with none: ratio {with_channels / without:.3f}"
        )
        silent = fn(off)
        print(
            f"  publish latency {name}, auto-posting off (no channel code runs): "
            f"{silent * 1000:.1f} ms: ratio with 3 channels {with_channels / silent:.3f}"
        )
    print(
        f"  delivered: {len(bot.state.posted[:before])}/{total} posts "
        f"({len(set(links))} distinct, {len(links) - len(set(links))} duplicate) "
        f"in {delivered_seconds:.1f} s from the burst's start; rows {states}"
    )
    for chat, row in fast.items():
        print(
            f"  pace {args.pace}/min {chat}: {row['posts']} posts, {row['per_minute']:.0f}/min "
            f"over the run, at most {row['max_in_60s']} in any 60 s, "
            f"min gap {row['min_gap'] * 1000:.0f} ms (slot {60000 / args.pace:.0f} ms)"
        )
    for chat, row in real.items():
        print(
            f"  pace 20/min {chat}: {row['posts']} posts, gaps min {row['min_gap']:.2f} s "
            f"mean {row['mean_gap']:.2f} s (slot 3.00 s)"
        )


if __name__ == "__main__":
    main()
