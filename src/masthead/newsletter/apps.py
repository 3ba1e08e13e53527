from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "masthead.newsletter"
    label = "newsletter"
    verbose_name = _("Newsletter")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anymail.signals import inbound
        from wagtail.signals import page_published

        from masthead.audience import hooks
        from masthead.inbox import handlers
        from masthead.newsletter import inbound as inbound_receivers
        from masthead.newsletter import publishing, readers
        from masthead.newsletter import tracking as receivers
        from masthead.newsroom import publishing as newsroom_publishing

        # A reader's erasure and data export cover their deliveries (audience/hooks.py).
        hooks.erasing.connect(readers.on_erasing, dispatch_uid="masthead.newsletter.erasing")
        hooks.exporting.connect(readers.on_exporting, dispatch_uid="masthead.newsletter.export")

        # Verified ESP webhooks (webhook_urls.py) store bounces and complaints in the inbox;
        # the worker hands them here.
        handlers.register("anymail", receivers.handle_inbox_event)
        # They also pass on mail sent to the List-Unsubscribe mailto: address.
        inbound.connect(inbound_receivers.on_inbound, dispatch_uid="masthead.newsletter.inbound")

        # "Also send by email" in an article's publish dialog; the edition waits for the
        # article and goes out when any publish (the editor's, the scheduler's) makes it live.
        newsroom_publishing.register(publishing.OPTION)
        page_published.connect(publishing.on_published, dispatch_uid="masthead.newsletter.publish")
