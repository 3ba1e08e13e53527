"""Index the live articles that search does not know yet (run by the scheduler)."""

from django.core.management.base import BaseCommand

from masthead.discovery import search_index


class Command(BaseCommand):
    help = (
        "Index up to 2,000 live, public articles that have no search document yet: an "
        "upgraded install fills its index by itself, and a lost indexing task is made good."
    )

    def handle(self, *args: object, **options: object) -> None:
        written = search_index.fill_missing()
        if options["verbosity"] > 1:
            self.stdout.write(f"{written} articles indexed")
