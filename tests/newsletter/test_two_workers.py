"""Two workers on one edition share its ledger on PostgreSQL: every reader once, no one twice.

Rows are claimed with SELECT … FOR UPDATE SKIP LOCKED, so two workers started together
take different batches instead of waiting on each other or both sending the same rows.
Only PostgreSQL has SKIP LOCKED (SQLite serialises writers instead), so this runs in the
PostgreSQL pass of .ci/run, on a database of its own that worker processes can see.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections import Counter

import pytest
from django.db import connection

from tests.newsletter.workers import MASTHEAD, shell
from tests.smtp_sink import Sink

READERS = 1500

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL"
)

SEED = f"""
from django.utils import timezone
from masthead.audience.models import Reader, Subscription
from masthead.audience.models import Newsletter
from masthead.newsletter import sending, services
now = timezone.now()
daily = Newsletter.objects.create(name="Daily", slug="two-workers", sender_name="Diario")
readers = Reader.objects.bulk_create(
    [Reader(email=f"reader{{i}}@example.org") for i in range({READERS})], batch_size=500
)
Subscription.objects.bulk_create(
    [Subscription(reader=r, newsletter=daily, status="confirmed", source="import",
                  consented_at=now) for r in readers], batch_size=500
)
edition = services.create_edition(newsletter=daily, subject="Shared")
sending.freeze_audience(edition=edition)
print(edition.pk)
"""

SEND = """
from masthead.newsletter import sending
from masthead.newsletter.models import Edition
sending.send_edition(edition=Edition.objects.get(pk={pk}))
"""

STATUS = """
from masthead.newsletter.models import Edition
edition = Edition.objects.get(pk={pk})
print(edition.status, edition.deliveries.filter(status="sent").count())
"""


def _finish(process: subprocess.Popen, timeout: float) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out.strip().splitlines()[-1]


@pytest.fixture
def postgres_env(tmp_path):
    """A fresh, migrated PostgreSQL database beside the test database, dropped afterwards."""
    import psycopg

    settings = connection.settings_dict
    server = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
    name = f"masthead_two_workers_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        "MASTHEAD_ENV": "test",
        "MASTHEAD_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"{server}/{name}",
        "MASTHEAD_BASE_URL": "https://news.example.org",
        "MASTHEAD_NEWSLETTER_BATCH_SIZE": "25",
        # Slow enough that neither worker can finish before the other has started.
        "MASTHEAD_NEWSLETTER_SEND_RATE": "300",
    }
    try:
        subprocess.run(
            [MASTHEAD, "manage", "migrate", "--noinput", "-v0"], env=env, check=True, timeout=300
        )
        yield env
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_workers_started_together_split_the_edition_and_send_each_reader_once(
    postgres_env,
):
    with Sink() as sink:
        env = {**postgres_env, "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}"}
        edition_id = int(_finish(shell(SEED, env), timeout=120))

        workers = [shell(SEND.format(pk=edition_id), env) for _ in range(2)]
        for worker in workers:
            worker.communicate(timeout=120)
            assert worker.returncode == 0
        counts = sink.handler.rcpt_counts()
        by_connection = Counter(r.peer for r in sink.handler.received)

    print(f"\ntwo workers: {sorted(by_connection.values())} messages per connection")  # noqa: T201
    status, sent = _finish(shell(STATUS.format(pk=edition_id), env), timeout=60).split()
    assert set(counts) == {f"reader{i}@example.org" for i in range(READERS)}
    assert max(counts.values()) == 1  # nobody twice: a claimed row belongs to one worker
    assert (status, int(sent)) == ("sent", READERS)
    # Both workers sent a real share, each over its one reused connection.
    assert len(by_connection) == 2
    assert min(by_connection.values()) > READERS // 10
