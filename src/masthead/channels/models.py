"""Where articles are pushed: Telegram channels, and one Delivery row per channel post."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Telegram usernames: 5-32 letters, digits and underscores, starting with a letter.
_CHAT_ID = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}|-?\d{1,20}")


class TelegramChannel(models.Model):
    """A Telegram channel the publication's bot posts new articles to."""

    name = models.CharField(_("name"), max_length=100)
    # "@thelongtable" for a public channel, or the numeric id (-100...) of a private one.
    chat_id = models.CharField(
        _("chat id"),
        max_length=100,
        unique=True,
        help_text=_("The channel's @username, or its numeric id for a private channel."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        help_text=_("Articles in this language are posted to the channel."),
    )
    sections = models.ManyToManyField(
        "newsroom.SectionPage",
        verbose_name=_("sections"),
        blank=True,
        related_name="+",
        help_text=_(
            "Only articles in these sections (or their translations). None: every section."
        ),
    )
    enabled = models.BooleanField(
        _("post new articles"),
        default=True,
        help_text=_("Off: nothing is posted to this channel."),
    )
    # The earliest time the next post may go out: the per-channel pace, shared by every
    # worker process (services.claim), and pushed back by Telegram's 429 retry_after.
    next_slot_at = models.DateTimeField(_("next post not before"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Telegram channel")
        verbose_name_plural = _("Telegram channels")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.chat_id})"

    def clean(self) -> None:
        super().clean()
        # The Bot API answers "chat not found" to anything else, but only when posting.
        if not _CHAT_ID.fullmatch(self.chat_id or ""):
            raise ValidationError(
                {
                    "chat_id": _(
                        "Use the channel's @username (such as @thelongtable) or its numeric "
                        "id (such as -1001234567890)."
                    )
                }
            )


class Delivery(models.Model):
    """One post of one article to one channel, written before the call and marked after."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        # Only while the request is on the wire: a row left here by a killed worker may
        # have reached Telegram, so the sweep turns it into UNCERTAIN, never QUEUED.
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # The request may have reached Telegram (read timeout, 5xx, lost connection): the
        # Bot API has no idempotency key, so only an editor may send it again.
        UNCERTAIN = "uncertain", _("Uncertain: check the channel")
        SKIPPED = "skipped", _("Skipped")

    channel = models.ForeignKey(
        TelegramChannel,
        verbose_name=_("channel"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    article = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Telegram's own words ("Bad Request: chat not found") or the connection error.
    api_message = models.TextField(_("message from Telegram"), blank=True)
    error_code = models.PositiveSmallIntegerField(_("error code"), null=True, blank=True)
    telegram_message_id = models.BigIntegerField(_("Telegram message id"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("request started"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("channel post")
        verbose_name_plural = _("channel posts")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly one post per article per channel (issue 11): re-sends reuse the row.
            models.UniqueConstraint(fields=["channel", "article"], name="one_post_per_channel"),
        ]
        indexes = [models.Index(fields=["channel", "state", "next_attempt_at", "id"])]

    def __str__(self) -> str:
        return f"{self.channel_id} ← {self.article_id} ({self.state})"


class PendingFanOut(models.Model):
    """A first publish whose posts are still to be queued: written in the publish's own
    transaction, deleted in the worker's when the Telegram and WhatsApp rows exist.

    The editor's publish pays for this one row and a task; choosing channels and followers
    and writing their rows happens in the worker (issue 11: "publish latency unchanged"). A
    row still here after a minute means its task was lost (a crash between the commit and
    a Redis enqueue): the sweep runs it.
    """

    article = models.OneToOneField(
        "newsroom.ArticlePage",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("article waiting to be posted")
        verbose_name_plural = _("articles waiting to be posted")

    def __str__(self) -> str:
        return f"{self.article_id} (waiting since {self.created_at:%Y-%m-%d %H:%M})"


# Outgoing webhooks live in their own module; imported here so Django sees their models.
from masthead.channels.webhooks.models import WebhookDelivery, WebhookEndpoint  # noqa: E402
from masthead.channels.whatsapp.models import (  # noqa: E402
    WhatsAppAnnouncement,
    WhatsAppConsent,
    WhatsAppFollower,
    WhatsAppMessage,
    WhatsAppMonth,
)

__all__ = [
    "Delivery",
    "PendingFanOut",
    "TelegramChannel",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WhatsAppAnnouncement",
    "WhatsAppConsent",
    "WhatsAppFollower",
    "WhatsAppMessage",
    "WhatsAppMonth",
]
