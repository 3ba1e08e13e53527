"""Readers in every state a send must tell apart, built straight into the tables."""

from __future__ import annotations

from django.utils import timezone

from masthead.audience.models import Newsletter, Reader, Subscription, Suppression


def newsletter(**fields: object) -> Newsletter:
    defaults = {"name": "The Daily", "slug": "daily", "sender_name": "The Test Gazette"}
    return Newsletter.objects.create(**{**defaults, **fields})


def subscriber(
    newsletter: Newsletter, email: str, status: str = Subscription.Status.CONFIRMED
) -> Reader:
    reader = Reader.objects.create(email=email)
    now = timezone.now()
    Subscription.objects.create(
        reader=reader,
        newsletter=newsletter,
        status=status,
        source=Subscription.Source.FORM,
        consented_at=now,
        confirmed_at=now if status != Subscription.Status.PENDING else None,
    )
    return reader


def suppress(email: str) -> None:
    Suppression.objects.create(email=email.lower(), reason=Suppression.Reason.MANUAL)
