"""The demo's newsletters and a few months of fictional readers, so every screen has data.

Three lists (the English and Spanish Friday letters, and breaking news), a few hundred
readers at example.org/example.net who joined over the last four months, some of whom
left again, two suppressed addresses, and two past editions with their delivery ledger,
as if they had been sent. Nothing here is mailed: the readers and the history are
invented, and the addresses belong to reserved example domains (RFC 2606).
"""

from __future__ import annotations

import datetime as dt
import random

from masthead.audience.forms import SIGN_UP_WORDING
from masthead.audience.models import ConsentEvent, Newsletter, Reader, Subscription, Suppression
from masthead.newsletter.models import Delivery, Edition
from masthead.newsroom.models import ArticlePage

READERS = 360
DAYS = 120
# Fictional first names, enough to make the list look like people.
_NAMES = (
    "ines", "tomas", "aiyana", "rafael", "mirela", "oscar", "yusra", "leandro", "hana",
    "bruno", "amaia", "teodor", "nuria", "kwame", "lucia", "pavel", "sofia", "emeka",
)  # fmt: skip

NEWSLETTERS = (
    {
        "slug": "friday-letter",
        "name": "The Friday Letter",
        "language": "en",
        "sender_name": "The Long Table",
        "description": "Everything we published this week, and one long read from the archive.",
    },
    {
        "slug": "carta-de-los-viernes",
        "name": "La carta de los viernes",
        "language": "es",
        "sender_name": "La Mesa Larga",
        "description": "Todo lo que publicamos esta semana y una lectura larga del archivo.",
    },
    {
        "slug": "breaking",
        "name": "Breaking news",
        "language": "en",
        "sender_name": "The Long Table",
        "description": "Only when something cannot wait until Friday. A few times a year.",
    },
)


def load_newsletters(*, now: dt.datetime) -> list[Newsletter]:
    """Create the demo newsletters, readers and past editions (called inside the demo load)."""
    newsletters = [Newsletter.objects.create(**fields) for fields in NEWSLETTERS]
    by_slug = {n.slug: n for n in newsletters}
    rng = random.Random(2026)  # noqa: S311 (the same demo every time; not a secret)
    readers = Reader.objects.bulk_create(
        [
            Reader(
                email=f"{rng.choice(_NAMES)}.{i}@{rng.choice(('example.org', 'example.net'))}",
                language="es" if i % 3 == 0 else "en",
            )
            for i in range(READERS)
        ]
    )
    subscriptions = []
    for reader in readers:
        joined = now - dt.timedelta(days=DAYS * rng.random() ** 1.6, minutes=rng.randrange(600))
        letter = by_slug["carta-de-los-viernes" if reader.language == "es" else "friday-letter"]
        lists = [letter] + ([by_slug["breaking"]] if rng.random() < 0.3 else [])
        for newsletter in lists:
            subscriptions.append(_subscription(reader, newsletter, joined, now, rng))
    Subscription.objects.bulk_create(subscriptions)
    ConsentEvent.objects.bulk_create(_consent_log(subscriptions))
    Reader.objects.filter(pk__in=[s.reader_id for s in subscriptions if s.confirmed_at]).update(
        email_confirmed_at=now
    )
    for reader in readers[:2]:
        Suppression.objects.create(
            email=reader.email.lower(),
            reason=Suppression.Reason.HARD_BOUNCE,
            detail="550 5.1.1 mailbox unavailable (demo)",
        )
    for weeks_ago in (2, 1):
        for slug in ("friday-letter", "carta-de-los-viernes"):
            _past_edition(by_slug[slug], now - dt.timedelta(weeks=weeks_ago), rng)
    return newsletters


def _subscription(
    reader: Reader,
    newsletter: Newsletter,
    joined: dt.datetime,
    now: dt.datetime,
    rng: random.Random,
) -> Subscription:
    roll = rng.random()
    confirmed = None if roll < 0.06 else joined + dt.timedelta(minutes=rng.randrange(5, 300))
    left = None
    if confirmed and roll > 0.9:
        left = confirmed + (now - confirmed) * rng.random()
    status = (
        Subscription.Status.PENDING
        if confirmed is None
        else Subscription.Status.UNSUBSCRIBED
        if left
        else Subscription.Status.CONFIRMED
    )
    return Subscription(
        reader=reader,
        newsletter=newsletter,
        status=status,
        source=Subscription.Source.FORM if roll < 0.8 else Subscription.Source.IMPORT,
        consented_at=joined,
        confirmed_at=confirmed,
        unsubscribed_at=left,
    )


def _consent_log(subscriptions: list[Subscription]) -> list[ConsentEvent]:
    """The consent events that the sign-ups, confirmations and departures would have logged."""
    events = []
    for sub in subscriptions:
        common = {"reader": sub.reader, "newsletter": sub.newsletter, "source": sub.source}
        events.append(
            ConsentEvent(
                kind=ConsentEvent.Kind.SUBSCRIBE,
                at=sub.consented_at,
                wording=SIGN_UP_WORDING,
                **common,
            )
        )
        if sub.confirmed_at:
            events.append(
                ConsentEvent(kind=ConsentEvent.Kind.CONFIRM, at=sub.confirmed_at, **common)
            )
        if sub.unsubscribed_at:
            events.append(
                ConsentEvent(
                    kind=ConsentEvent.Kind.UNSUBSCRIBE,
                    at=sub.unsubscribed_at,
                    was_confirmed=True,
                    **{**common, "source": Subscription.Source.LINK},
                )
            )
    return events


def _past_edition(newsletter: Newsletter, sent_at: dt.datetime, rng: random.Random) -> Edition:
    """An edition as the sending pipeline would have left it, ledger and all."""
    articles = list(
        ArticlePage.objects.live()
        .filter(locale__language_code=newsletter.language, first_published_at__lt=sent_at)
        .order_by("-first_published_at")[:5]
    )
    subject = articles[0].title if articles else newsletter.name
    edition = Edition.objects.create(
        newsletter=newsletter,
        subject=subject,
        status=Edition.Status.SENT,
        frozen_at=sent_at,
        finished_at=sent_at + dt.timedelta(minutes=3),
    )
    Edition.objects.filter(pk=edition.pk).update(created_at=sent_at - dt.timedelta(hours=2))
    edition.articles.set(articles)
    audience = Subscription.objects.filter(
        newsletter=newsletter, confirmed_at__lt=sent_at
    ).exclude(unsubscribed_at__lt=sent_at)
    rows = []
    for index, sub in enumerate(audience.select_related("reader").order_by("reader_id")):
        roll = rng.random()
        rows.append(
            Delivery(
                edition=edition,
                reader=sub.reader,
                email=sub.reader.email,
                status=Delivery.Status.FAILED if roll < 0.01 else Delivery.Status.SENT,
                attempts=1,
                sent_at=sent_at + dt.timedelta(seconds=index // 5),
                message_id=f"<{edition.public_id.hex}.{index}@demo.invalid>",
                bounced_at=sent_at if 0.01 <= roll < 0.02 else None,
                unsubscribed_at=(
                    sub.unsubscribed_at
                    if sub.unsubscribed_at and roll > 0.5 and sub.unsubscribed_at > sent_at
                    else None
                ),
            )
        )
    Delivery.objects.bulk_create(rows)
    Edition.objects.filter(pk=edition.pk).update(recipients_count=len(rows))
    return edition
