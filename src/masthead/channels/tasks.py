"""Background entry points for the channels; each calls one service. Tasks carry ids only."""

from __future__ import annotations

from django_tasks import task

from masthead.channels import outbox, services
from masthead.channels.models import TelegramChannel
from masthead.channels.whatsapp import sending as whatsapp


@task()
def fan_out(article_id: int) -> None:
    outbox.run(article_id=article_id)


@task()
def deliver_channel(channel_id: int) -> None:
    channel = TelegramChannel.objects.filter(pk=channel_id).first()
    if channel is not None:  # deleted since: its posts went with it
        services.deliver_channel(channel=channel)


@task()
def deliver_whatsapp() -> None:
    whatsapp.deliver()
