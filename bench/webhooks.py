"""Payment webhook benchmark (issue 9): signed Stripe events against `masthead serve`.

For each database (SQLite, and PostgreSQL with --postgres) it builds a fresh data folder,
serves it with `masthead serve --workers 2`, and posts signed `checkout.session.completed`
events from 8 threads to `/webhooks/payments/stripe/`, a fifth of them redeliveries of an
event already sent (Stripe delivers at least once). Beside it, in the same run, the same
load goes to a bare view (bench/bare_webhook.py) that only checks the signature and
answers 200, the floor of any Stripe webhook, served two ways: inside the same Masthead
processes (Masthead's settings, middleware and URLs plus that view: issue 9's target is
>= 50 % of its rate), and alone as a one-file Django project without middleware or
database under the same gunicorn settings (stricter, reported beside). It reports
events/s and p95 for each, then lets the task worker apply the stored events
against a local stand-in of Stripe's API (tests/funding/fake_stripe.py) and counts: every
distinct event stored once, every payment in the ledger once. Not run by CI.

    .venv/bin/python bench/webhooks.py [--events 3000] [--threads 8]
    .venv/bin/python bench/webhooks.py --postgres postgres://postgres@127.0.0.1:5432
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MASTHEAD = str(BIN / "masthead")
sys.path.insert(0, str(ROOT))

from bench.bare_webhook import IN_MASTHEAD_PATH as BARE_PATH  # noqa: E402
from tests.funding.fake_stripe import FakeStripe  # noqa: E402
from tests.newsletter.sink import free_port  # noqa: E402

from masthead.cli import GUNICORN_FLAGS  # noqa: E402

SECRET = "whsec_bench"
WARM_UP = 200  # posts to each server before its measured load
PATH = "/webhooks/payments/stripe/"

COUNT = """
from masthead.inbox.models import Event
from masthead.funding.models import Payment
print(Event.objects.filter(provider="stripe").count(),
      Event.objects.filter(provider="stripe", status="processed").count(),
      Payment.objects.count(), Payment.objects.values("reference").distinct().count())
"""


def _event(i: int, created: int) -> dict:
    """A checkout.session.completed event shaped like Stripe's (about 2 KB, as real ones)."""
    session = {
        "id": f"cs_bench_{i:06d}",
        "object": "checkout.session",
        "amount_subtotal": 2500,
        "amount_total": 2500,
        "currency": "usd",
        "customer_details": {"email": f"supporter{i}@example.org", "name": None},
        "client_reference_id": None,
        "metadata": {},
        "mode": "payment",
        "payment_intent": f"pi_bench_{i:06d}",
        "payment_status": "paid",
        "status": "complete",
        "success_url": "https://news.example.org/en/support/thanks/",
        "cancel_url": "https://news.example.org/en/support/",
        "livemode": False,
        "locale": None,
        "payment_method_types": ["card"],
        "created": created,
        "expires_at": created + 86400,
    }
    return {
        "id": f"evt_bench_{i:06d}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created,
        "type": "checkout.session.completed",
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": session},
    }


