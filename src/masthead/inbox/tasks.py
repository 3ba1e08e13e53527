"""Background entry points for the inbox; each calls one service."""

from __future__ import annotations

from django_tasks import task

from masthead.inbox import services


@task()
def process_event(event_pk: int) -> None:
    services.process(event_pk=event_pk)


@task()
def process_received() -> int:
    # With the database queue, one drain per burst instead of one task per event.
    return services.process_received()
