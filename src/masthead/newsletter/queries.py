"""Reads for newsletters: an edition's delivery counts."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from masthead.newsletter.models import Delivery, Edition


def delivery_counts(edition: Edition) -> dict[str, int]:
    """How many of the edition's deliveries are in each status (every status present)."""
    counts = dict.fromkeys(Delivery.Status.values, 0)
    rows = edition.deliveries.values("status").annotate(n=Count("id")).values_list("status", "n")
    counts.update(dict(rows))
    return counts


def editions_with_counts() -> QuerySet[Edition]:
    """Editions, each with ``sent_count``, ``failed_count`` and ``skipped_count``."""
    counted = {
        f"{status}_count": Count("deliveries", filter=Q(deliveries__status=status))
        for status in (Delivery.Status.SENT, Delivery.Status.FAILED, Delivery.Status.SKIPPED)
    }
    return Edition.objects.select_related("newsletter").annotate(**counted)
