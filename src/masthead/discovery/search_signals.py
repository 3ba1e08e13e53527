"""What changes an article's search document enqueues its update (issue 12 §2).

Receivers rather than admin hooks, as in related_signals.py: scheduled publishing, imports
and the demo loader publish too. Each only enqueues a task with ids; the worker reads the
live revision. Deleting an article deletes its document by cascade.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from masthead.newsroom.models import ArticleByline, ArticlePage, ArticleSubject, Contributor


def _enqueue(article_ids: list[int]) -> None:
    from masthead.discovery import tasks

    if article_ids:
        tasks.update_search_index.enqueue(sorted(set(article_ids)))


def _article_changed(sender: type, instance: object, **kwargs: object) -> None:
    if isinstance(instance, ArticlePage):
        _enqueue([instance.pk])


def _page_moved(sender: type, instance: Page, **kwargs: object) -> None:
    # A moved section takes its articles along: their section (and maybe their public
    # state) changed.
    moved = Page.objects.filter(path__startswith=instance.path).type(ArticlePage)
    _enqueue(list(moved.values_list("pk", flat=True)))


def _contributor_saved(sender: type, instance: Contributor, **kwargs: object) -> None:
    # A renamed contributor is found by the new name on every article that names them.
    ids = [
        *ArticleByline.objects.filter(contributor=instance).values_list("page_id", flat=True),
        *ArticleSubject.objects.filter(contributor=instance).values_list("page_id", flat=True),
    ]
    _enqueue(ids)


def connect() -> None:
    for signal in (page_published, page_unpublished):
        signal.connect(_article_changed, sender=ArticlePage, dispatch_uid=f"search.{id(signal)}")
    post_page_move.connect(_page_moved, dispatch_uid="search.moved")
    post_save.connect(_contributor_saved, sender=Contributor, dispatch_uid="search.contributor")
