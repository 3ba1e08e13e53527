"""Send due scheduled editions and resume interrupted ones: run at worker start or by cron.

A send is resumed from its Delivery ledger, not from a queued job, so an edition whose
worker was killed (kill -9, a reboot) is finished by the next run of this command.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from masthead.newsletter import sending


class Command(BaseCommand):
    help = "Send scheduled newsletter editions that are due and resume interrupted sends."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="keep running, checking again every SECONDS (default: run once)",
        )

    def handle(self, *args: object, every: int, **options: object) -> None:
        while True:
            for edition in sending.send_due_editions():
                self.stdout.write(f"edition {edition.pk}: {edition.status}")
            if every <= 0:
                return
            time.sleep(every)
