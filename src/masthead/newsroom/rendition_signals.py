"""What a reader will see an image in enqueues its renditions (``renditions``).

Receivers rather than admin hooks, as in discovery/search_signals.py: scheduled publishing,
imports and the demo loader publish too. Each only enqueues a task with an id, which a
worker sees once the transaction commits (lib/rq_backend.py), so it reads what was saved.

Not inside a bulk load (``fanout.quiet()``: the demo, imports): forty renditions for each of
thousands of pages would hold the queue for hours (and, on the immediate backend, the load
itself). A loader enqueues what it wants made first (demo/loader.py does for its
photographs); anything else is made on its first view, once.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from wagtail.images import get_image_model
from wagtail.signals import page_published

from masthead.lib import fanout
from masthead.newsroom.models import ArticlePage, Contributor, PublicationSettings


def _published(sender: type, instance: ArticlePage, **kwargs: object) -> None:
    from masthead.newsroom import tasks

    if not fanout.is_quiet():
        tasks.make_article_renditions.enqueue(instance.pk)


def _image_saved(sender: type, instance: object, created: bool, **kwargs: object) -> None:
    from masthead.newsroom import tasks

    # A new image is used nowhere yet: its first publish makes what it needs. An edited one
    # may have a new file or focal point, which changes its renditions.
    if not created and not fanout.is_quiet():
        tasks.make_image_renditions.enqueue(instance.pk)


def _contributor_saved(sender: type, instance: Contributor, **kwargs: object) -> None:
    from masthead.newsroom import tasks

    if instance.photo_id and not fanout.is_quiet():
        tasks.make_portrait_renditions.enqueue(instance.pk)


def _settings_saved(sender: type, instance: PublicationSettings, **kwargs: object) -> None:
    from masthead.newsroom import tasks

    if instance.logo_id and not fanout.is_quiet():
        tasks.make_logo_renditions.enqueue(instance.pk)


def connect() -> None:
    page_published.connect(_published, sender=ArticlePage, dispatch_uid="renditions.published")
    post_save.connect(_image_saved, sender=get_image_model(), dispatch_uid="renditions.image")
    post_save.connect(_contributor_saved, sender=Contributor, dispatch_uid="renditions.person")
    post_save.connect(_settings_saved, sender=PublicationSettings, dispatch_uid="renditions.logo")
