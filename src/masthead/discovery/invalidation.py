"""When reader-visible content changes, every cached page is made stale.

These are signal receivers, against STYLE.md's habit of hooks, on purpose: Wagtail's
admin hooks fire only for edits made in the admin, while pages are also published by the
scheduled-publishing command, the demo loader and services. Each receiver only calls
``pagecache.invalidate_all``.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from masthead.lib import pagecache

# Apps whose rows show up on reader pages: pages and sites, contributors and settings,
# images (hero, photos, logo), topics, redirects.
_READER_VISIBLE_APPS = {"newsroom", "wagtailcore", "wagtailimages", "taggit", "wagtailredirects"}
# Rows in those apps that never change what a reader sees.
_IGNORED_MODELS = {
    "wagtailcore.revision",
    "wagtailcore.pagelogentry",
    "wagtailcore.modellogentry",
    "wagtailcore.taskstate",
    "wagtailcore.workflowstate",
    "wagtailcore.pagesubscription",
    "wagtailcore.referenceindex",
    "wagtailimages.rendition",
}


# Single models of other apps that readers see: the newsletters on the sign-up form.
# (Readers, subscriptions and deliveries change all the time and show on no shared page.)
_READER_VISIBLE_MODELS = {"audience.newsletter"}


def _changed(sender: type, **kwargs: object) -> None:
    meta = sender._meta
    if meta.label_lower in _READER_VISIBLE_MODELS or (
        meta.app_label in _READER_VISIBLE_APPS and meta.label_lower not in _IGNORED_MODELS
    ):
        pagecache.invalidate_all()


def _page_event(sender: type, **kwargs: object) -> None:
    pagecache.invalidate_all()


def connect() -> None:
    post_save.connect(_changed, dispatch_uid="masthead.pagecache.save")
    post_delete.connect(_changed, dispatch_uid="masthead.pagecache.delete")
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_page_event, dispatch_uid=f"masthead.pagecache.{id(signal)}")
