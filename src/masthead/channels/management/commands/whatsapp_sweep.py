from django.core.management.base import BaseCommand

from masthead.channels.whatsapp import sending


class Command(BaseCommand):
    help = (
        "Queue the day's WhatsApp digests once the digest hour has come, mark messages a dead "
        "worker left on the wire as uncertain, and send what is due (run by the scheduler)."
    )

    def handle(self, *args: object, **options: object) -> None:
        result = sending.sweep()
        if options["verbosity"] > 1:
            self.stdout.write(str(result))
