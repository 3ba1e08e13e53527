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
    # Also a deletion: Wagtail unpublishes each live page it is about to delete (its
    # pre_delete receiver, for every page under a deleted section too), so endpoints get
    # one article.unpublished per live article deleted, none for a draft. A pre_delete
    # receiver here would send a second (tests/channels/test_webhooks.py, TestDeletion).
    if not isinstance(instance, ArticlePage) or fanout.is_quiet():
        return
    services.notify_article(article=instance, event=Event.ARTICLE_UNPUBLISHED)
