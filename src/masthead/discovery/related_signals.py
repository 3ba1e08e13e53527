"""Publishing, unpublishing, editing or deleting an article recomputes related lists.

Signal receivers rather than admin hooks for the reason invalidation.py gives: articles
are also published by scheduled publishing, imports and the demo loader. Each receiver
only enqueues a task with the article's id; django-tasks enqueues it when the
transaction commits (ENQUEUE_ON_COMMIT), so the worker sees the published revision.
"""

from __future__ import annotations

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished

from masthead.newsroom.models import ArticlePage


def _article_changed(sender: type, instance: object, **kwargs: object) -> None:
    from masthead.discovery import tasks

    if isinstance(instance, ArticlePage):
        tasks.update_related.enqueue([instance.pk])


def connect() -> None:
    for signal in (page_published, page_unpublished):
        signal.connect(_article_changed, sender=ArticlePage, dispatch_uid=f"related.{id(signal)}")
    post_delete.connect(_article_changed, sender=ArticlePage, dispatch_uid="related.delete")
