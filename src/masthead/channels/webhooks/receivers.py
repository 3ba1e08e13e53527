"""Wagtail's publish and unpublish signals, handed to the webhook service (no logic here)."""

from __future__ import annotations

from masthead.channels.webhooks import services
from masthead.channels.webhooks.models import Event
from masthead.lib import fanout
from masthead.newsroom.models import ArticlePage


def on_published(sender: type, instance: object, **kwargs: object) -> None:
    # Bulk loads (the demo, imports) publish inside lib.fanout.quiet(): nothing goes out.
    if not isinstance(instance, ArticlePage) or not instance.live or fanout.is_quiet():
        return
    services.notify_article(article=instance, event=services.event_for_publish(instance))


def on_unpublished(sender: type, instance: object, **kwargs: object) -> None:
    if not isinstance(instance, ArticlePage) or fanout.is_quiet():
        return
    services.notify_article(article=instance, event=Event.ARTICLE_UNPUBLISHED)
