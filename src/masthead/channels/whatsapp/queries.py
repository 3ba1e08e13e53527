"""Reads for WhatsApp updates: who gets an article, what is due, and the editors' counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from masthead.channels.whatsapp.models import (
    WhatsAppAnnouncement,
    WhatsAppFollower,
    WhatsAppMessage,
    WhatsAppMonth,
)

State = WhatsAppMessage.State


def month_key(now: dt.datetime | None = None) -> str:
    """The calendar month (in TIME_ZONE) a message sent now counts against: "2026-11"."""
    return timezone.localtime(now).strftime("%Y-%m")


def follower_for(reader_id: int) -> WhatsAppFollower | None:
    return WhatsAppFollower.objects.filter(reader_id=reader_id).first()


def every_article_followers(language: str) -> QuerySet[WhatsAppFollower]:
    return WhatsAppFollower.objects.filter(
        active=True,
        reader__language=language,
        frequency=WhatsAppFollower.Frequency.EVERY_ARTICLE,
    )


def digest_followers() -> QuerySet[WhatsAppFollower]:
    return WhatsAppFollower.objects.filter(
        active=True, frequency=WhatsAppFollower.Frequency.DAILY_DIGEST
    )


def followers_by_number(wa_id: str) -> QuerySet[WhatsAppFollower]:
    return WhatsAppFollower.objects.filter(wa_id=wa_id, active=True)


def due() -> QuerySet[WhatsAppMessage]:
    """Queued messages whose time has come, oldest first."""
    return (
        WhatsAppMessage.objects.filter(state=State.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
        .order_by("id")
    )


def digest_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The 24 hours a digest of ``day`` covers: up to that day's digest hour (TIME_ZONE)."""
    end = timezone.make_aware(
        dt.datetime.combine(day, dt.time(hour=settings.WHATSAPP_DIGEST_HOUR))
    )
    return end - dt.timedelta(days=1), end


def digest_articles(day: dt.date, language: str) -> list[WhatsAppAnnouncement]:
    """The day's announced articles in ``language`` that are still live, newest first."""
    start, end = digest_window(day)
    return list(
        WhatsAppAnnouncement.objects.filter(
            language=language,
            published_at__gt=start,
            published_at__lte=end,
            article__live=True,
        )
        .select_related("article")
        .order_by("-published_at", "-id")
    )


def digest_languages(day: dt.date) -> set[str]:
    start, end = digest_window(day)
    return set(
        WhatsAppAnnouncement.objects.filter(
            published_at__gt=start, published_at__lte=end, article__live=True
        ).values_list("language", flat=True)
    )


@dataclass(frozen=True)
class Summary:
    """What editors see: the month's budget use and who is opted in."""

    month: str
    used: int
    budget: int
    over_budget: int
    every_article: int
    digest: int

    @property
    def opted_in(self) -> int:
        return self.every_article + self.digest


def summary() -> Summary:
    key = month_key()
    month = WhatsAppMonth.objects.filter(month=key).first()
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    counts = dict(
        WhatsAppFollower.objects.filter(active=True)
        .values_list("frequency")
        .annotate(n=Count("id"))
        .values_list("frequency", "n")
    )
    return Summary(
        month=key,
        used=month.used if month else 0,
        budget=settings.WHATSAPP_MONTHLY_BUDGET,
        over_budget=WhatsAppMessage.objects.filter(
            state=State.OVER_BUDGET, updated_at__gte=start
        ).count(),
        every_article=counts.get(WhatsAppFollower.Frequency.EVERY_ARTICLE, 0),
        digest=counts.get(WhatsAppFollower.Frequency.DAILY_DIGEST, 0),
    )


def article_counts(article_id: int) -> list[tuple[str, str, int]]:
    """An article's WhatsApp messages by state: (state, its label, count), in state order."""
    counts = dict(
        WhatsAppMessage.objects.filter(article_id=article_id, kind=WhatsAppMessage.Kind.ARTICLE)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return [(value, label, counts[value]) for value, label in State.choices if counts.get(value)]
