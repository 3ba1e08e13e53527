from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "masthead.newsletter"
    label = "newsletter"
    verbose_name = _("Newsletter")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anymail.signals import inbound, tracking

        from masthead.newsletter import inbound as inbound_receivers
        from masthead.newsletter import tracking as receivers

        # Verified ESP webhooks (webhook_urls.py) report bounces and complaints here,
        tracking.connect(receivers.on_tracking, dispatch_uid="masthead.newsletter.tracking")
        # and pass on mail sent to the List-Unsubscribe mailto: address.
        inbound.connect(inbound_receivers.on_inbound, dispatch_uid="masthead.newsletter.inbound")
