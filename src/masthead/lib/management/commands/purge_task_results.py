"""Delete finished background task rows past ``MASTHEAD_TASK_RETENTION_DAYS``.

Run by ``masthead scheduler`` every minute.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from masthead.lib import taskresults


class Command(BaseCommand):
    help = "Delete finished background task rows older than MASTHEAD_TASK_RETENTION_DAYS."

    def handle(self, *args: object, **options: object) -> None:
        purged = taskresults.purge_finished()
        if options["verbosity"] > 1:
            self.stdout.write(f"{purged} purged")
