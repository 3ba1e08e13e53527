"""Newsletter sending benchmark (issue 4): the real pipeline against a loopback SMTP sink.

For each size (default 10,000 and 100,000 confirmed readers) it builds a fresh SQLite data
folder (or PostgreSQL database, with --postgres), freezes and sends one edition in a worker process (`masthead manage shell`, the
same `sending.send_edition` the task runs: Delivery rows, personalised unsubscribe links,
one SMTP connection), and reports messages/s, total time and the worker's peak memory.
The physical limit: a raw smtplib loop sending one prebuilt message over one connection to
the same sink, run before and after the pipeline (the faster run counts). Not run by CI.

    .venv/bin/python bench/newsletter.py [--sizes 10000 100000] [--raw 20000]
    .venv/bin/python bench/newsletter.py --postgres postgres://postgres@127.0.0.1:5432
"""

from __future__ import annotations

import argparse
import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
MASTHEAD = str(Path(sys.executable).with_name("masthead"))
sys.path.insert(0, str(ROOT))

from tests.newsletter.sink import free_port  # noqa: E402

SEED = """
from django.utils import timezone
from masthead.audience.models import Reader, Subscription
from masthead.audience.models import Newsletter
from masthead.newsletter import sending, services
now = timezone.now()
daily = Newsletter.objects.create(name="Daily", slug="daily", sender_name="Boletín Año")
for start in range(0, {n}, 5000):
    readers = Reader.objects.bulk_create(
        [Reader(email=f"reader{{i}}@example.org") for i in range(start, min(start + 5000, {n}))]
    )
    Subscription.objects.bulk_create(
        [Subscription(reader=r, newsletter=daily, status="confirmed", source="import",
                      consented_at=now) for r in readers]
    )
print(services.create_edition(newsletter=daily, subject="Benchmark").pk)
"""

# Timed inside the worker (Django's start-up is not sending); the peak RSS is the process's.
SEND = """
import resource, time
from masthead.newsletter import sending
from masthead.newsletter.models import Edition
started = time.perf_counter()
edition = sending.send_edition(edition=Edition.objects.get(pk={pk}))
seconds = time.perf_counter() - started
sent = edition.deliveries.filter(status="sent").count()
print(edition.status, sent, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


class CountingHandler:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201
        self.count += len(envelope.rcpt_tos)
        return "250 OK"


def _shell(code: str, env: dict) -> str:
    """Run ``code`` in a worker process and return what it printed."""
    proc = subprocess.Popen(
        [MASTHEAD, "manage", "shell", "--no-imports", "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate()
    if proc.returncode:
        sys.exit(f"worker failed:\n{err}")
    return out


def _fresh_postgres_database(server: str, name: str) -> str:
    """An empty database ``name`` on ``server`` (dropped first if a run left it behind)."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def run_pipeline(n: int, port: int, keep: bool, postgres: str | None, prefix: str) -> dict:
    data = Path(tempfile.mkdtemp(prefix=f"masthead-bench-nl-{n}-"))
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_DATA_DIR": str(data),
        "MASTHEAD_BASE_URL": "https://news.example.org",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "MASTHEAD_LOG_LEVEL": "ERROR",
    }
    if postgres:
        env["DATABASE_URL"] = _fresh_postgres_database(postgres, f"{prefix}{n}")
    try:
        subprocess.run([MASTHEAD, "manage", "migrate", "--noinput", "-v0"], env=env, check=True)
        pk = int(_shell(SEED.format(n=n), env).strip().splitlines()[-1])
        status, sent, seconds, rss = _shell(SEND.format(pk=pk), env).strip().split()[-4:]
        return {
            "n": n,
            "status": status,
            "sent": int(sent),
            "seconds": float(seconds),
            "rss": int(rss),
        }
    finally:
        if not keep:
            shutil.rmtree(data, ignore_errors=True)


def run_raw(n: int, port: int) -> float:
    message = EmailMessage()
    message["From"] = "newsroom@example.org"
    message["To"] = "reader@example.org"
    message["Subject"] = "Benchmark"
    message.set_content("A line of a newsletter, as long as a real one.\n" * 40)
    message.add_alternative("<p>A paragraph of the newsletter.</p>\n" * 80, subtype="html")
    raw = message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as Django sends
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for _ in range(n):
            smtp.sendmail("newsroom@example.org", ["reader@example.org"], raw)
    return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--raw", type=int, default=20_000, help="messages in the raw loop")
    parser.add_argument("--keep", action="store_true", help="keep the data folders")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server (postgres://user@host:port) to run on instead of SQLite; "
        "the benchmark creates and replaces databases <prefix><size> there",
    )
    parser.add_argument(
        "--db-prefix",
        default="masthead_bench_nl_",
        help="PostgreSQL database names' prefix (default masthead_bench_nl_)",
    )
    args = parser.parse_args()

    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        # The raw loop runs before and after the pipeline, and the faster run is the limit:
        # on a shared machine, a neighbour's burst must not flatter the ratio.
        raw_rates = [run_raw(args.raw, port)]
        results = [
            run_pipeline(n, port, args.keep, args.postgres, args.db_prefix) for n in args.sizes
        ]
        raw_rates.append(run_raw(args.raw, port))
        raw_rate = max(raw_rates)
    finally:
        controller.stop()

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"Masthead newsletter benchmark, {stamp}: {database}, one worker, aiosmtpd on loopback")
    print(f"{'readers':>8} {'sent':>8} {'status':>8} {'seconds':>8} {'msgs/s':>8} {'peak MiB':>9}")
    for r in results:
        rate = r["sent"] / r["seconds"]
        print(
            f"{r['n']:>8} {r['sent']:>8} {r['status']:>8} {r['seconds']:>8.1f} "
            f"{rate:>8.0f} {r['rss'] / 1024:>9.1f}"
        )
    print(
        "raw smtplib loop, one prebuilt message, one connection: "
        f"{raw_rate:.0f} msgs/s (best of {raw_rates[0]:.0f} before, {raw_rates[1]:.0f} after)"
    )
    best = results[-1]
    print(f"pipeline / raw: {best['sent'] / best['seconds'] / raw_rate:.0%} (target >= 50%)")
    if len(results) > 1:
        ratio = results[-1]["rss"] / results[0]["rss"]
        print(f"peak memory {results[-1]['n']} / {results[0]['n']}: {ratio:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    main()
