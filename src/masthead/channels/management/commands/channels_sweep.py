from django.core.management.base import BaseCommand

from masthead.channels import outbox, services


class Command(BaseCommand):
    help = (
        "Queue the posts of first publishes whose task was lost, create the channels in "
        "MASTHEAD_TELEGRAM_CHANNELS, mark posts a dead worker left "
        "on the wire as uncertain, and send the posts that are due (run by the scheduler)."
    )

    def handle(self, *args: object, **options: object) -> None:
        fanned_out = outbox.sweep()
        result = {"fanned_out": fanned_out, **services.sweep()}
        if options["verbosity"] > 1:
            self.stdout.write(str(result))
