"""With the database queue, a burst of events is processed by drain tasks, not one task each.

The production default (django-tasks-db) run by its real worker (tests/audience/worker.py):
a webhook stores its event and enqueues ``process_received`` only when none is waiting, and
every stored event is processed exactly once, however the events and the drains interleave.
"""

from __future__ import annotations

import pytest
from django.test import TestCase
from django_tasks_db.models import DBTaskResult

from masthead.inbox import handlers, services, tasks
from masthead.inbox.models import Event
from tests.audience.worker import run_the_worker, use_database_queue

pytestmark = pytest.mark.django_db

DRAIN = tasks.process_received.module_path


@pytest.fixture
def seen(settings):
    """Event pks the "test" provider's handler was given, in order."""
    use_database_queue(settings)
    calls: list[int] = []
    handlers.register("test", lambda event: calls.append(event.pk))
    yield calls
    handlers._handlers.pop("test", None)


def receive(event_id: str, provider: str = "test:drain"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.receive(provider=provider, event_id=event_id, kind="k", payload={})


def queued() -> list[tuple[str, str]]:
    return list(DBTaskResult.objects.order_by("enqueued_at").values_list("task_path", "status"))


def test_a_burst_enqueues_one_drain_that_processes_every_event_once(seen):
    events = [receive(f"evt_{n}")[0] for n in range(5)]
    again = [receive(f"evt_{n}")[1] for n in (0, 3)]  # redeliveries

    assert again == [False, False]
    assert queued() == [(DRAIN, "READY")]
    run_the_worker()
    assert seen == [event.pk for event in events]
    assert set(Event.objects.values_list("status", flat=True)) == {Event.Status.PROCESSED}
    assert queued() == [(DRAIN, "SUCCESSFUL")]


def test_an_event_arriving_after_the_drain_was_claimed_gets_a_drain_of_its_own(seen):
    first, _ = receive("evt_first")
    running = DBTaskResult.objects.get()
    running.claim("another-worker")  # the worker has it: it may have read the events already
    second, _ = receive("evt_second")

    assert queued() == [(DRAIN, "RUNNING"), (DRAIN, "READY")]
    run_the_worker()
    assert seen == [first.pk, second.pk]


def test_a_long_burst_is_drained_in_batches_each_enqueueing_the_next(seen, monkeypatch):
    monkeypatch.setattr(services, "DRAIN_BATCH", 3)
    events = [receive(f"evt_{n}")[0] for n in range(7)]

    ran = run_the_worker()

    assert [row.return_value for row in ran] == [3, 3, 1]
    assert seen == [event.pk for event in events]


def test_a_failing_event_is_left_to_the_sweep_and_the_drain_moves_on(seen):
    handlers.register("test", lambda event: (_ for _ in ()).throw(OSError("down")))
    receive("evt_fails")

    ran = run_the_worker()

    assert [(row.status, row.return_value) for row in ran] == [("SUCCESSFUL", 1)]
    event = Event.objects.get()
    assert (event.status, event.attempts) == (Event.Status.FAILED, 1)
    assert event.next_attempt_at is not None


def test_without_the_database_queue_each_event_has_its_own_task(settings):
    calls: list[int] = []
    handlers.register("test", lambda event: calls.append(event.pk))
    try:
        event, _ = receive("evt_immediate")  # tests run the immediate backend
    finally:
        handlers._handlers.pop("test", None)
    assert calls == [event.pk]
    assert not DBTaskResult.objects.exists()
