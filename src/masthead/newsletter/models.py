"""Editions of a newsletter (audience.Newsletter) and one delivery row per recipient."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from masthead.audience.models import ONE_LINE


class Edition(models.Model):
    """One send of a newsletter (DESIGN.md: Edition), from an article or a subject alone."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")
        # A scheduled edition found long after its time (a restored backup, a worker that
        # was down for days) is never sent by itself: listmonk#1801.
        STALE = "stale", _("Not sent: its scheduled time passed long ago")
        # Asked for with an article's publish: sent when the article goes live (now, or
        # when scheduled publishing publishes it), never by the scheduled-editions sweep.
        AWAITING = "awaiting", _("Waiting for its article to go live")

    newsletter = models.ForeignKey(
        "audience.Newsletter",
        verbose_name=_("newsletter"),
        on_delete=models.PROTECT,
        related_name="editions",
    )
    # One line: a newline in a header would let a subject inject headers (ASVS 1.3.11).
    subject = models.CharField(
        _("subject"),
        max_length=200,
        validators=[ONE_LINE],
    )
    article = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A digest: the articles it lists, chosen when the edition is made (newest first).
    articles = models.ManyToManyField(
        "newsroom.ArticlePage", verbose_name=_("digest articles"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    # An edition of one article: the whole piece (byline, hero image, body; a members-only
    # body to members only), or its teaser (headline, standfirst, link).
    full_piece = models.BooleanField(_("the full piece"), default=False)
    intro = models.CharField(_("intro line"), max_length=300, blank=True, validators=[ONE_LINE])
    # Asked for with the article's publish (publishing.py): one per article and newsletter.
    with_publish = models.BooleanField(_("sent with the publish"), default=False)
    # Stable across retries and restarts: every copy of one recipient's message carries the
    # same Message-ID, so duplicates are identifiable (RELIABILITY.md I4).
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    frozen_at = models.DateTimeField(_("audience frozen"), null=True, blank=True)
    recipients_count = models.PositiveIntegerField(_("recipients"), default=0)
    excluded_count = models.PositiveIntegerField(_("excluded (suppressed)"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-created_at"]
        constraints = [
            # A re-publish or an edit of the article never sends it a second time.
            models.UniqueConstraint(
                fields=["article", "newsletter"],
                condition=models.Q(with_publish=True) & ~models.Q(status="cancelled"),
                name="one_publish_send_per_article",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.newsletter}: {self.subject}"


class Delivery(models.Model):
    """One recipient of one edition, written before sending and marked after (DESIGN.md)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (no longer subscribed)")

    # No index of its own: the unique (edition, email) and (edition, id) indexes lead with it.
    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    # SET_NULL: erasing a reader keeps the ledger; the row is then skipped if still pending.
    reader = models.ForeignKey(
        "audience.Reader", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(_("email"), max_length=254)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # What came back after sending, for the edition's report: an ESP's bounce or complaint
    # webhook (matched by Message-ID), or an unsubscribe from this edition's link.
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    complained_at = models.DateTimeField(_("marked as spam"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["edition", "email"], name="one_delivery_per_address"),
        ]
        # No index holds a column the send loop changes (status, claimed_at, sent_at,
        # attempts, message_id...): on PostgreSQL every claim and every "sent" mark is then a
        # HOT update, which writes no index entry at all, instead of one in each index
        # (issue 10 §4; migration 0002 also leaves room on each page for the new versions).
        # The loop finds an edition's open rows by walking (edition, id) and filtering on
        # status; webhooks find a row by the id inside our Message-ID (tracking.py).
        indexes = [
            models.Index(fields=["edition", "id"], name="delivery_edition_order"),
            # A reader's export and erasure, and webhooks, find deliveries by address.
            models.Index(Lower("email"), name="delivery_email_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.edition_id} → {self.email} ({self.status})"
