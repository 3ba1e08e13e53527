"""Gift memberships: bought by one reader for another, redeemed from the link emailed to them.

Policy (issue 9 §1; Ghost PR #27169, where gift purchases needed idempotency keyed on the
checkout session):
- A gift is priced from its plan: the monthly price times 3 or 6 months, or the annual
  price for 12 (the monthly price times 12 when the plan has no annual price). The buyer
  pays once, in payment mode at the provider.
- ``record_purchase`` runs in every provider adapter after the payment succeeded. The
  Gift is one-to-one with its Checkout, so replayed events and two adapters' events make
  one Gift and one email to the recipient. The buyer is thanked like any supporter
  (funding/outbox.py).
- Redeeming takes a POST (mail scanners follow links: a GET changes nothing), works once,
  and gives the recipient's Reader, found or created by the address the gift was sent to,
  a membership from now for the months bought. A fully refunded gift cannot be redeemed.
- Redeeming does not sign anyone in. The link is a bearer token valid for a year and
  often forwarded (to a partner, a shared inbox); a session from it would outlive the
  15-minute, single-use magic link that signing in otherwise takes (RELIABILITY.md §3).
  The page offers that sign-in link instead, prefilled with the recipient's address.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from masthead.audience import services as audience
from masthead.funding import emails, ledger, links
from masthead.funding.models import (
    Checkout,
    Gift,
    Interval,
    Membership,
    Payment,
    Plan,
    PlanPrice,
    Refund,
)
from masthead.lib import tokens

log = logging.getLogger(__name__)

GIFT_MONTHS = (3, 6, 12)


class GiftRefused(Exception):  # noqa: N818 (reads better at call sites)
    """The link cannot redeem a gift: ``reason`` is invalid, expired, used or withdrawn."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def gift_price(plan: Plan, *, months: int, currency: str) -> tuple[int, PlanPrice] | None:
    """(amount in minor units, the PlanPrice it comes from), or None if not sold so."""
    if months not in GIFT_MONTHS:
        return None
    prices = {p.interval: p for p in plan.prices.all() if p.currency == currency}
    if months == 12 and Interval.YEAR in prices:
        return prices[Interval.YEAR].amount, prices[Interval.YEAR]
    monthly = prices.get(Interval.MONTH)
    if monthly is None:
        return None
    return monthly.amount * months, monthly


def months_bought(checkout: Checkout) -> int | None:
    """How many months a gift checkout paid for, read back from its price and amount."""
    price = checkout.price
    if price is None:
        return None
    if price.interval == Interval.YEAR:
        return 12 if checkout.amount == price.amount else None
    months, rest = divmod(checkout.amount, price.amount)
    return months if not rest and months in GIFT_MONTHS else None


@transaction.atomic
def record_purchase(*, checkout: Checkout, payment: Payment) -> Gift | None:
    """The Gift for a paid gift checkout, created once; its email queued on creation.

    Idempotent: a second call for the same checkout returns the same Gift and queues
    nothing. None (logged) when the checkout is not a paid, well-formed gift.
    """
    if checkout.kind != Checkout.Kind.GIFT or payment.status != Payment.Status.SUCCEEDED:
        return None
    existing = Gift.objects.filter(checkout=checkout).first()
    if existing is not None:
        return existing
    months = months_bought(checkout)
    if months is None or not checkout.gift_recipient:
        # Money was taken for something we cannot give: the editors must look at it.
        log.error("gift checkout %s cannot become a gift (price or recipient)", checkout.pk)
        return None
    try:
        with transaction.atomic():  # savepoint: a concurrent event may create it first
            gift = Gift.objects.create(
                checkout=checkout,
                plan=checkout.price.plan,
                months=months,
                recipient_email=checkout.gift_recipient,
                message=checkout.gift_message,
            )
    except IntegrityError:
        return Gift.objects.get(checkout=checkout)
    emails.queue("send_gift", gift_id=gift.pk)
    return gift


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` plus calendar months; the 31st becomes the month's last day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _gift_for(token: str, *, lock: bool = False) -> Gift:
    try:
        link = links.GIFT.read(token)
    except tokens.BadToken as bad:
        raise GiftRefused(bad.reason) from None
    rows = Gift.objects.select_related("plan", "checkout", "membership")
    # Lock the gift row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer join to its membership.
    locked = rows.select_for_update(of=("self",)) if lock else rows
    gift = locked.filter(pk=link.gift_id).first()
    # The link names the address it was mailed to; a gift whose address changed (erased)
    # is no longer that link's to redeem.
    if gift is None or gift.recipient_email.lower() != link.recipient_email.lower():
        raise GiftRefused("invalid")
    return gift


def _refunded_in_full(gift: Gift) -> bool:
    payment = gift.checkout.payments.filter(status=Payment.Status.SUCCEEDED).first()
    if payment is None:
        return True
    refunded = Refund.objects.filter(
        provider=payment.provider, payment_reference=payment.reference
    ).aggregate(total=Sum("amount"))["total"]
    return (refunded or 0) >= payment.amount


def gift_for_redeeming(token: str) -> Gift:
    """The gift the link names, if it can still be redeemed; GiftRefused otherwise.

    What the GET page shows: it checks everything the POST will and changes nothing.
    """
    gift = _gift_for(token)
    if gift.redeemed_at is not None:
        raise GiftRefused("used")
    if _refunded_in_full(gift):
        raise GiftRefused("withdrawn")
    return gift


@transaction.atomic
def redeem(*, token: str) -> Gift:
    """Give the recipient their membership, once; GiftRefused says why not."""
    gift = _gift_for(token, lock=True)
    if _refunded_in_full(gift):
        raise GiftRefused("withdrawn")
    now = timezone.now()
    # The conditional update is the claim: of two concurrent POSTs one finds it done.
    claimed = Gift.objects.filter(pk=gift.pk, redeemed_at__isnull=True).update(redeemed_at=now)
    if claimed != 1:
        raise GiftRefused("used")
    reader = audience.reader_for_address(gift.recipient_email, language=gift.checkout.language)
    membership = ledger.grant(
        reader=reader,
        plan=gift.plan,
        until=add_months(now, gift.months),
        source=Membership.Source.GIFT,
        note=f"gift {gift.pk}",
    )
    Gift.objects.filter(pk=gift.pk).update(membership=membership)
    gift.redeemed_at, gift.membership = now, membership
    return gift
