from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "masthead.channels"
    label = "channels"
    verbose_name = _("Channels")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from wagtail.signals import page_published, page_unpublished

        from masthead.audience import hooks
        from masthead.channels import receivers
        from masthead.channels.webhooks import admin as webhook_admin  # noqa: F401 (registers)
        from masthead.channels.webhooks import receivers as webhook_receivers
        from masthead.channels.whatsapp import readers as whatsapp_readers
        from masthead.channels.whatsapp import webhook as whatsapp_webhook
        from masthead.inbox import handlers

        # Any publish (the editor, scheduled publishing, a script) reaches the receiver;
        # bulk loads publish inside lib.fanout.quiet() and post nothing.
        page_published.connect(receivers.on_published, dispatch_uid="masthead.channels.publish")
        page_published.connect(
            webhook_receivers.on_published, dispatch_uid="masthead.channels.webhooks.publish"
        )
        page_unpublished.connect(
            webhook_receivers.on_unpublished, dispatch_uid="masthead.channels.webhooks.unpublish"
        )
        post_migrate.connect(
            receivers.on_post_migrate, sender=self, dispatch_uid="masthead.channels.migrate"
        )
        # WhatsApp: Meta's notifications are stored in the inbox and applied in the worker;
        # the account page, the data download and erasure cover the reader's number.
        handlers.register(whatsapp_webhook.PROVIDER, whatsapp_webhook.handle_inbox_event)
        hooks.account_sections.connect(
            whatsapp_readers.on_account_sections, dispatch_uid="masthead.channels.whatsapp"
        )
        hooks.exporting.connect(
            whatsapp_readers.on_exporting, dispatch_uid="masthead.channels.whatsapp.export"
        )
        hooks.erasing.connect(
            whatsapp_readers.on_erasing, dispatch_uid="masthead.channels.whatsapp.erase"
        )
