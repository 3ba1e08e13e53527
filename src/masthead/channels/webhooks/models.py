"""Webhook endpoints and their delivery log: one row per message, written before the call."""

from __future__ import annotations

import base64
import binascii
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)


def validate_secret(value: str) -> None:
    """``whsec_`` and base64 of 24 to 64 bytes, as Standard Webhooks libraries expect."""
    try:
        key = base64.b64decode(value.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not value.startswith(SECRET_PREFIX) or not 24 <= len(key) <= 64:
        raise ValidationError(
            _("A secret is whsec_ followed by 24 to 64 bytes in base64. Leave the one given.")
        )


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class Event(models.TextChoices):
    ARTICLE_PUBLISHED = "article.published", _("Article published")
    ARTICLE_UPDATED = "article.updated", _("Article updated")
    ARTICLE_UNPUBLISHED = "article.unpublished", _("Article unpublished")


class WebhookEndpoint(models.Model):
    """A URL told about articles, signed with its own secret."""

    name = models.CharField(_("name"), max_length=100)
    # http and https only: URLField would also take ftp:// (SSRF checks: lib/ssrf.py).
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Where the events are posted (https:// in production)."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        default=new_secret,
        validators=[validate_secret],
        help_text=_(
            "Give this to the receiver: it checks the webhook-signature header with it "
            "(Standard Webhooks)."
        ),
    )
    events = models.JSONField(
        _("events"), default=list, help_text=_("What this endpoint is told about.")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # Failed attempts in a row, across messages; a success resets it. Past
    # WEBHOOK_DISABLE_AFTER_FAILURES the endpoint is disabled (services.record).
    failures_in_a_row = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    disabled_reason = models.TextField(_("why it was disabled"), blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        return self.enabled and event in self.events


class WebhookDelivery(models.Model):
    """One message to one endpoint, with every attempt at it (the same webhook-id each)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        # While an attempt is on the wire; a worker killed then leaves the row here and the
        # sweep sends it again (receivers deduplicate on webhook-id, so that is safe).
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    message_id = models.CharField(_("webhook-id"), max_length=64, unique=True)
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    article = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The exact bytes signed and sent on every attempt (a re-serialised payload could
    # differ from what a receiver saw before).
    body = models.TextField(_("body"))
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("attempt started"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.state})"
