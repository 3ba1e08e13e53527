"""``manage.py load_demo [--articles N]``: the demo publication, its admin and filler articles."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from masthead.demo import accounts, loader, synthetic


class Command(BaseCommand):
    help = (
        "Load The Long Table, the demo publication (skipped when already loaded), create "
        "the admin user if there is none and print its login. With --articles N, also add N "
        "synthetic articles; every run adds N more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--articles", type=int, default=0, help="also generate N synthetic articles"
        )

    def handle(self, *args: object, articles: int = 0, **options: object) -> None:
        if articles < 0:
            raise CommandError(f"--articles must be zero or more, not {articles}")
        self.verbosity = int(options.get("verbosity", 1))
        started = time.monotonic()
        result = loader.load_publication()
        if result.created:
            self.stdout.write(
                f"Loaded the demo publication: {result.articles} articles "
                f"in {time.monotonic() - started:.1f} s."
            )
        else:
            self.stdout.write(
                f"The demo publication is already loaded ({result.articles} articles); "
                "nothing to do."
            )
        if articles:
            started = time.monotonic()
            synthetic.generate_articles(articles, progress=self._progress)
            self.stdout.write(
                f"Generated {articles} synthetic articles in {time.monotonic() - started:.1f} s."
            )
        login = accounts.ensure_admin()
        self.stdout.write(self.style.SUCCESS(f"Admin: {login.url}"))
        self.stdout.write(f"  username: {login.username}")
        if login.password is not None:
            self.stdout.write(f"  password: {login.password}")
        else:
            self.stdout.write(
                "  password: (set before this command ran; change it with "
                f"`masthead manage changepassword {login.username}`)"
            )

    def _progress(self, done: int, total: int) -> None:
        if self.verbosity >= 1 and (done == total or done % 2000 == 0):
            self.stdout.write(f"  {done}/{total} synthetic articles")
