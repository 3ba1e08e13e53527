"""Publishing, unpublishing, editing or deleting an article recomputes related lists.

Signal receivers rather than admin hooks for the reason invalidation.py gives: articles
are also published by scheduled publishing, imports and the demo loader. Each receiver
only enqueues a task with the article's id; a worker sees it only once the transaction
commits (the database backend's job row commits with it; lib/rq_backend.py holds an RQ
job back until then), so the worker reads the published revision.
"""

from __future__ import annotations

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished

from masthead.discovery.invalidation import related_tag
from masthead.discovery.signals import related_lists_changed
from masthead.lib import pagecache
from masthead.newsroom.models import ArticlePage


def _article_changed(sender: type, instance: object, **kwargs: object) -> None:
    from masthead.discovery import tasks

    if isinstance(instance, ArticlePage):
        tasks.update_related.enqueue([instance.pk])


def _lists_changed(sender: type, article_ids: list[int], **kwargs: object) -> None:
    # Only the related-posts boxes showing these lists are stale: each is a page-cache
    # hole's fragment (theme/fragments.py) that depends on its article's related tag.
    # (A rebuild's tens of thousands move everything at once: pagecache.MAX_TAGS.)
    if article_ids:
        pagecache.invalidate([related_tag(pk) for pk in article_ids])


def connect() -> None:
    related_lists_changed.connect(_lists_changed, dispatch_uid="related.lists_changed")
    for signal in (page_published, page_unpublished):
        signal.connect(_article_changed, sender=ArticlePage, dispatch_uid=f"related.{id(signal)}")
    post_delete.connect(_article_changed, sender=ArticlePage, dispatch_uid="related.delete")
