"""Writes for the inbox: store an outside event once, process it in the worker, keep it tidy.

Policy (DESIGN.md, RELIABILITY.md §1): a webhook verifies the sender, then calls
``receive`` and answers 2xx; nothing else happens in the request. ``receive`` stores the
event once by (provider, event id): a redelivery finds the row and changes nothing. The
worker runs ``process``, which calls the handler an app registered (handlers.py) inside a
savepoint and records the outcome on the row: processed, ignored with a reason, or failed
with the error and the attempt count. A failed event is tried again by the scheduler with
a doubling wait, up to ``INBOX_MAX_ATTEMPTS``, or at once by an editor ("process again").
Payloads are kept ``INBOX_RETENTION_DAYS`` and then deleted; erasure scrubs a reader's
address from the ones still kept.

Every service here is idempotent.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import re

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.functions import Cast
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from masthead.inbox import handlers
from masthead.inbox.models import Event
from masthead.lib import prepared

log = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 2000
ERASED = "erased@invalid"
_DONE = (Event.Status.PROCESSED, Event.Status.IGNORED)
# A received event's task normally runs within seconds; after this, the sweep runs it.
STUCK_AFTER = dt.timedelta(minutes=5)
# Events one drain task processes before handing over to the next (see process_received).
DRAIN_BATCH = 200


class _Encoder(DjangoJSONEncoder):
    def default(self, o: object) -> object:
        try:
            return super().default(o)
        except TypeError:  # an SDK object in a raw payload: keep what it prints
            return str(o)


def json_ready(value: object) -> object:
    """``value`` as plain JSON data: dates as ISO text, QueryDicts as dicts of lists."""
    if hasattr(value, "lists"):  # a QueryDict (form-encoded webhooks)
        value = dict(value.lists())
    return json.loads(json.dumps(value, cls=_Encoder))


def receive(*, provider: str, event_id: str, kind: str, payload: object) -> tuple[Event, bool]:
    """Store one verified event and have it processed; (event, created).

    A second delivery of the same (provider, event id), even concurrent, returns the stored
    row with ``created`` False and enqueues nothing. Joins the caller's transaction; the
    processing is enqueued on commit.
    """
    event_id, kind = event_id[:255], kind[:100]
    using = router.db_for_write(Event)
    connection = connections[using]
    if connection.vendor in _UPSERT_VENDORS:
        event = _insert_once(connection, provider, event_id, kind, json_ready(payload))
    else:
        event = _create_once(using, provider, event_id, kind, json_ready(payload))
    if event is None:
        return _stored(using, provider, event_id), False
    transaction.on_commit(lambda: _enqueue(event), using=using)
    return event, True


# One "INSERT ... ON CONFLICT DO NOTHING RETURNING id" is all a webhook writes: no
# savepoint, no IntegrityError to catch, and outside a transaction no BEGIN/COMMIT, so
# SQLite's write lock is held for one statement (the ORM path cost a webhook twice as
# much, issue 9's bench). Both engines Masthead runs on have it (SQLite since 3.35).
_UPSERT_VENDORS = ("sqlite", "postgresql")
_COLUMNS = ("provider", "event_id", "kind", "payload", "status", "outcome", "attempts")


def _insert_once(
    connection: BaseDatabaseWrapper, provider: str, event_id: str, kind: str, payload: object
) -> Event | None:
    """Insert the event unless (provider, event id) is stored; the new row, else None."""
    event = Event(provider=provider, event_id=event_id, kind=kind, payload=payload)
    event.received_at = timezone.now()
    sql, defaults = _insert_sql(connection.alias, connection.vendor)
    # The fields adapt the values as the ORM would (JSON, aware datetimes, per engine);
    # the three strings need nothing, and the defaults were adapted once.
    payload_field, received_field = _PAYLOAD.field, _RECEIVED.field
    params = [
        provider,
        event_id,
        kind,
        payload_field.get_db_prep_save(event.payload, connection),
        *defaults,
        received_field.get_db_prep_save(event.received_at, connection),
    ]
    row = prepared.execute(connection, sql, params)
    if row is None:
        return None
    event.pk = row[0]
    event._state.adding, event._state.db = False, connection.alias
    return event


_PAYLOAD, _RECEIVED = Event.payload, Event.received_at  # their fields, for the insert


@functools.cache
def _insert_sql(alias: str, vendor: str) -> tuple[str, list[object]]:
    """The insert's SQL, and its three defaults (status, outcome, attempts) adapted."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = [Event._meta.get_field(name) for name in (*_COLUMNS, "received_at")]
    unique = [Event._meta.get_field(name).column for name in ("provider", "event_id")]
    table, pk = quote(Event._meta.db_table), quote(Event._meta.pk.column)
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    target = ", ".join(quote(column) for column in unique)
    # Names come from the model and are quoted; every value is a parameter.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({values})"  # noqa: S608
    sql += f" ON CONFLICT ({target}) DO NOTHING RETURNING {pk}"
    defaults = [
        field.get_db_prep_save(field.get_default(), connection)
        for field in fields
        if field.name in ("status", "outcome", "attempts")
    ]
    return sql, defaults


