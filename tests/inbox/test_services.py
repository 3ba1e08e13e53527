"""The inbox: every outside event stored once, processed in the worker, its outcome recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import TestCase
from django.utils import timezone

from masthead.audience.models import Suppression
from masthead.inbox import handlers, services
from masthead.inbox.models import Event

pytestmark = pytest.mark.django_db

Status = Event.Status


@pytest.fixture
def calls():
    """A handler for the provider "test", recording what it was given."""
    seen: list[int] = []
    behaviour = {"do": lambda event: None}

    def handler(event: Event) -> None:
        seen.append(event.pk)
        behaviour["do"](event)

    handlers.register("test", handler)
    yield seen, behaviour
    handlers._handlers.pop("test", None)


def receive(event_id: str = "evt_1", payload: object = None, provider: str = "test:one"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.receive(
            provider=provider, event_id=event_id, kind="thing.happened", payload=payload or {}
        )


class TestReceive:
    def test_an_event_is_stored_and_processed_once_however_often_it_is_delivered(self, calls):
        seen, _ = calls
        first, created = receive()
        again = [receive() for _ in range(4)]

        assert created is True
        assert [was_created for _event, was_created in again] == [False] * 4
        assert Event.objects.count() == 1
        assert seen == [first.pk]
        first.refresh_from_db()
        assert (first.status, first.attempts, first.outcome) == (Status.PROCESSED, 0, "")

    def test_the_same_id_from_another_provider_is_another_event(self, calls):
        receive(provider="test:one")
        receive(provider="test:two")
        assert Event.objects.count() == 2

    def test_payloads_are_stored_as_plain_json(self, calls):
        moment = dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC)
        event, _ = receive(payload={"at": moment, "nested": {"n": 1}, "sdk": object()})
        event.refresh_from_db()
        assert event.payload["at"] == "2026-03-01T12:30:00Z"
        assert event.payload["nested"] == {"n": 1}
        assert event.payload["sdk"].startswith("<object object")


class TestProcess:
    def test_an_event_the_handler_ignores_says_why(self, calls):
        _, behaviour = calls

        def ignore(event):
            raise handlers.Ignored("a soft bounce: the ESP retries it")

        behaviour["do"] = ignore
        event, _ = receive()
        event.refresh_from_db()
        assert (event.status, event.outcome) == (
            Status.IGNORED,
            "a soft bounce: the ESP retries it",
        )

    def test_an_event_nobody_handles_is_ignored_with_a_reason(self):
        event, _ = receive(provider="nobody")
        event.refresh_from_db()
        assert event.status == Status.IGNORED
        assert "no handler" in event.outcome

    def test_a_failing_handler_leaves_no_half_writes_and_records_the_error(self, calls):
        _, behaviour = calls

        def fail(event):
            Suppression.objects.create(email="half@example.org", reason="manual")
            raise RuntimeError("the database said no")

        behaviour["do"] = fail
        event, _ = receive()
        event.refresh_from_db()

        assert not Suppression.objects.exists()
        assert event.status == Status.FAILED
        assert event.attempts == 1
        assert event.outcome == "RuntimeError: the database said no"
        assert event.next_attempt_at > timezone.now()

    def test_a_processed_event_is_not_processed_again(self, calls):
        seen, _ = calls
        event, _ = receive()
        services.process(event_pk=event.pk)
        assert seen == [event.pk]


class TestRetries:
    def test_the_sweep_retries_failed_events_when_their_wait_is_over(self, calls):
        seen, behaviour = calls
        behaviour["do"] = lambda event: (_ for _ in ()).throw(OSError("down"))
        event, _ = receive()
        assert services.retry_due() == 0  # its wait is not over

        later = timezone.now() + dt.timedelta(hours=1)
        behaviour["do"] = lambda event: None
        assert services.retry_due(now=later) == 1
        event.refresh_from_db()
        assert event.status == Status.PROCESSED
        assert len(seen) == 2

    def test_the_wait_doubles_and_retries_stop_at_the_limit(self, calls, settings):
        settings.INBOX_MAX_ATTEMPTS = 3
        _, behaviour = calls
        behaviour["do"] = lambda event: (_ for _ in ()).throw(OSError("down"))
        event, _ = receive()
        waits = []
        far = timezone.now() + dt.timedelta(days=1)
        for _ in range(5):
            event.refresh_from_db()
            waits.append(event.next_attempt_at - event.processed_at)
            services.retry_due(now=far)
        event.refresh_from_db()
        assert event.attempts == 3
        assert waits[1] == 2 * waits[0]

    def test_an_event_whose_task_was_lost_is_picked_up_by_the_sweep(self, calls):
        seen, _ = calls
        # Stored, but the process died before its task was enqueued.
        event = Event.objects.create(provider="test:one", event_id="lost", payload={})
        assert services.retry_due() == 0
        assert services.retry_due(now=timezone.now() + services.STUCK_AFTER * 2) == 1
        assert seen == [event.pk]

    def test_an_editor_can_process_a_failed_event_again_but_not_a_processed_one(self, calls):
        _, behaviour = calls
        behaviour["do"] = lambda event: (_ for _ in ()).throw(OSError("down"))
        event, _ = receive()
        behaviour["do"] = lambda event: None
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert services.process_again(event=event) is True
        event.refresh_from_db()
        assert event.status == Status.PROCESSED
        assert services.process_again(event=event) is False


class TestRetention:
    def test_events_past_retention_are_purged_and_recent_ones_kept(self, calls, settings):
        settings.INBOX_RETENTION_DAYS = 90
        old, _ = receive("old")
        receive("recent")
        Event.objects.filter(pk=old.pk).update(received_at=timezone.now() - dt.timedelta(days=91))
        assert services.purge_old() == 1
        assert list(Event.objects.values_list("event_id", flat=True)) == ["recent"]

    def test_erasure_scrubs_an_address_from_every_payload_in_any_case(self, calls):
        receive(
            "a",
            {
                "recipient": "Ana.Ñu@Example.org",
                "raw": {"to": ["x@example.org", "ana.ñu@example.org"]},
            },
        )
        receive("b", {"description": "bounce for <ANA.ÑU@example.org>: 550"})
        receive("c", {"recipient": "bob@example.org"})

        assert services.scrub_address(email="ana.ñu@example.org") == 2

        payloads = {e.event_id: e.payload for e in Event.objects.all()}
        assert payloads["a"] == {
            "recipient": "erased@invalid",
            "raw": {"to": ["x@example.org", "erased@invalid"]},
        }
        assert payloads["b"] == {"description": "bounce for <erased@invalid>: 550"}
        assert payloads["c"] == {"recipient": "bob@example.org"}