def _signed(body: str) -> dict:
    """Headers as Stripe sends them: a fresh timestamp, HMAC-SHA256 over "t.body"."""
    stamp = int(time.time())
    mac = hmac.new(SECRET.encode(), f"{stamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "Stripe-Signature": f"t={stamp},v1={mac}"}


def _load(port: int, bodies: list[str], threads: int, path: str = PATH) -> dict:
    """Post every body once to ``path``, from ``threads`` threads; latencies and statuses."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = list(enumerate(bodies))
    cursor = iter(queue)

    def run() -> None:
        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                return
            _, body = item
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("POST", path, body=body.encode(), headers=_signed(body))
                status = conn.getresponse().status
            except OSError:
                status = 0
            finally:
                conn.close()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "rate": len(bodies) / wall,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "statuses": statuses,
    }


def _wait_until_up(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("the server stopped while starting")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/robots.txt")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("the server did not start within 60 s")


def _cpu_ticks(root: int) -> tuple[int, int]:
    """(processes, CPU ticks used) of ``root`` and everything it started (Linux /proc)."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid], ticks[pid] = int(fields[1]), int(fields[11]) + int(fields[12])
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    return len(tree), sum(ticks.get(pid, 0) for pid in tree)


def _wait_until_idle(proc: subprocess.Popen, workers: int) -> None:
    """Wait until every gunicorn worker has booted: the server's processes stop using CPU.

    A worker imports Django and the project before it accepts; the first answer only
    proves one of them is up, and a load run that starts early measures the others' boot.
    """
    deadline, quiet = time.monotonic() + 60, 0
    last = _cpu_ticks(proc.pid)
    while time.monotonic() < deadline and quiet < 3:
        time.sleep(0.25)
        now = _cpu_ticks(proc.pid)
        quiet = quiet + 1 if now[0] > workers and now[1] - last[1] <= 1 else 0
        last = now


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _gunicorn_bare(port: int, workers: int, threads: int) -> subprocess.Popen:
    # The same gunicorn settings as cli.serve(), access log included.
    command = [
        sys.executable, "-m", "gunicorn", "bench.bare_webhook:application",
        "--chdir", str(ROOT), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--threads", str(threads), *GUNICORN_FLAGS,
    ]  # fmt: skip
    env = {**os.environ, "BENCH_WEBHOOK_SECRET": SECRET, "BENCH_BARE_ALONE": "1"}
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)


def _fresh_postgres_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def _bodies(events: int, duplicates: float, seed: int) -> tuple[list[str], list[str]]:
    """(the load, the warm-up): the warm-up's events are others, so none of the load is a
    redelivery that the warm-up caused."""
    created = int(time.time())
    distinct = [json.dumps(_event(i, created)) for i in range(events)]
    warm = [json.dumps(_event(i, created)) for i in range(events, events + WARM_UP)]
    rng = random.Random(seed)
    repeats = [rng.choice(distinct) for _ in range(int(events * duplicates))]
    bodies = distinct + repeats
    rng.shuffle(bodies)
    return bodies, warm