def _stored(using: str, provider: str, event_id: str) -> Event:
    """The stored row of a redelivery (a sixth of a burst's posts): its SQL compiled once.

    After ``ON CONFLICT DO NOTHING`` the conflicting row is committed (PostgreSQL waits for
    a concurrent insert to finish; SQLite holds one writer), so this read finds it.
    """
    connection = connections[using]
    if connection.vendor not in _UPSERT_VENDORS:
        return Event.objects.using(using).get(provider=provider, event_id=event_id)
    sql, order, converters = _stored_sql(using)
    values = {"provider": provider, "event_id": event_id}
    row = list(prepared.execute(connection, sql, [values[name] for name in order]))
    # What the ORM's compiler does with a row: the engine's and the fields' conversions.
    for index, (functions, expression) in converters:
        for convert in functions:
            row[index] = convert(row[index], expression, connection)
    return Event.from_db(using, [field.attname for field in Event._meta.concrete_fields], row)


@functools.cache
def _stored_sql(alias: str) -> tuple[str, list[str], list]:
    # Building the ORM's query took longer than running it (issue 9's bench). The names
    # stand in for the values so that their order in the SQL is known.
    query = Event.objects.using(alias).filter(provider="provider", event_id="event_id")
    compiler = query.order_by()[:1].query.get_compiler(alias)
    sql, params = compiler.as_sql()
    columns = [column for column, _, _ in compiler.select]
    assert [column.target for column in columns] == list(Event._meta.concrete_fields)  # noqa: S101
    return sql, list(params), list(compiler.get_converters(columns).items())


def _create_once(
    using: str, provider: str, event_id: str, kind: str, payload: object
) -> Event | None:
    """The ORM's way, for other engines: a savepoint, since a concurrent delivery may win."""
    try:
        with transaction.atomic(using=using):
            return Event.objects.using(using).create(
                provider=provider, event_id=event_id, kind=kind, payload=payload
            )
    except IntegrityError:
        return None


def _enqueue(event: Event) -> None:
    """Have a stored event processed (called on commit, so the worker finds the row)."""
    from masthead.inbox import tasks  # tasks imports this module

    if isinstance(tasks.process_received.get_backend(), DatabaseBackend):
        _request_drain()
        return
    # Elsewhere (Redis), one task per event: enqueueing costs the database nothing. A crash
    # between the commit and the enqueue (or a queue that was down) leaves the event
    # RECEIVED, and the sweep picks it up.
    tasks.process_event.enqueue(event_pk=event.pk)


def _request_drain() -> None:
    """Enqueue ``process_received`` unless one is already waiting in the database queue.

    Why: with the database queue a task is a second row written by every webhook (as
    costly as the event itself, issue 9's bench); a burst needs one drain, not one task
    per event. Why it loses nothing: this runs after the event's commit, and a drain
    reads the events only after the worker's claim of it has committed. So a drain seen
    waiting here has not read yet, and will find this event; one already claimed is not
    waiting, and a new one is enqueued. Two webhooks may both enqueue one: the second
    drain finds little or nothing to do. A crash before the enqueue leaves the event
    RECEIVED, and the sweep picks it up after ``STUCK_AFTER``.
    """
    from masthead.inbox import tasks

    drain = tasks.process_received
    connection = connections[router.db_for_read(DBTaskResult)]
    sql, params = _waiting_sql(connection.alias, drain.module_path, drain.backend)
    waiting = prepared.execute(connection, sql, params) is not None
    if not waiting:
        drain.enqueue()


@functools.cache
def _waiting_sql(alias: str, task_path: str, backend: str) -> tuple[str, tuple]:
    # The ORM writes the query once; building it took longer than running it.
    waiting = DBTaskResult.objects.using(alias).filter(
        status=TaskResultStatus.READY, task_path=task_path, backend_name=backend
    )
    return waiting.values("pk")[:1].query.get_compiler(alias).as_sql()


