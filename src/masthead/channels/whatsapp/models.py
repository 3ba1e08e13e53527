"""WhatsApp opt-in updates: who follows (a reader's number and consent), the consent log,
one row per template message, and the month's budget and pace.

Registered through channels/models.py, like the outgoing webhooks' models.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

WORDING_MAX_LENGTH = 200


class WhatsAppFollower(models.Model):
    """A reader who asked for WhatsApp updates (or did, and stopped): one per reader."""

    class Frequency(models.TextChoices):
        EVERY_ARTICLE = "article", _("Every article")
        DAILY_DIGEST = "digest", _("A daily digest")

    reader = models.OneToOneField(
        "audience.Reader",
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="whatsapp",
    )
    # E.164 as the reader typed it, normalised ("+5491123456789"); Meta's wa_id is the
    # same digits without the "+", which is what inbound webhooks name a person by.
    phone = models.CharField(_("phone number"), max_length=16)
    wa_id = models.CharField(_("WhatsApp id"), max_length=15, db_index=True)
    # No language of its own: the reader's (audience.Reader.language) is the one they chose
    # last, on the account page, and the one their messages are sent in.
    frequency = models.CharField(
        _("how often"), max_length=10, choices=Frequency.choices, default=Frequency.EVERY_ARTICLE
    )
    active = models.BooleanField(_("receives updates"), default=True)
    opted_in_at = models.DateTimeField(_("opted in"))
    opted_out_at = models.DateTimeField(_("opted out"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("WhatsApp follower")
        verbose_name_plural = _("WhatsApp followers")
        indexes = [models.Index(fields=["active", "frequency"])]

    def __str__(self) -> str:
        return f"{self.reader_id} ({'on' if self.active else 'off'})"


class WhatsAppConsent(models.Model):
    """One opt-in, change or opt-out: the WhatsApp consent log (as audience.ConsentEvent).

    Never updated. Erasure clears the reader, the number's tail and the client address and
    keeps the anonymous row, so past counts hold.
    """

    class Kind(models.TextChoices):
        OPT_IN = "opt_in", _("Opted in")
        CHANGE = "change", _("Changed how often")
        OPT_OUT = "opt_out", _("Opted out")

    class Source(models.TextChoices):
        ACCOUNT = "account", _("Reader's account page")
        REPLY = "reply", _("Replied STOP on WhatsApp")
        WHATSAPP = "whatsapp", _("Stopped marketing messages in WhatsApp")
        META = "meta", _("Refused by WhatsApp")

    reader = models.ForeignKey(
        "audience.Reader",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="whatsapp_consents",
    )
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
    frequency = models.CharField(
        _("how often"), max_length=10, choices=WhatsAppFollower.Frequency.choices, blank=True
    )
    at = models.DateTimeField(_("time"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # Which wording the reader was shown (forms.CONSENT_WORDING), or what they sent.
    wording = models.CharField(_("wording shown"), max_length=WORDING_MAX_LENGTH, blank=True)
    # The number's last digits only: enough to tell two numbers apart in the log.
    phone_tail = models.CharField(_("number ends in"), max_length=4, blank=True)
    # Truncated as for rate limits (an IPv6 /64), so the log is not a tracking record.
    client = models.CharField(_("client address"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("WhatsApp consent event")
        verbose_name_plural = _("WhatsApp consent events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.reader_id} {self.kind} ({self.at:%Y-%m-%d})"


class WhatsAppMessage(models.Model):
    """One template message to one follower (an article, or a day's digest): the Delivery
    row, written before the Graph API call and marked after."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        DIGEST = "digest", _("Daily digest")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        # Only while the request is on the wire; a killed worker's row becomes UNCERTAIN.
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Accepted by WhatsApp")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")
        # The request may have reached Meta (read timeout, 5xx): never sent again on its own.
        UNCERTAIN = "uncertain", _("Uncertain")
        OVER_BUDGET = "over_budget", _("Over budget")
        SKIPPED = "skipped", _("Skipped")

    follower = models.ForeignKey(
        WhatsAppFollower,
        verbose_name=_("follower"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # erasure: the row stays, anonymous, for the counts
        related_name="messages",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    article = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    digest_date = models.DateField(_("digest of"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error_code = models.PositiveIntegerField(_("error code"), null=True, blank=True)
    api_message = models.TextField(_("message from WhatsApp"), blank=True)
    # Meta's message id ("wamid..."): how status webhooks find the row.
    wamid = models.CharField(_("WhatsApp message id"), max_length=200, blank=True, db_index=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("request started"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    status_at = models.DateTimeField(_("last status"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("WhatsApp message")
        verbose_name_plural = _("WhatsApp messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly one message per reader per article, and per reader per day's digest.
            models.UniqueConstraint(
                fields=["follower", "article"],
                condition=Q(kind="article"),
                name="one_whatsapp_per_article",
            ),
            models.UniqueConstraint(
                fields=["follower", "digest_date"],
                condition=Q(kind="digest"),
                name="one_whatsapp_digest_per_day",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at", "id"])]

    def __str__(self) -> str:
        return f"{self.follower_id} ← {self.article_id or self.digest_date} ({self.state})"


class WhatsAppAnnouncement(models.Model):
    """An article that went out to WhatsApp followers (its first publish, fanned out): what
    the daily digest lists. Bulk loads and articles with auto-posting off never get one."""

    article = models.OneToOneField(
        "newsroom.ArticlePage",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10)
    published_at = models.DateTimeField(_("published"), db_index=True)

    class Meta:
        verbose_name = _("WhatsApp announcement")
        verbose_name_plural = _("WhatsApp announcements")

    def __str__(self) -> str:
        return f"{self.article_id} ({self.published_at:%Y-%m-%d})"


class WhatsAppMonth(models.Model):
    """A calendar month's budget use, and the pace (the next slot), under one row lock."""

    month = models.CharField(_("month"), max_length=7, unique=True)  # "2026-11"
    used = models.PositiveIntegerField(_("messages sent"), default=0)
    next_slot_at = models.DateTimeField(_("next message not before"), null=True, blank=True)

    class Meta:
        verbose_name = _("WhatsApp month")
        verbose_name_plural = _("WhatsApp months")

    def __str__(self) -> str:
        return f"{self.month}: {self.used}"
