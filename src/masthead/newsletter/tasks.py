"""Background entry points for newsletters; each calls one service."""

from __future__ import annotations

from django_tasks import task

from masthead.newsletter import sending
from masthead.newsletter.models import Edition


@task()
def send_edition(edition_id: int) -> None:
    sending.send_edition(edition=Edition.objects.get(pk=edition_id))


@task()
def send_due_editions() -> None:
    sending.send_due_editions()
