"""Process again the failed events whose wait is over, and delete events past retention.

Run by ``masthead scheduler`` every minute.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from masthead.inbox import services


class Command(BaseCommand):
    help = "Retry failed inbox events that are due and purge events past retention."

    def handle(self, *args: object, **options: object) -> None:
        retried = services.retry_due()
        purged = services.purge_old()
        if options["verbosity"] > 1:
            self.stdout.write(f"{retried} retried, {purged} purged")
