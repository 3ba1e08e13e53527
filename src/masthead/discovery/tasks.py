"""Background entry points for discovery; each calls one service with ids only."""

from __future__ import annotations

from django_tasks import task

from masthead.discovery import services


@task()
def update_related(article_ids: list[int]) -> None:
    services.update_related(article_ids)


@task()
def rebuild_related() -> None:
    services.rebuild_related()


@task()
def apply_related_choices(article_id: int) -> None:
    services.apply_choices(article_id)
