"""The crash-safe send of an edition: freezing its audience and working through its ledger.

The send is a ledger (RELIABILITY.md §2): one Delivery row per recipient is written before
anything is sent; rows are claimed (pending → sending) in small committed batches and each
is committed as sent right after the SMTP server accepts it. A worker killed at any point
leaves at most the message in flight unrecorded, so a restart sends it again (one
duplicate at most) and skips no one. Progress is never a cursor saved at fetch time
(listmonk#3022), and the edition ends only when no pending or sending row is left, never
because one batch came back empty (listmonk#1931).

The edition's lifecycle (draft, schedule, cancel, send now) is services.py's; the
scheduler and the send task come here.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from dataclasses import dataclass

from anymail.exceptions import AnymailError, AnymailInvalidAddress, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from masthead.audience import services as audience
from masthead.audience.models import DETAIL_MAX_LENGTH, Subscription, Suppression
from masthead.audience.queries import suppressed_among, suppression_key
from masthead.newsletter import emails, smtp
from masthead.newsletter.marks import SentMarks, relax_commits
from masthead.newsletter.models import Delivery, Edition
from masthead.newsroom import access

logger = logging.getLogger(__name__)

_OPEN = [Delivery.Status.PENDING, Delivery.Status.SENDING]


def send_due_editions(*, now: dt.datetime | None = None) -> list[Edition]:
    """Send every scheduled edition that is due and resume every interrupted one.

    The boot-time and periodic sweep: interrupted sends are found by their status in the
    database, not by a job that may have died with its worker (Ghost PR #30409).
    """
    now = now or timezone.now()
    due = Edition.objects.filter(
        Q(status=Edition.Status.SENDING)
        | Q(status=Edition.Status.SCHEDULED, scheduled_at__lte=now)
    )
    return [send_edition(edition=edition) for edition in due]


def send_edition(*, edition: Edition) -> Edition:
    """Send ``edition`` to its frozen audience, or resume it; returns it refreshed.

    Safe to call any number of times, from any number of workers: a sent, cancelled or
    stale edition is left alone and a sending one is resumed where its ledger says. Not a
    single transaction on purpose: each claim and each sent row is its own commit.
    """
    edition = _start(edition.pk)
    if edition.status != Edition.Status.SENDING:
        return edition
    if edition.frozen_at is None:
        freeze_audience(edition=edition)
    _send_ledger(edition)
    edition.refresh_from_db()
    return edition


def _start(edition_id: int) -> Edition:
    now = timezone.now()
    with transaction.atomic():
        edition = (
            Edition.objects.select_for_update().select_related("newsletter").get(pk=edition_id)
        )
        if edition.status == Edition.Status.SCHEDULED:
            if edition.scheduled_at and edition.scheduled_at > now:
                return edition  # not due yet
            late = now - (edition.scheduled_at or now)
            if late > dt.timedelta(hours=settings.NEWSLETTER_STALE_HOURS):
                # A restored backup must not mail a long-past edition (listmonk#1801).
                edition.status = Edition.Status.STALE
                edition.save(update_fields=["status"])
                logger.warning("edition %s is stale (%s late): not sent", edition.pk, late)
                return edition
        if edition.status in {Edition.Status.DRAFT, Edition.Status.SCHEDULED}:
            edition.status = Edition.Status.SENDING
            edition.save(update_fields=["status"])
    return edition


def _unsuppressed(rows: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The (id, address) rows whose address is not suppressed: one indexed query.

    Keys are made in Python by audience's one rule (queries.suppression_key), not by SQL
    LOWER(), which SQLite applies to ASCII letters only: "Ñu@…" must match "ñu@…".
    """
    suppressed = suppressed_among([email for _id, email in rows])
    return [(pk, email) for pk, email in rows if suppression_key(email) not in suppressed]


def freeze_audience(*, edition: Edition) -> None:
    """Write one pending Delivery per confirmed, unsuppressed subscriber, in batches.

    Streams subscribers by reader id (keyset pagination), never all in memory. Re-running
    it after a crash adds only the missing rows (unique edition+email). Records
    recipients and exclusions, so candidates = recipients + excluded can be checked.
    """
    size = settings.NEWSLETTER_BATCH_SIZE
    confirmed = Subscription.objects.filter(
        newsletter_id=edition.newsletter_id, status=Subscription.Status.CONFIRMED
    )
    last_reader_id, excluded = 0, 0
    while True:
        rows = list(
            confirmed.filter(reader_id__gt=last_reader_id)
            .order_by("reader_id")
            .values_list("reader_id", "reader__email")[:size]
        )
        if not rows:
            break
        recipients = _unsuppressed(rows)
        Delivery.objects.bulk_create(
            [Delivery(edition=edition, reader_id=pk, email=email) for pk, email in recipients],
            ignore_conflicts=True,
        )
        excluded += len(rows) - len(recipients)
        last_reader_id = rows[-1][0]
    _analyze_ledger()
    edition.frozen_at = timezone.now()
    edition.recipients_count = edition.deliveries.count()
    edition.excluded_count = excluded
    edition.save(update_fields=["frozen_at", "recipients_count", "excluded_count"])


def _analyze_ledger() -> None:
    """On PostgreSQL, refresh the planner's statistics of the ledger the freeze just filled.

    The freeze may have written more rows than the table held before, and autovacuum's
    analyze comes a minute later at best (never where it is off): until then claims and
    re-reads of 200 rows ran as scans of the whole table (bench/README.md). ANALYZE reads a
    sample of at most 30,000 rows and blocks no reader or writer.
    """
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        cursor.execute(f"ANALYZE {db.ops.quote_name(Delivery._meta.db_table)}")


class _Pacer:
    """Keeps to ``rate`` messages per second (0: as fast as the server takes them)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1 / rate if rate > 0 else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


def _send_ledger(edition: Edition) -> None:
    connection = get_connection()  # one connection, reused for every message
    composer = emails.Composer(edition, emails.edition_content(edition), connection)
    # The full piece of a members-only article: members' copies carry the body.
    members_composer = (
        emails.Composer(edition, emails.edition_content(edition, members=True), connection)
        if emails.varies_by_membership(edition)
        else None
    )
    outbox = _Outbox(connection, smtp.envelope_sender(connection), SentMarks())
    pacer = _Pacer(settings.NEWSLETTER_SEND_RATE)
    relax_commits(True)
    # Claims walk forward from the last row claimed (keyset), and sweep from the start again
    # only when that comes back empty: rows handed back for a retry sit behind the cursor,
    # and on PostgreSQL every row already claimed leaves a dead index entry in front of it
    # (the 100,000-reader send ran at half the 10,000 one's rate before this).
    after_id, release_at = 0, 0.0
    try:
        while True:
            if time.monotonic() >= release_at:
                _release_stale_claims(edition)
                release_at = time.monotonic() + settings.NEWSLETTER_CLAIM_SECONDS / 3
            batch = _claim_batch(edition, after_id=after_id)
            if batch:
                after_id = batch[-1].pk
                _send_batch(edition, composer, batch, outbox, pacer, members_composer)
                # Every row of the batch is settled before the next claim or the end.
                outbox.marks.confirm()
                continue
            if after_id:
                after_id, release_at = 0, 0.0  # sweep from the start before concluding
                continue
            if not edition.deliveries.filter(status__in=_OPEN).exists():
                break
            # Rows wait for a retry, or are held by another worker (alive or dead).
            time.sleep(min(_seconds_until_claimable(edition), 5.0))
    finally:
        try:
            outbox.marks.close()
        finally:
            relax_commits(False)
            _close_quietly(connection)
    Edition.objects.filter(pk=edition.pk, status=Edition.Status.SENDING).update(
        status=Edition.Status.SENT, finished_at=timezone.now()
    )


def _release_stale_claims(edition: Edition) -> None:
    # A row still "sending" after the claim timeout belongs to a dead worker: the message
    # may or may not have left, so it is sent again (the bounded duplicate window, I2).
    cutoff = timezone.now() - dt.timedelta(seconds=settings.NEWSLETTER_CLAIM_SECONDS)
    edition.deliveries.filter(status=Delivery.Status.SENDING, claimed_at__lt=cutoff).update(
        status=Delivery.Status.PENDING, claimed_at=None
    )


def _seconds_until_claimable(edition: Edition) -> float:
    now = timezone.now()
    waits = [0.05]
    retry = (
        edition.deliveries.filter(status=Delivery.Status.PENDING, next_attempt_at__gt=now)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    claim = (
        edition.deliveries.filter(status=Delivery.Status.SENDING)
        .order_by("claimed_at")
        .values_list("claimed_at", flat=True)
        .first()
    )
    if retry:
        waits.append((retry - now).total_seconds())
    if claim:
        expiry = claim + dt.timedelta(seconds=settings.NEWSLETTER_CLAIM_SECONDS)
        waits.append((expiry - now).total_seconds())
    return max(waits)


def _claim_batch(edition: Edition, *, after_id: int = 0) -> list[Delivery]:
    """Move up to one batch of due pending rows past ``after_id`` to sending, committed
    before any send."""
    now = timezone.now()
    with transaction.atomic():
        # SKIP LOCKED on PostgreSQL lets several workers share an edition; SQLite ignores
        # it and serialises writers instead (transaction_mode IMMEDIATE).
        ids = list(
            edition.deliveries.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, id__gt=after_id)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("id")
            .values_list("id", flat=True)[: settings.NEWSLETTER_BATCH_SIZE]
        )
        Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.SENDING, claimed_at=now)
    return list(Delivery.objects.filter(pk__in=ids).order_by("id"))


def _still_eligible(edition: Edition, batch: list[Delivery]) -> set[int]:
    """Rows whose reader is still confirmed and not suppressed, checked at send time."""
    confirmed = Subscription.objects.filter(
        reader_id=OuterRef("reader_id"),
        newsletter_id=edition.newsletter_id,
        status=Subscription.Status.CONFIRMED,
    )
    # Exists in the selected columns, not in WHERE: the plan starts from the batch's rows
    # whatever the statistics say. In WHERE, PostgreSQL without statistics of a freshly
    # imported audience looped over every subscriber and probed the ledger for each (40 ms
    # per batch of 200 at 20,000 readers, growing with the audience; bench/README.md).
    rows = (
        Delivery.objects.filter(pk__in=[row.pk for row in batch], reader__isnull=False)
        .annotate(confirmed=Exists(confirmed))
        .values_list("pk", "email", "confirmed")
    )
    candidates = [(pk, email) for pk, email, confirmed in rows if confirmed]
    return {pk for pk, _email in _unsuppressed(candidates)}


@dataclass
class _Outbox:
    """Where a send's messages go: the SMTP (or ESP) backend's connection, the envelope
    sender of prebuilt copies (None when the backend sends everything), and the marks."""

    connection: object
    sender: str | None
    marks: SentMarks


def _send_batch(
    edition: Edition,
    composer: emails.Composer,
    batch: list[Delivery],
    outbox: _Outbox,
    pacer: _Pacer,
    members_composer: emails.Composer | None = None,
) -> None:
    eligible = _still_eligible(edition, batch)
    skipped = [row.pk for row in batch if row.pk not in eligible]
    Delivery.objects.filter(pk__in=skipped, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.SKIPPED
    )
    rows = [row for row in batch if row.pk in eligible]
    # Asked at send time, one query per batch: a membership that ended since the audience
    # was frozen no longer gets the members' copy.
    members = access.members_among([row.reader_id for row in rows]) if members_composer else set()
    # Give rows back before our claim could look dead to another worker: every send ends
    # within EMAIL_TIMEOUT, and the claim lasts NEWSLETTER_CLAIM_SECONDS (3 times by default).
    deadline = time.monotonic() + settings.NEWSLETTER_CLAIM_SECONDS - settings.EMAIL_TIMEOUT
    for index, row in enumerate(rows):
        if index and time.monotonic() > deadline:  # at least one send per claim
            _release([r.pk for r in rows[index:]])
            return
        pacer.wait()
        chosen = members_composer if row.reader_id in members else composer
        if not _send_one(edition, chosen, row, outbox):
            # The server is unreachable: hand the rest back and let the loop wait.
            _release([r.pk for r in rows[index + 1 :]])
            return


def _release(ids: list[int]) -> None:
    Delivery.objects.filter(pk__in=ids, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.PENDING, claimed_at=None
    )


def _send_one(edition: Edition, composer: emails.Composer, row: Delivery, outbox: _Outbox) -> bool:
    """Send one row and record the outcome; False when no connection could be opened."""
    connection = outbox.connection
    message_id = emails.message_id(edition=edition, delivery_id=row.pk)
    try:
        message = composer.message(row, connection, stable_id=message_id)
    except ValueError as exc:  # a malformed address or header: this row only (gitpod#1791)
        _fail(row, message_id, f"cannot build message: {exc}")
        return True
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        _retry_later(row, message_id, f"connection: {exc}")
        _close_quietly(connection)
        return False
    try:
        if outbox.sender and isinstance(message, emails.PrebuiltMessage):
            # The previous row's mark is confirmed before this message's DATA (marks.py).
            smtp.send(connection, message, sender=outbox.sender, before_data=outbox.marks.confirm)
        else:
            outbox.marks.confirm()
            connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()), (0, b""))
        _handle_reply(row, message_id, code, reply)
    except smtplib.SMTPResponseException as exc:
        _handle_reply(row, message_id, exc.smtp_code, exc.smtp_error)
        if isinstance(exc, smtplib.SMTPSenderRefused) or exc.smtp_code == 421:
            _close_quietly(connection)
    except (AnymailRecipientsRefused, AnymailInvalidAddress) as exc:
        # An ESP refused the recipient (its own suppression list, a bad address): final.
        # Its bounce or complaint webhook, if any, suppresses the address (tracking.py).
        _fail(row, message_id, f"{type(exc).__name__}: {exc}")
    except AnymailError as exc:  # the ESP's API failed, timed out or was down: later
        _retry_later(row, message_id, f"{type(exc).__name__}: {exc}")
    except ValueError as exc:  # Django refused an address or header when sending: final
        _fail(row, message_id, f"cannot build message: {exc}")
    except (smtplib.SMTPException, OSError) as exc:  # dropped connection, timeout
        _retry_later(row, message_id, f"{type(exc).__name__}: {exc}")
        _close_quietly(connection)
    else:
        outbox.marks.mark(row.pk, message_id)
    return True


def _handle_reply(row: Delivery, message_id: str, code: int, reply: bytes | str) -> None:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    if code >= 500:
        _fail(row, message_id, f"{code} {text}")
        if code == 550 or text.startswith("5.1.1"):
            # The mailbox does not exist: never mail it again (listmonk's hard-bounce policy).
            audience.suppress(
                email=row.email, reason=Suppression.Reason.HARD_BOUNCE, detail=f"{code} {text}"
            )
    else:
        _retry_later(row, message_id, f"{code} {text}")


def _fail(row: Delivery, message_id: str, error: str) -> None:
    Delivery.objects.filter(pk=row.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.FAILED,
        attempts=F("attempts") + 1,
        last_error=error[:DETAIL_MAX_LENGTH],
        message_id=message_id,
    )


def _retry_later(row: Delivery, message_id: str, error: str) -> None:
    attempts = row.attempts + 1
    if attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
        _fail(row, message_id, error)
        return
    delay = settings.NEWSLETTER_RETRY_SECONDS * 2 ** (attempts - 1)
    Delivery.objects.filter(pk=row.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.PENDING,
        attempts=attempts,
        last_error=error[:DETAIL_MAX_LENGTH],
        message_id=message_id,
        claimed_at=None,
        next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
    )


def _close_quietly(connection: object) -> None:
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        logger.info("closing the SMTP connection failed", exc_info=True)
        if hasattr(connection, "connection"):
            connection.connection = None
