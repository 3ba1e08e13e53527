"""The demo's reader revenue: a membership plan, a running campaign and a year of ledger rows.

So the campaign banner, the campaign page and the funding dashboard show real figures from
the first run. Everything is written through ``funding.ledger`` as the local test provider
(no money moves; references start with ``demo_``): one-off gifts over the last twelve
months, some toward the campaign and a few with the fee covered, one refund, paid
memberships with their monthly or annual payments (one ended, one with a payment due),
two offline gifts entered as an editor would, and one complimentary membership. The
supporters are the demo's own fictional readers (example.org / example.net addresses) and
a few invented names for the public list.
"""

from __future__ import annotations

import datetime as dt
import random

from masthead.audience.models import Reader
from masthead.funding import ledger
from masthead.funding.models import (
    Campaign,
    CampaignText,
    Checkout,
    Interval,
    Membership,
    Payment,
    Plan,
    PlanPrice,
    PlanText,
)

PROVIDER = "local"
GIFTS = 30
MEMBERS = 8
# Fictional names for supporters who agreed to be listed.
_LISTED = (
    "Inés M.", "Tomás R.", "Aiyana K.", "Rafael Q.", "Mirela D.", "Óscar V.", "Yusra A.",
    "Leandro P.", "Hana T.", "Bruno C.", "Amaia E.", "Kwame O.",
)  # fmt: skip
_AMOUNTS = (10, 10, 25, 25, 25, 50, 50, 100, 15, 35, 75, 250)  # major units

PLAN_TEXTS = {
    "en": (
        "Member",
        "Every long interview, the day it is published\n"
        "The full archive since the first issue\n"
        "A seat at the yearly readers' assembly",
    ),
    "es": (
        "Socio",
        "Todas las entrevistas largas, el día en que se publican\n"
        "El archivo completo desde el primer número\n"
        "Un lugar en la asamblea anual de lectores",
    ),
}
# Minor units: USD 6 a month or 60 a year; PEN 20 a month or 200 a year.
PRICES = (
    (Interval.MONTH, "USD", 600),
    (Interval.YEAR, "USD", 6000),
    (Interval.MONTH, "PEN", 2000),
    (Interval.YEAR, "PEN", 20000),
)
CAMPAIGN_GOAL = 1_200_000  # USD 12,000
CAMPAIGN_TEXTS = {
    "en": (
        "Twelve thousand for another year at the table",
        "The Long Table pays five editors, a handful of translators and every interviewee's "
        "travel, and takes no advertising. This drive pays for next year's interviews: "
        "twelve thousand dollars, from readers, before the month is out.",
    ),
    "es": (
        "Doce mil para otro año en la mesa",
        "La Mesa Larga paga a cinco editores, a varios traductores y los viajes de cada "
        "entrevistado, y no acepta publicidad. Esta campaña financia las entrevistas del "
        "próximo año: doce mil dólares, de sus lectores, antes de que termine el mes.",
    ),
}


def load_funding(*, now: dt.datetime) -> Campaign:
    """Create the demo plan, campaign and ledger (called inside the demo load)."""
    rng = random.Random(2027)  # noqa: S311 (the same demo every time; not a secret)
    plan = _plan()
    campaign = _campaign(now)
    readers = list(Reader.objects.order_by("pk")[: GIFTS + MEMBERS + 2])
    if len(readers) < GIFTS + MEMBERS + 2:
        raise ValueError("The demo's funding needs the demo readers: load the newsletters first")
    gift_readers, member_readers = readers[:GIFTS], readers[GIFTS : GIFTS + MEMBERS]
    for i, reader in enumerate(gift_readers):
        _gift(i, reader, now=now, campaign=campaign, rng=rng)
    ledger.record_refund(
        provider=PROVIDER,
        reference="demo_re_1",
        payment_reference="demo_pi_3",
        amount=_payment_amount("demo_pi_3"),
        currency="USD",
        refunded_at=now - dt.timedelta(days=2),
    )
    for i, reader in enumerate(member_readers):
        _member(i, reader, plan=plan, now=now, campaign=campaign)
    ledger.record_offline_gift(
        amount=150_000,
        currency="USD",
        received_at=now - dt.timedelta(days=6),
        campaign=campaign,
        name="The Thursday book club",
        note="Bank transfer (demo)",
    )
    ledger.record_offline_gift(
        amount=5_000,
        currency="USD",
        received_at=now - dt.timedelta(days=3),
        campaign=campaign,
        anonymous=True,
        note="Cash at the readers' assembly (demo)",
    )
    comp = readers[GIFTS + MEMBERS]
    ledger.grant(reader=comp, plan=plan, until=None, note="Translator (demo)")
    # The history is invented: nobody is to be thanked for it by email.
    Payment.objects.filter(provider=PROVIDER, reference__startswith="demo_").update(thanked_at=now)
    return campaign


