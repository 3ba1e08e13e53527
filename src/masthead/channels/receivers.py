"""Wagtail's publish signal, handed to the channels' service (no logic here)."""

from __future__ import annotations

from masthead.channels import outbox, services
from masthead.lib import fanout
from masthead.newsroom.models import ArticlePage


def on_published(sender: type, instance: object, **kwargs: object) -> None:
    if not isinstance(instance, ArticlePage) or not instance.live or fanout.is_quiet():
        return
    # Only the first publish posts: Wagtail sets both dates to the same instant then, and
    # only last_published_at on every later publish (re-publish, edit, unpublish/publish).
    first, last = instance.first_published_at, instance.last_published_at
    if first is None or first != last:
        return
    outbox.queue(article=instance)


def on_post_migrate(sender: object, **kwargs: object) -> None:
    services.ensure_configured_channels()
