"""Adds demo content to the search index at once.

Wagtail indexes a saved page in a background task, and so does site search
(discovery/search_index); both wait for a worker. The demo should be searchable as soon as
the loader returns, worker or not.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Model
from wagtail.search.backends import get_search_backends

from masthead.discovery import search_index as site_search_index
from masthead.newsroom.models import ArticlePage


def add_now(model: type[Model], objects: Sequence[Model]) -> None:
    """Index ``objects`` (all of ``model``) in every backend that indexes on save."""
    if not objects:
        return
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(model, list(objects))
    if issubclass(model, ArticlePage):
        # The site search page's own index (discovery/search_index), which the worker
        # would otherwise fill on publish.
        site_search_index.update([obj.pk for obj in objects])
