"""The "sent" checkpoint of a send: each row is committed as sent after the server's 250.

The rule the ledger keeps (RELIABILITY.md §2, I2): a worker killed at any moment leaves at
most one message sent and not recorded. On PostgreSQL the mark is a round trip to the
server, and the sending loop used to wait for it before the next message's first SMTP
command. ``SentMarks`` writes it from a second thread instead, while the loop goes on with
the next message's MAIL and RCPT, and waits for it (``confirm``) before that message's
DATA: the previous mark is committed before another message can leave, so the window is
still one message.

The overlap needs the mark's own database connection, which cannot see a caller's
uncommitted rows: inside a transaction (a test's, or an atomic block) the mark is written
on the caller's connection, in line, as before.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connection as db
from django.utils import timezone

from masthead.lib import prepared
from masthead.newsletter.models import Delivery


class SentMarks:
    """Marks rows sent for one sending loop; ``close`` when the loop ends, whatever the end."""

    def __init__(self) -> None:
        self._pending: Future | None = None
        # One thread, so marks are written in order, each on the thread's own connection.
        self._thread = (
            ThreadPoolExecutor(1, thread_name_prefix="sent-marks")
            if db.vendor == "postgresql" and not db.in_atomic_block
            else None
        )

    @property
    def overlapping(self) -> bool:
        """True when marks are written from their own thread, overlapping the next send."""
        return self._thread is not None

    def mark(self, delivery_id: int, message_id: str) -> None:
        """Record ``delivery_id`` as sent; in the background when the loop may overlap it."""
        if self._thread is None:
            _mark_sent(delivery_id, message_id)
            return
        self.confirm()
        self._pending = self._thread.submit(_mark_on_own_connection, delivery_id, message_id)

    def confirm(self) -> None:
        """Wait until the last mark is committed; its error, if it failed, is raised here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Confirm the last mark and close the thread's connection."""
        if self._thread is None:
            return
        try:
            self.confirm()
        finally:
            self._thread.submit(_close_own_connection).result()
            self._thread.shutdown()


def _mark_on_own_connection(delivery_id: int, message_id: str) -> None:
    if db.connection is None:  # the thread's first mark opens its connection
        relax_commits(True)
    _mark_sent(delivery_id, message_id)


def _close_own_connection() -> None:
    db.close()  # ``db`` names the calling thread's connection: look it up in the thread


def _mark_sent(delivery_id: int, message_id: str) -> None:
    """Record one row as sent, in its own commit: the checkpoint after the server's 250.

    The same as ``Delivery.objects.filter(pk=…, status=SENDING).update(…)``, written as one
    statement because the ORM's query building was a fifth of the time per message
    (bench/newsletter.py). Autocommit makes it its own transaction. On PostgreSQL it is a
    HOT update (no indexed column changes, models.py) and prepared once per connection.
    """
    table = db.ops.quote_name(Delivery._meta.db_table)
    sent_at = db.ops.adapt_datetimefield_value(timezone.now())
    prepared.execute(
        db,
        f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1, "  # noqa: S608 (the table name is ours)
        "message_id = %s, last_error = '' WHERE id = %s AND status = %s",
        [Delivery.Status.SENT, sent_at, message_id, delivery_id, Delivery.Status.SENDING],
    )


def relax_commits(on: bool) -> None:
    """On PostgreSQL, let this connection's commits return before the WAL reaches the disk.

    One durable commit per sent row cost 3 to 10 ms of fsync, ten times the SMTP round trip
    (bench/newsletter.py). What this trades: if the PostgreSQL server itself crashes, the
    last fraction of a second of "sent" marks may be forgotten and those rows are sent
    again (duplicates, never a skip). A killed worker loses nothing more than before: its
    commits are already in the server. SQLite's WAL with synchronous=NORMAL is the same
    trade already (settings.py).
    """
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off" if on else "RESET synchronous_commit")
