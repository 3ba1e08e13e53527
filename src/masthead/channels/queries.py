"""Reads for the channels: which channels an article goes to, and its posts' states."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from masthead.channels.models import Delivery, TelegramChannel
from masthead.newsroom.models import ArticlePage


def matching_channels(article: ArticlePage) -> list[TelegramChannel]:
    """The enabled channels in the article's language whose sections include its section.

    A channel's sections match their translations too, so an editor who picks "Interviews"
    for the Spanish channel need not also find "Entrevistas".
    """
    channels = list(
        TelegramChannel.objects.filter(
            enabled=True, language=article.locale.language_code
        ).prefetch_related("sections")
    )
    if not channels:
        return []
    parent = article.get_parent()
    section_key = parent.translation_key if parent is not None else None
    return [
        channel
        for channel in channels
        if not channel.sections.all()
        or section_key in {section.translation_key for section in channel.sections.all()}
    ]


def article_deliveries(article: ArticlePage) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(article=article)
        .select_related("channel")
        .order_by("channel__name")
    )


def due(channel: TelegramChannel) -> QuerySet[Delivery]:
    """Queued posts of ``channel`` whose time has come, oldest first."""
    return (
        Delivery.objects.filter(channel=channel, state=Delivery.State.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
        .order_by("id")
    )


def channels_with_due_posts() -> list[int]:
    return list(
        Delivery.objects.filter(state=Delivery.State.QUEUED, channel__enabled=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
        .values_list("channel_id", flat=True)
        .distinct()
    )


def needing_attention() -> QuerySet[Delivery]:
    """Posts an editor must look at: refused by Telegram, or perhaps posted."""
    return (
        Delivery.objects.filter(state__in=[Delivery.State.FAILED, Delivery.State.UNCERTAIN])
        .select_related("channel")
        .order_by("-updated_at")
    )
