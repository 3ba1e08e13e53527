"""Background entry points for discovery; each calls one service with ids only."""

from __future__ import annotations

from django_tasks import task

from masthead.discovery import search_index, services


@task()
def update_related(article_ids: list[int]) -> None:
    services.update_related(article_ids)


@task()
def rebuild_related() -> None:
    services.rebuild_related()


@task()
def apply_related_choices(article_id: int) -> None:
    services.apply_choices(article_id)


@task()
def update_search_index(article_ids: list[int]) -> None:
    search_index.update(article_ids)
