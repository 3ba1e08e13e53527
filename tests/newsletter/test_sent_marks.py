"""The "sent" checkpoint (marks.py): a message's mark is committed before the next message
leaves, whether it is written in line (SQLite, or inside a transaction) or from its own
thread while the next message's envelope goes out (PostgreSQL). A real SMTP server on
loopback asks the database, at every DATA, how many rows are already marked sent.
"""

from __future__ import annotations

import asyncio

import pytest
from django.db import DatabaseError, connection, transaction

from masthead.newsletter import sending, services
from masthead.newsletter.marks import SentMarks
from masthead.newsletter.models import Delivery
from tests.conftest import use_smtp_server
from tests.newsletter import factories
from tests.smtp_sink import Sink, SinkHandler

# The marks' own connection must see the rows: nothing here runs in a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)

READERS = [f"reader{i}@example.org" for i in range(7)]


def _sent_rows() -> int:
    try:
        return Delivery.objects.filter(status=Delivery.Status.SENT).count()
    finally:
        connection.close()  # this thread's own connection


class CountingAtData(SinkHandler):
    """Records, at each DATA, the rows already marked sent, before accepting the message."""

    def __init__(self) -> None:
        super().__init__()
        self.sent_before_data: list[int] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.sent_before_data.append(await asyncio.to_thread(_sent_rows))
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def counting_sink(settings):
    with Sink(CountingAtData()) as running:
        use_smtp_server(settings, running.port)
        settings.NEWSLETTER_BATCH_SIZE = 3  # several claims, so marks cross batch ends
        yield running.handler


@pytest.fixture
def edition():
    daily = factories.newsletter()
    for email in READERS:
        factories.subscriber(daily, email)
    return services.create_edition(newsletter=daily, subject="Marks")


def _refuse_to_mark(delivery_id: int) -> None:
    """A trigger that makes the database refuse one row's "sent" mark."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_mark() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'mark refused'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_mark BEFORE UPDATE ON newsletter_delivery FOR EACH ROW "
                f"WHEN (NEW.status = 'sent' AND NEW.id = {delivery_id:d}) "
                "EXECUTE FUNCTION refuse_mark()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_mark BEFORE UPDATE ON newsletter_delivery "
                f"WHEN NEW.status = 'sent' AND NEW.id = {delivery_id:d} "
                "BEGIN SELECT RAISE(ABORT, 'mark refused'); END"
            )


def _slow_down_marks() -> None:
    """On PostgreSQL, a trigger that makes every "sent" mark take 50 ms: a message that left
    without waiting for the previous mark would find it not yet committed, every time."""
    if connection.vendor != "postgresql":
        return  # marks are written in line: nothing to race
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION slow_mark() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "PERFORM pg_sleep(0.05); RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER slow_mark BEFORE UPDATE ON newsletter_delivery FOR EACH ROW "
            "WHEN (NEW.status = 'sent') EXECUTE FUNCTION slow_mark()"
        )


@pytest.fixture
def triggers():
    """Drops the triggers a test made (nothing rolls them back: no test transaction)."""
    yield
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for name in ("refuse_mark", "slow_mark"):
            cursor.execute(
                f"DROP TRIGGER IF EXISTS {name}" + (" ON newsletter_delivery" if postgres else "")
            )
            if postgres:
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def test_every_message_leaves_only_after_the_previous_one_is_marked_sent(
    counting_sink, edition, triggers
):
    _slow_down_marks()
    sending.send_edition(edition=edition)

    assert counting_sink.sent_before_data == list(range(len(READERS)))
    assert counting_sink.rcpt_counts() == dict.fromkeys(READERS, 1)
    assert _sent_rows() == len(READERS)


def test_a_refused_mark_stops_the_send_before_another_message_leaves(
    counting_sink, edition, triggers
):
    sending.freeze_audience(edition=edition)
    third = edition.deliveries.order_by("id")[2]
    _slow_down_marks()
    _refuse_to_mark(third.pk)

    with pytest.raises(DatabaseError, match="mark refused"):
        sending.send_edition(edition=edition)

    # The third message left; its mark failed; the fourth never reached DATA. The third
    # row is still claimed, so it is sent again once the claim expires: one duplicate.
    assert counting_sink.sent_before_data == [0, 1, 2]
    assert Delivery.objects.get(pk=third.pk).status == Delivery.Status.SENDING
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="marks overlap sending on PostgreSQL only"
)
def test_on_postgresql_marks_overlap_sending_and_leave_no_connection_behind(
    counting_sink, edition
):
    def connections() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            return cursor.fetchone()[0]

    marks = SentMarks()
    assert marks.overlapping
    marks.close()
    with transaction.atomic():
        assert not SentMarks().overlapping  # its connection could not see the caller's rows
    before = connections()
    sending.send_edition(edition=edition)
    assert connections() == before
    assert counting_sink.sent_before_data == list(range(len(READERS)))
