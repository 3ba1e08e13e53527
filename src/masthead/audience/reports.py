"""Reads for the readers' admin: the reader listing, subscriber counts, growth over time.

Everything is counted in the database (Count, TruncDate), so a report costs the same few
queries at a hundred subscribers as at a hundred thousand; only the number of days shown
grows the result.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from masthead.audience.models import ConsentEvent, Newsletter, Reader, Subscription

Status = Subscription.Status


def readers_for_admin() -> QuerySet[Reader]:
    """Readers with their subscriptions (and newsletters) fetched in one extra query."""
    return Reader.objects.prefetch_related(
        Prefetch(
            "subscriptions",
            queryset=Subscription.objects.select_related("newsletter").order_by(
                "newsletter__name"
            ),
        )
    )


def with_subscription(
    readers: QuerySet[Reader], *, newsletter: Newsletter | None = None, status: str | None = None
) -> QuerySet[Reader]:
    """Readers having one subscription that matches both conditions at once.

    An Exists subquery rather than two joins: chained filters on a to-many relation would
    also match a reader confirmed to one newsletter and unsubscribed from another.
    """
    conditions: dict[str, object] = {}
    if newsletter is not None:
        conditions["newsletter"] = newsletter
    if status:
        conditions["status"] = status
    if not conditions:
        return readers
    return readers.filter(Exists(Subscription.objects.filter(reader=OuterRef("pk"), **conditions)))


@dataclass(frozen=True)
class SubscriberCounts:
    newsletter: Newsletter
    confirmed: int
    pending: int
    unsubscribed: int


def subscriber_counts() -> list[SubscriberCounts]:
    """Every newsletter with its confirmed, pending and unsubscribed counts (one query)."""
    newsletters = Newsletter.objects.annotate(
        n_confirmed=Count("subscriptions", filter=Q(subscriptions__status=Status.CONFIRMED)),
        n_pending=Count("subscriptions", filter=Q(subscriptions__status=Status.PENDING)),
        n_unsubscribed=Count("subscriptions", filter=Q(subscriptions__status=Status.UNSUBSCRIBED)),
    ).order_by("name")
    return [SubscriberCounts(n, n.n_confirmed, n.n_pending, n.n_unsubscribed) for n in newsletters]


@dataclass(frozen=True)
class GrowthPoint:
    """One step of the growth chart: ``day`` is the step's last day."""

    day: dt.date
    subscribed: int  # confirmed subscribers at the end of ``day``
    joined: int  # confirmed during the step
    left: int  # unsubscribed during the step


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# What moves the subscriber count: a confirmation, and leaving a confirmed subscription.
_JOINED = Q(kind=ConsentEvent.Kind.CONFIRM)
_LEFT = Q(kind=ConsentEvent.Kind.UNSUBSCRIBE, was_confirmed=True)


def growth(
    *, days: int = 30, step: int = 1, today: dt.date | None = None
) -> dict[int, list[GrowthPoint]]:
    """Confirmed subscribers per newsletter (by id) over the last ``days``, every ``step`` days.

    Read from the consent log, so every round counts: a reader who confirmed, left and
    signed up again is drawn joining twice and leaving once. A CONFIRM event adds one; an
    UNSUBSCRIBE adds minus one when it ended a confirmed subscription. Days are in the
    site's time zone and the last point is ``today``. Three grouped queries, whatever the
    number of subscribers.
    """
    today = today or timezone.localdate()
    steps = -(-days // step)  # ceiling: whole steps, the last one ending today
    first = today - dt.timedelta(days=steps * step - 1)
    start, end = _midnight(first), _midnight(today + dt.timedelta(days=1))

    moves = ConsentEvent.objects.filter(_JOINED | _LEFT).order_by()
    before = dict(
        moves.filter(at__lt=start)
        .values("newsletter_id")
        .annotate(net=Count("pk", filter=_JOINED) - Count("pk", filter=_LEFT))
        .values_list("newsletter_id", "net")
    )
    per_day = {
        (row["newsletter_id"], row["day"]): (row["joined"], row["left"])
        for row in moves.filter(at__gte=start, at__lt=end)
        .annotate(day=TruncDate("at"))
        .values("newsletter_id", "day")
        .annotate(joined=Count("pk", filter=_JOINED), left=Count("pk", filter=_LEFT))
    }

    series: dict[int, list[GrowthPoint]] = defaultdict(list)
    for newsletter_id in Newsletter.objects.values_list("pk", flat=True):
        total = before.get(newsletter_id, 0)
        for n in range(steps):
            step_days = [first + dt.timedelta(days=n * step + i) for i in range(step)]
            moved = [per_day.get((newsletter_id, day), (0, 0)) for day in step_days]
            step_joined = sum(joined for joined, _left in moved)
            step_left = sum(left for _joined, left in moved)
            total += step_joined - step_left
            series[newsletter_id].append(GrowthPoint(step_days[-1], total, step_joined, step_left))
    return dict(series)