def process_received(*, batch: int | None = None) -> int:
    """Process the oldest ``batch`` events still waiting (the drain task); how many.

    If more are waiting, another drain is enqueued rather than looping here, so other
    tasks (a sign-in link, a receipt) take their turn between batches of a burst.
    """
    batch = batch or DRAIN_BATCH
    pending = list(
        Event.objects.filter(status=Event.Status.RECEIVED)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    for pk in pending:
        process(event_pk=pk)
    if len(pending) == batch:
        _request_drain()
    return len(pending)


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=settings.INBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


@transaction.atomic(durable=True)
def process(*, event_pk: int) -> Event:
    """Run the registered handler for one event, once, and record what came of it.

    The row is locked, so two workers cannot process one event together; a processed or
    ignored event is left alone. The handler runs in a savepoint: if it fails, its writes
    are rolled back and only the failure (error, attempts, next attempt) is recorded.
    """
    event = Event.objects.select_for_update().get(pk=event_pk)
    if event.status in _DONE:
        return event
    handler = handlers.handler_for(event.provider)
    now = timezone.now()
    try:
        if handler is None:
            raise handlers.Ignored(f"no handler is registered for {event.provider}")
        with transaction.atomic():
            handler(event)
    except handlers.Ignored as reason:
        event.status, event.outcome = Event.Status.IGNORED, str(reason)[:ERROR_MAX_LENGTH]
        event.next_attempt_at = None
    except Exception as exc:  # noqa: BLE001 (any handler error is recorded, then retried)
        event.attempts += 1
        event.status = Event.Status.FAILED
        event.outcome = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]
        event.next_attempt_at = now + _backoff(event.attempts)
        log.warning("inbox event %s (%s) failed: %s", event.pk, event.provider, event.outcome)
    else:
        event.status, event.outcome, event.next_attempt_at = Event.Status.PROCESSED, "", None
    event.processed_at = now
    event.save(update_fields=["status", "outcome", "attempts", "next_attempt_at", "processed_at"])
    return event


@transaction.atomic(durable=True)
def process_again(*, event: Event) -> bool:
    """An editor's "process again" on a failed event: enqueue it now; True if it was failed."""
    changed = Event.objects.filter(pk=event.pk, status=Event.Status.FAILED).update(
        status=Event.Status.RECEIVED, next_attempt_at=None
    )
    if changed:
        transaction.on_commit(lambda: _enqueue(event))
    return bool(changed)


def retry_due(*, now: dt.datetime | None = None) -> int:
    """Process every event that is due (the scheduler's sweep); how many.

    Due: a failed event whose wait is over and that has attempts left, and an event still
    waiting ``STUCK_AFTER`` after it arrived (its task was lost with a crashed process).
    """
    now = now or timezone.now()
    due = list(
        Event.objects.due_for_retry(
            now=now, max_attempts=settings.INBOX_MAX_ATTEMPTS, stuck_before=now - STUCK_AFTER
        ).values_list("pk", flat=True)
    )
    for pk in due:
        process(event_pk=pk)
    return len(due)


def purge_old(*, now: dt.datetime | None = None) -> int:
    """Delete events received more than ``INBOX_RETENTION_DAYS`` ago; how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.INBOX_RETENTION_DAYS)
    deleted, _ = Event.objects.filter(received_at__lt=cutoff).delete()
    return deleted


def _scrubbed(value: object, address: str) -> object:
    if isinstance(value, dict):
        return {key: _scrubbed(item, address) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, address) for item in value]
    if isinstance(value, str):
        # Every spelling of the address, whatever its case (re folds non-ASCII case too).
        return re.sub(re.escape(address), ERASED, value, flags=re.IGNORECASE)
    return value


@transaction.atomic
def scrub_address(*, email: str) -> int:
    """Replace ``email`` (any case) with ``erased@invalid`` in every stored payload; how many.

    Called by a reader's erasure, inside its transaction. The database narrows the rows
    by the address's longest ASCII run (SQLite folds only ASCII case, and may store
    non-ASCII letters JSON-escaped); Python then compares whole values case-insensitively
    and rewrites them one by one, so the JSON stays valid.
    """
    address = email.strip().lower()
    if not address:
        return 0
    rows = Event.objects.all()
    ascii_runs = re.findall(r"[\x21-\x7e]+", address)
    if ascii_runs:
        needle = max(ascii_runs, key=len)
        rows = rows.annotate(text=Cast("payload", models.TextField())).filter(
            text__icontains=needle
        )
    changed = 0
    for event in rows.select_for_update():
        payload = _scrubbed(event.payload, address)
        if payload != event.payload:
            event.payload = payload
            event.save(update_fields=["payload"])
            changed += 1
    return changed
