"""Background entry points for the inbox; each calls one service."""

from __future__ import annotations

from django_tasks import task

from masthead.inbox import services


@task()
def process_event(event_pk: int) -> None:
    services.process(event_pk=event_pk)