def _plan() -> Plan:
    plan = Plan.objects.create(slug="member", position=0)
    for language, (name, benefits) in PLAN_TEXTS.items():
        PlanText.objects.create(plan=plan, language=language, name=name, benefits=benefits)
    for interval, currency, amount in PRICES:
        PlanPrice.objects.create(plan=plan, interval=interval, currency=currency, amount=amount)
    return plan


def _campaign(now: dt.datetime) -> Campaign:
    campaign = Campaign(
        slug=f"annual-drive-{now.year}",
        goal=CAMPAIGN_GOAL,
        currency="USD",
        starts_at=now - dt.timedelta(days=18),
        ends_at=now + dt.timedelta(days=24),
    )
    campaign.full_clean()
    campaign.save()
    for language, (title, story) in CAMPAIGN_TEXTS.items():
        CampaignText.objects.create(campaign=campaign, language=language, title=title, story=story)
    return campaign


def _gift(
    i: int, reader: Reader, *, now: dt.datetime, campaign: Campaign, rng: random.Random
) -> None:
    """A one-off gift: the first two-thirds during the campaign, the rest over the year."""
    during = i < GIFTS * 2 // 3
    days_ago = rng.uniform(0, 17.5) if during else rng.uniform(19, 360)
    amount = rng.choice(_AMOUNTS) * 100
    # Spanish readers in Peru give in soles, outside the dollar campaign.
    currency = "PEN" if reader.language == "es" and not during else "USD"
    fee = round(amount * 0.029) + 30 if i % 4 == 0 else 0
    listed = i % 3 != 2
    checkout = Checkout.objects.create(
        kind=Checkout.Kind.DONATION,
        status=Checkout.Status.COMPLETE,
        provider=PROVIDER,
        reader=reader,
        language=reader.language,
        amount=amount,
        fee_covered=fee,
        currency=currency,
        campaign=campaign if during and currency == campaign.currency else None,
        anonymous=not listed,
        name=_LISTED[i % len(_LISTED)] if listed else "",
    )
    ledger.record_payment(
        provider=PROVIDER,
        reference=f"demo_pi_{i}",
        status=Payment.Status.SUCCEEDED,
        amount=amount + fee,
        currency=currency,
        kind=Payment.Kind.DONATION,
        checkout=checkout,
        paid_at=now - dt.timedelta(days=days_ago),
    )


def _payment_amount(reference: str) -> int:
    return Payment.objects.get(provider=PROVIDER, reference=reference).amount


def _member(i: int, reader: Reader, *, plan: Plan, now: dt.datetime, campaign: Campaign) -> None:
    """A paid membership and the payments it has made so far.

    Members 0-4 pay monthly (started 1 to 9 months ago; the newest joined from the
    campaign), 5-6 pay annually, 7 left last week.
    """
    annual = i in (5, 6)
    currency = "PEN" if reader.language == "es" else "USD"
    price = PlanPrice.objects.get(
        plan=plan, interval=Interval.YEAR if annual else Interval.MONTH, currency=currency
    )
    months = 1 + (i * 2) % 9
    period = dt.timedelta(days=365 if annual else 30)
    started = now - dt.timedelta(days=30 * months - 3)
    from_campaign = i == 0 and currency == campaign.currency
    if from_campaign:
        started = now - dt.timedelta(days=5)
    left = i == 7
    membership = ledger.sync_membership(
        provider=PROVIDER,
        reference=f"demo_sub_{i}",
        reader=reader,
        plan=plan,
        price=price,
        status=Membership.Status.ACTIVE,
        current_period_end=None,
        started_at=started,
        campaign=campaign if from_campaign else None,
    )
    paid_at, n = started, 0
    while paid_at <= now:
        ledger.record_payment(
            provider=PROVIDER,
            reference=f"demo_inv_{i}_{n}",
            status=Payment.Status.SUCCEEDED,
            amount=price.amount,
            currency=currency,
            kind=Payment.Kind.MEMBERSHIP,
            membership=membership,
            first_of_membership=n == 0,
            paid_at=paid_at,
        )
        paid_at, n = paid_at + period, n + 1
    status = Membership.Status.CANCELED if left else Membership.Status.ACTIVE
    if i == 4:
        status = Membership.Status.PAST_DUE  # the card was declined; the grace period runs
    ledger.sync_membership(
        provider=PROVIDER,
        reference=f"demo_sub_{i}",
        reader=reader,
        plan=plan,
        price=price,
        status=status,
        current_period_end=paid_at,
        ended_at=now - dt.timedelta(days=6) if left else None,
    )
