"""Who reads it: readers known by email, their consent to each newsletter, suppressions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Reader(models.Model):
    """A person known by email: free or paying, subscriber or not (DESIGN.md: Reader)."""

    email = models.EmailField(_("email"), max_length=254)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Set when the reader proved they own the address (a confirmation or sign-in link).
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    # Moves on every sign-in: a sign-in link signs the value it saw, so it works once.
    last_signed_in_at = models.DateTimeField(_("last signed in"), null=True, blank=True)

    class Meta:
        verbose_name = _("reader")
        verbose_name_plural = _("readers")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="reader_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.email


class Subscription(models.Model):
    """A reader's consent to one newsletter (DESIGN.md: Subscription)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    class Source(models.TextChoices):
        FORM = "form", _("Sign-up form")
        IMPORT = "import", _("Import")
        ADMIN = "admin", _("Added by an editor")
        ACCOUNT = "account", _("Reader's account page")

    reader = models.ForeignKey(Reader, on_delete=models.CASCADE, related_name="subscriptions")
    newsletter = models.ForeignKey(
        "newsletter.Newsletter", on_delete=models.CASCADE, related_name="subscriptions"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    source = models.CharField(_("consent source"), max_length=20, choices=Source.choices)
    consented_at = models.DateTimeField(_("consent given"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["reader", "newsletter"], name="one_subscription"),
        ]
        indexes = [models.Index(fields=["newsletter", "status", "reader"])]

    def __str__(self) -> str:
        return f"{self.reader} → {self.newsletter} ({self.status})"


class Suppression(models.Model):
    """An address that must never be mailed again (hard bounce, complaint, or by hand).

    Keyed by the lower-cased address, not the reader, so it survives erasure and re-import.
    """

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        MANUAL = "manual", _("Added by an editor")

    email = models.EmailField(_("email"), max_length=254, unique=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"
