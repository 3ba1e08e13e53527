from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "masthead.funding"
    label = "funding"
    verbose_name = _("Funding")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from masthead.audience import hooks
        from masthead.funding import banner, readers
        from masthead.funding.webhooks import handle_inbox_event
        from masthead.inbox import handlers
        from masthead.newsroom import access

        # Erasure cancels recurring payments at the provider first, then anonymises the
        # ledger; the data download lists payments and memberships (audience/hooks.py).
        hooks.erasing.connect(readers.on_erasing, dispatch_uid="masthead.funding.erasing")
        hooks.exporting.connect(readers.on_exporting, dispatch_uid="masthead.funding.export")
        # Members-only articles ask whether the signed-in reader is a member.
        access.register(readers.is_member)
        # Verified payment notifications are stored in the inbox; the worker applies them.
        for provider in ("local", "stripe", "mercadopago"):
            handlers.register(provider, handle_inbox_event)
        # The campaign bar on every reader page: a page-cache hole, so a donation never
        # empties the page cache (lib/holes.py).
        banner.register()
