"""Fail the reader imports whose worker stopped, and forget old imports' bad rows (issue 8).

Run by ``masthead scheduler``."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from masthead.audience import import_jobs


class Command(BaseCommand):
    help = (
        "Mark reader imports that have not moved for 30 minutes as failed, and drop the bad "
        "rows of imports that ended 30 days ago."
    )

    def handle(self, *args: object, **options: object) -> None:
        failed = import_jobs.fail_stuck()
        forgotten = import_jobs.forget_old_problems()
        if options["verbosity"] > 1:
            self.stdout.write(f"{failed} stuck import(s) failed, {forgotten} forgotten")
