"""Apply what the clock decides about memberships, checkouts and owed mail (funding/lifecycle.py).

Run by ``masthead scheduler`` every minute; idempotent."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from masthead.funding import lifecycle


class Command(BaseCommand):
    help = (
        "End complimentary and gift memberships past their end date, queue annual renewal "
        "reminders, expire checkouts open for a day, queue mail still owed, and count "
        "past-due memberships whose grace period is over."
    )

    def handle(self, *args: object, **options: object) -> None:
        result = lifecycle.sweep()
        if options["verbosity"] > 1:
            self.stdout.write(
                f"{result.lapsed} lapsed, {result.ended} ended, "
                f"{result.reminders_queued} reminder(s) queued, "
                f"{result.checkouts_expired} checkout(s) expired, "
                f"{result.mail_requeued} email(s) queued again"
            )