def run(database: str, postgres: str | None, args: argparse.Namespace) -> dict:
    fake = FakeStripe()
    fake.start()
    data = Path(tempfile.mkdtemp(prefix="masthead-bench-webhooks-"))
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_DATA_DIR": str(data),
        "MASTHEAD_BASE_URL": "https://news.example.org",
        "MASTHEAD_LOG_LEVEL": "ERROR",
        "MASTHEAD_TASK_BACKEND": "database",
        "MASTHEAD_PAYMENT_PROVIDERS": "USD:stripe",
        "MASTHEAD_STRIPE_SECRET_KEY": "sk_test_bench",
        "MASTHEAD_STRIPE_WEBHOOK_SECRET": SECRET,
        "MASTHEAD_STRIPE_API_BASE": fake.url,
    }
    if postgres:
        env["DATABASE_URL"] = _fresh_postgres_database(postgres, "masthead_bench_webhooks")
    bodies, warm = _bodies(args.events, args.duplicates, args.seed)
    distinct = args.events + len(warm)
    for i in range(distinct):
        fake.add_paid_session(
            f"cs_bench_{i:06d}",
            payment_intent=f"pi_bench_{i:06d}",
            amount=2500,
            currency="usd",
            email=f"supporter{i}@example.org",
        )
    try:
        subprocess.run([MASTHEAD, "manage", "migrate", "--noinput", "-v0"], env=env, check=True)
        port, bare_port = free_port(), free_port()
        bare = _gunicorn_bare(bare_port, args.workers, args.web_threads)
        _wait_until_up(bare_port, bare)
        _wait_until_idle(bare, args.workers)
        _load(bare_port, warm, args.threads)
        baseline = [_load(bare_port, bodies, args.threads)]
        # Masthead's settings and URLs plus the bare view: one server for both endpoints.
        serve_env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "bench.masthead_with_bare_view",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            "BENCH_WEBHOOK_SECRET": SECRET,
            "MASTHEAD_WEB_THREADS": str(args.web_threads),
        }
        server = subprocess.Popen(
            [MASTHEAD, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)],
            env=serve_env,
            stdout=subprocess.DEVNULL,
        )
        try:
            _wait_until_up(port, server)
            _wait_until_idle(server, args.workers)
            _load(port, warm, args.threads, BARE_PATH)
            inside = [_load(port, bodies, args.threads, BARE_PATH)]
            _load(port, warm, args.threads)  # the same warm-up as the bare view's
            masthead = _load(port, bodies, args.threads)
            inside.append(_load(port, bodies, args.threads, BARE_PATH))
        finally:
            _stop(server)
        baseline.append(_load(bare_port, bodies, args.threads))
        _stop(bare)
        started = time.perf_counter()
        subprocess.run(
            [MASTHEAD, "manage", "db_worker", "--batch", "--verbosity", "0"], env=env, check=True
        )
        applied_seconds = time.perf_counter() - started
        counts = subprocess.run(
            [MASTHEAD, "manage", "shell", "--no-imports", "-c", COUNT],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        stored, processed, payments, references = (int(n) for n in counts[-4:])
    finally:
        fake.stop()
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)
    return {
        "database": database,
        "masthead": masthead,
        "inside": max(inside, key=lambda result: result["rate"]),
        "bare": max(baseline, key=lambda result: result["rate"]),
        "bare_runs": baseline,
        "posted": len(bodies) + len(warm),
        "distinct": distinct,
        "stored": stored,
        "processed": processed,
        "payments": payments,
        "references": references,
        "applied_rate": processed / applied_seconds if applied_seconds else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000, help="distinct events posted")
    parser.add_argument("--duplicates", type=float, default=0.2, help="share re-delivered")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--web-threads", type=int, default=1, help="threads per worker (MASTHEAD_WEB_THREADS)"
    )
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--only-postgres", action="store_true", help="skip the SQLite run")
    args = parser.parse_args()

    runs = []
    if not args.only_postgres:
        runs.append(run("SQLite", None, args))
    if args.postgres:
        runs.append(run("PostgreSQL", args.postgres, args))

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(
        f"Masthead webhook benchmark, {stamp}: {args.threads} threads, "
        f"gunicorn {args.workers} workers, {os.cpu_count()} CPUs"
    )
    header = f"{'database':<11} {'endpoint':<26} {'events/s':>9} {'p50 ms':>8} {'p95 ms':>8}"
    print(header)
    print("-" * len(header))
    for r in runs:
        for name, result in (
            ("masthead (verify+store)", r["masthead"]),
            ("bare view in masthead", r["inside"]),
            ("bare view alone", r["bare"]),
        ):
            print(
                f"{r['database']:<11} {name:<26} {result['rate']:>9.0f} "
                f"{result['p50']:>8.1f} {result['p95']:>8.1f}"
            )
    for r in runs:
        ratio = r["masthead"]["rate"] / r["inside"]["rate"]
        strict = r["masthead"]["rate"] / r["bare"]["rate"]
        lost = r["distinct"] - r["stored"]
        duplicated = r["payments"] - r["references"]
        print(
            f"{r['database']}: {r['posted']} posts ({r['distinct']} distinct, {WARM_UP} warm-up), statuses "
            f"{r['masthead']['statuses']}; stored {r['stored']}, applied {r['processed']} "
            f"({r['applied_rate']:.0f}/s by one worker), ledger rows {r['payments']}; "
            f"lost {lost}, duplicated {duplicated}; masthead / bare view in masthead: "
            f"{ratio:.0%} (target >= 50%: {'met' if ratio >= 0.5 else 'NOT met'}); "
            f"masthead / bare view alone: {strict:.0%}"
        )


if __name__ == "__main__":
    main()
