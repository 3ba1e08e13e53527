"""Ledger rows for campaign tests, written through funding.ledger (the one door)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from masthead.audience.models import Reader
from masthead.funding import ledger
from masthead.funding.models import Campaign, CampaignText, Checkout, Membership, Payment

_references = itertools.count(1)


def donate(
    campaign: Campaign | None,
    amount: int,
    *,
    reader: Reader | None = None,
    email: str = "guest@example.org",
    fee: int = 0,
    currency: str = "",
    anonymous: bool = False,
    name: str = "",
    status: str = Payment.Status.SUCCEEDED,
) -> Payment:
    """A one-off gift of ``amount`` (plus ``fee`` the giver chose to cover) toward ``campaign``,
    as a provider would report it for the reader's checkout."""
    currency = currency or (campaign.currency if campaign else "USD")
    checkout = Checkout.objects.create(
        kind=Checkout.Kind.DONATION,
        provider="local",
        reader=reader,
        email="" if reader else email,
        amount=amount + fee,
        fee_covered=fee,
        currency=currency,
        campaign=campaign,
        anonymous=anonymous,
        name=name,
    )
    return ledger.record_payment(
        provider="local",
        reference=f"local_pi_{next(_references)}",
        status=status,
        amount=amount + fee,
        currency=currency,
        kind=Payment.Kind.DONATION,
        checkout=checkout,
    )


def refund(payment: Payment, amount: int) -> None:
    ledger.record_refund(
        provider=payment.provider,
        reference=f"local_re_{next(_references)}",
        payment_reference=payment.reference,
        amount=amount,
        currency=payment.currency,
    )


def membership_payments(campaign: Campaign, plan, reader: Reader, amounts: list[int]) -> None:
    """A membership started from ``campaign``: its first payment, then renewals."""
    price = plan.prices.get(interval="month", currency=campaign.currency)
    membership = ledger.sync_membership(
        provider="local",
        reference=f"local_sub_{next(_references)}",
        reader=reader,
        plan=plan,
        price=price,
        status=Membership.Status.ACTIVE,
        current_period_end=timezone.now() + dt.timedelta(days=30),
        campaign=campaign,
    )
    for number, amount in enumerate(amounts):
        ledger.record_payment(
            provider="local",
            reference=f"local_in_{next(_references)}",
            status=Payment.Status.SUCCEEDED,
            amount=amount,
            currency=campaign.currency,
            kind=Payment.Kind.MEMBERSHIP,
            membership=membership,
            first_of_membership=number == 0,
        )


def make_campaign(
    slug: str,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    goal: int = 5_000_000,
    currency: str = "USD",
    titles: dict[str, str] | None = None,
    story: str = "",
) -> Campaign:
    campaign = Campaign.objects.create(
        slug=slug, goal=goal, currency=currency, starts_at=starts_at, ends_at=ends_at
    )
    for language, title in (titles or {"en": slug.title()}).items():
        CampaignText.objects.create(campaign=campaign, language=language, title=title, story=story)
    return campaign
