"""Reads for newsletters: delivery counts, subscribers, and what a digest lists."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from masthead.audience.models import Newsletter, Reader, Subscription
from masthead.newsletter.models import Delivery, Edition
from masthead.newsroom import queries as newsroom
from masthead.newsroom.models import ArticlePage

DIGEST_LIMIT = 20
# How far back the first digest of a newsletter looks, when no edition came before it.
DIGEST_FIRST_DAYS = 7

# What an edition is made of, by its content: one article, a list of them, or a subject.
KIND_LABELS = {"article": _("Article"), "digest": _("Digest"), "message": _("Message")}

# Outcomes after sending, each a timestamp on Delivery (set by webhooks or the link).
_OUTCOMES = {
    "bounced": Q(bounced_at__isnull=False),
    "complained": Q(complained_at__isnull=False),
    "unsubscribed": Q(unsubscribed_at__isnull=False),
}


def delivery_counts(edition: Edition) -> dict[str, int]:
    """Deliveries per status (every status present) and per outcome, in one query.

    Keys: each ``Delivery.Status`` value, then ``bounced``, ``complained`` and
    ``unsubscribed``.
    """
    aggregates = {
        status: Count("pk", filter=Q(status=status)) for status in Delivery.Status.values
    }
    aggregates |= {name: Count("pk", filter=where) for name, where in _OUTCOMES.items()}
    return edition.deliveries.aggregate(**aggregates)


def editions_with_counts() -> QuerySet[Edition]:
    """Editions, each with ``<status>_count`` per delivery status, ``bounced_count``,
    ``complained_count``, ``unsubscribed_count`` and ``is_digest``, counted in SQL."""
    counted = {
        f"{status}_count": Count("deliveries", filter=Q(deliveries__status=status))
        for status in Delivery.Status.values
    }
    counted |= {
        f"{name}_count": Count("deliveries", filter=Q(**{f"deliveries__{name}_at__isnull": False}))
        for name in _OUTCOMES
    }
    # Exists, not a Count over a second join: joining articles too would multiply rows.
    digest = Exists(Edition.articles.through.objects.filter(edition_id=OuterRef("pk")))
    return (
        Edition.objects.select_related("newsletter").annotate(**counted).annotate(is_digest=digest)
    )


def last_sent_edition() -> Edition | None:
    """The edition that went out last (sent, or still sending), with the counts of
    ``editions_with_counts``; one query. Opens and clicks are not here: Masthead does not
    track them (no pixel, no rewritten links)."""
    return (
        editions_with_counts()
        .filter(status__in=[Edition.Status.SENT, Edition.Status.SENDING])
        .order_by(F("finished_at").desc(nulls_first=True), "-created_at", "-pk")
        .first()
    )


def edition_kind(edition: Edition) -> str:
    """``article``, ``digest`` or ``message`` (uses ``is_digest`` when annotated)."""
    if edition.article_id:
        return "article"
    is_digest = getattr(edition, "is_digest", None)
    if is_digest is None:
        is_digest = edition.pk is not None and edition.articles.exists()
    return "digest" if is_digest else "message"


def newsletters_with_counts() -> QuerySet[Newsletter]:
    """Newsletters, each with ``subscribers_count``: its confirmed subscriptions."""
    confirmed = Q(subscriptions__status=Subscription.Status.CONFIRMED)
    return Newsletter.objects.annotate(subscribers_count=Count("subscriptions", filter=confirmed))


def digest_since(newsletter: Newsletter, *, now: dt.datetime | None = None) -> dt.datetime:
    """Where the next digest of ``newsletter`` starts: when its last sent edition was made.

    Made, not finished: a digest's list is chosen when it is created, so an article
    published while it was being sent is not in it and belongs in the next one. Drafts,
    scheduled and cancelled editions do not count: readers have not received them.
    """
    last = (
        newsletter.editions.filter(status__in=[Edition.Status.SENT, Edition.Status.SENDING])
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return last or (now or timezone.now()) - dt.timedelta(days=DIGEST_FIRST_DAYS)


def digest_articles(
    newsletter: Newsletter, *, since: dt.datetime, limit: int | None = None
) -> QuerySet[ArticlePage]:
    """Live, public articles in the newsletter's language published after ``since``,
    newest first, at most ``limit`` (``DIGEST_LIMIT`` by default)."""
    return newsroom.published_articles().filter(
        locale__language_code=newsletter.language, first_published_at__gt=since
    )[: limit or DIGEST_LIMIT]


def digest_list(edition: Edition) -> list[ArticlePage]:
    """The articles a digest lists, newest first; those unpublished since are left out."""
    return list(
        edition.articles.filter(live=True)
        .select_related("locale")
        .order_by("-first_published_at", "-id")
    )


def publish_editions(article: ArticlePage) -> list[Edition]:
    """The editions asked for with a publish of ``article`` (a cancelled one aside)."""
    return list(
        Edition.objects.filter(article=article, with_publish=True)
        .exclude(status=Edition.Status.CANCELLED)
        .select_related("newsletter")
    )


def default_newsletter(language: str) -> Newsletter | None:
    """The newsletter an article in ``language`` is most likely sent by."""
    return Newsletter.objects.filter(language=language).order_by("name", "pk").first()


def reader_deliveries(reader: Reader) -> list[dict]:
    """Every delivery of ``reader``'s account, JSON-ready, for their data download.

    By the reader, never by the address: a new reader at an address that someone else
    used before must not see that person's history.
    """
    rows = (
        Delivery.objects.filter(reader=reader).select_related("edition__newsletter").order_by("pk")
    )
    return [
        {
            "newsletter": d.edition.newsletter.name,
            "edition": d.edition.subject,
            "email": d.email,
            "status": d.status,
            "message_id": d.message_id,
            "sent_at": _iso(d.sent_at),
            "bounced_at": _iso(d.bounced_at),
            "complained_at": _iso(d.complained_at),
            "unsubscribed_at": _iso(d.unsubscribed_at),
        }
        for d in rows
    ]


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
