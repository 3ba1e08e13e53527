"""Scheduled: webhook messages due for a retry, and those a dead worker left mid-attempt."""

from django.core.management.base import BaseCommand

from masthead.channels.webhooks import services


class Command(BaseCommand):
    help = "Queue webhook deliveries that are due (retries, and attempts a worker left)."

    def handle(self, *args: object, **options: object) -> None:
        counts = services.sweep()
        self.stdout.write(f"webhooks: {counts['due']} due, {counts['resumed']} resumed")
