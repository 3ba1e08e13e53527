"""Rewrite the search documents of every live, public article, and the engine's index.

``masthead manage rebuild_search_index``: after an upgrade that added search (migration
discovery 0002 starts empty), an import that bypassed publishing, or to repair the index.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from masthead.discovery import search_index


class Command(BaseCommand):
    help = "Rebuild site search's index from the live, public articles."

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        written = search_index.rebuild()
        self.stdout.write(
            f"{written} articles indexed for search in {time.monotonic() - started:.1f} s"
        )
