"""Every event from outside (an ESP's bounce, a payment, a WhatsApp status), stored once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventQuerySet(models.QuerySet):
    def due_for_retry(
        self, *, now: object, max_attempts: int, stuck_before: object
    ) -> EventQuerySet:
        return self.filter(
            models.Q(
                status=Event.Status.FAILED,
                attempts__lt=max_attempts,
                next_attempt_at__lte=now,
            )
            | models.Q(status=Event.Status.RECEIVED, received_at__lt=stuck_before)
        )


class Event(models.Model):
    """One verified event from one provider, unique by (provider, event id) (DESIGN.md).

    Written by the webhook before it answers; processed in the worker by the handler that
    an app registered for the provider (handlers.py); never written twice, so a provider's
    redelivery changes nothing.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Waiting to be processed")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    provider = models.CharField(_("provider"), max_length=60)
    event_id = models.CharField(_("event id"), max_length=255)
    kind = models.CharField(_("event type"), max_length=100, blank=True)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    # Why it was ignored, or the last error.
    outcome = models.TextField(_("outcome"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("incoming event")
        verbose_name_plural = _("incoming events")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="one_event_per_id"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} {self.event_id}"
