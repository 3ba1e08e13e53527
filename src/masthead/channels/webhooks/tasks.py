"""Background entry points for outgoing webhooks; each calls one service. Ids only."""

from __future__ import annotations

from django_tasks import task

from masthead.channels.webhooks import services


@task()
def deliver_webhook(delivery_id: int) -> None:
    services.deliver(delivery_id=delivery_id)
