from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "masthead.funding"
    label = "funding"
    verbose_name = _("Funding")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail import hooks as hooks_registry

        from masthead.audience import hooks
        from masthead.funding import account, banner, emails, ledger, queries, readers
        from masthead.funding.webhooks import handle_inbox_event
        from masthead.inbox import handlers
        from masthead.newsroom import access

        # Erasure cancels recurring payments at the provider first, then anonymises the
        # ledger; the data download lists payments and memberships (audience/hooks.py).
        hooks.erasing.connect(readers.on_erasing, dispatch_uid="masthead.funding.erasing")
        hooks.exporting.connect(readers.on_exporting, dispatch_uid="masthead.funding.export")
        # The account page shows the membership, payments and the "change card" button.
        hooks.account_sections.connect(
            account.on_account_sections, dispatch_uid="masthead.funding.account"
        )
        # Members-only articles ask whether the signed-in reader is a member.
        access.register(readers.is_member)
        # And so does the full piece of one sent by email, per recipient.
        access.register_members_among(queries.members_among)
        # Thank-you and payment-failed emails follow the ledger's signals (funding/outbox.py).
        ledger.payment_succeeded.connect(
            emails.on_payment_succeeded, dispatch_uid="masthead.funding.thanks"
        )
        ledger.payment_failed.connect(
            emails.on_payment_failed, dispatch_uid="masthead.funding.payment_failed"
        )
        # Offline gifts write an audit log entry; Wagtail refuses actions nobody registered.
        hooks_registry.register("register_log_actions", ledger.register_log_actions)
        # Verified payment notifications are stored in the inbox; the worker applies them.
        for provider in ("local", "stripe", "mercadopago"):
            handlers.register(provider, handle_inbox_event)
        # The campaign bar on every reader page: a page-cache hole, so a donation never
        # empties the page cache (lib/holes.py).
        banner.register()
