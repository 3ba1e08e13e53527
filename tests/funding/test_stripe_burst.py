"""Many Stripe deliveries at once against a real server: none lost, none duplicated.

``masthead serve --workers 2`` runs on a data folder of its own (a copy of the SQLite test
database), with the database task queue: the web processes only verify and store, as in
production. Signed events come from 8 threads over loopback; then the task worker
(``db_worker --batch``) applies them against the fake Stripe API, and the rows are
counted in the server's database file. RELIABILITY.md §7 row 2 and issue 9 §5.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from tests.funding.fake_stripe import SECRET_KEY, WEBHOOK_PATH, WEBHOOK_SECRET, FakeStripe, sign
from tests.processes import stop_group
from tests.smtp_sink import free_port

MASTHEAD = str(Path(sys.executable).with_name("masthead"))
_PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")

pytestmark = [
    pytest.mark.own_sqlite,
    # Only so that pytest-django creates the test database the data folder copies.
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="the server runs on a copy of the SQLite test database",
    ),
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, _publication_ids, django_db_blocker):
    """A data folder holding a copy of the test database (taken before any transaction)."""
    data = tmp_path_factory.mktemp("stripe-burst")
    with django_db_blocker.unblock():
        connection.ensure_connection()
        with sqlite3.connect(data / "masthead.sqlite3") as target:
            connection.connection.backup(target)
    return data


@pytest.fixture(scope="module")
def served(data_dir):
    """(port, fake Stripe, env): the server and the fake it fetches objects from."""
    fake = FakeStripe().start()
    env = {
        **{name: os.environ[name] for name in _PASSED_ENV if name in os.environ},
        "MASTHEAD_ENV": "test",
        "MASTHEAD_DATA_DIR": str(data_dir),
        "MASTHEAD_BASE_URL": "http://127.0.0.1",
        "MASTHEAD_TASK_BACKEND": "database",
        "MASTHEAD_PAYMENT_PROVIDERS": "USD:stripe",
        "MASTHEAD_STRIPE_SECRET_KEY": SECRET_KEY,
        "MASTHEAD_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "MASTHEAD_STRIPE_API_BASE": fake.base_url,
    }
    port = free_port()
    log = (data_dir / "serve.log").open("w")
    server = subprocess.Popen(
        [MASTHEAD, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(f"masthead serve exited: {(data_dir / 'serve.log').read_text()}")
            try:
                if _post(port, "{}", "")[0] == 400:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("masthead serve did not answer within 120 s")
                time.sleep(0.25)
        yield port, fake, env
    finally:
        stop_group(server)
        fake.stop()


def _post(port: int, body: str, header: str) -> tuple[int, bytes]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Content-Type": "application/json"}
        if header:
            headers["Stripe-Signature"] = header
        client.request("POST", WEBHOOK_PATH, body=body, headers=headers)
        response = client.getresponse()
        return response.status, response.read()
    finally:
        client.close()


def _deliver(port: int, event: dict) -> int:
    body = json.dumps(event)
    return _post(port, body, sign(body))[0]  # signed at send time, as Stripe re-signs


def _run_worker(env: dict) -> None:
    subprocess.run(
        [MASTHEAD, "manage", "db_worker", "--batch", "--verbosity", "0"],
        env=env,
        check=True,
        timeout=300,
    )


def _rows(data_dir: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(data_dir / "masthead.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def _paid_event(fake: FakeStripe, name: str) -> dict:
    session = fake.add_paid_session(
        f"cs_{name}",
        payment_intent=f"pi_{name}",
        amount=2500,
        currency="usd",
        email=f"{name}@example.org",
    )
    return fake.event("checkout.session.completed", session)


def test_twenty_concurrent_deliveries_of_one_event_store_one_event_and_one_payment(
    served, data_dir
):
    port, fake, env = served
    event = _paid_event(fake, "concurrent")
    start = threading.Barrier(20)

    def deliver_together(_: int) -> int:
        start.wait()
        return _deliver(port, event)

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(deliver_together, range(20)))
    _run_worker(env)

    assert statuses == [200] * 20
    assert _rows(
        data_dir, "SELECT status FROM inbox_event WHERE event_id = ?", (event["id"],)
    ) == [("processed",)]
    assert _rows(
        data_dir, "SELECT amount, status FROM funding_payment WHERE reference = 'pi_concurrent'"
    ) == [(2500, "succeeded")]


def test_a_burst_of_a_thousand_posts_with_repeats_loses_and_duplicates_nothing(served, data_dir):
    port, fake, env = served
    before_events = _rows(data_dir, "SELECT count(*) FROM inbox_event")[0][0]
    before_payments = _rows(data_dir, "SELECT count(*) FROM funding_payment")[0][0]
    # 600 payments; 200 of them also announced by a second event (async_payment_succeeded):
    # 800 distinct events. Then 200 redeliveries of events already sent.
    events = [_paid_event(fake, f"burst{i:04d}") for i in range(600)]
    for first in events[:200]:
        session = fake.objects[first["data"]["object"]["id"]]
        events.append(fake.event("checkout.session.async_payment_succeeded", session))
    rng = random.Random(9)  # noqa: S311 (a repeatable shuffle, not a secret)
    posts = events + [rng.choice(events) for _ in range(200)]
    rng.shuffle(posts)
    assert (len(posts), len({e["id"] for e in posts})) == (1000, 800)

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda event: _deliver(port, event), posts))
    _run_worker(env)

    assert not [status for status in statuses if status >= 500]
    assert set(statuses) == {200}
    stored = _rows(data_dir, "SELECT status, count(*) FROM inbox_event GROUP BY status")
    assert dict(stored) == {"processed": before_events + 800}
    assert _rows(data_dir, "SELECT count(*) FROM funding_payment")[0][0] == before_payments + 600
    assert _rows(
        data_dir,
        "SELECT count(DISTINCT reference), sum(amount) FROM funding_payment "
        "WHERE reference LIKE 'pi_burst%' AND status = 'succeeded'",
    ) == [(600, 600 * 2500)]
