"""Refit the related-posts engine on every published article and rewrite every list.

``masthead manage rebuild_related``: after an import, an upgrade of the engine, or to
fold a long run of incremental updates back into one fitted index.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from masthead.discovery import services
from masthead.discovery.models import RelatedList


class Command(BaseCommand):
    help = "Recompute the related posts of every published article."

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        changed = services.rebuild_related()
        self.stdout.write(
            f"{RelatedList.objects.count()} related lists stored, {len(changed)} changed, "
            f"in {time.monotonic() - started:.1f} s"
        )
