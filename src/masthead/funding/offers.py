"""Offer codes a reader types when joining: which code, whether it may be used, what it takes off.

Policy:
- A code is matched without regard to case or surrounding spaces ("SPRING25" is "spring25");
  codes are slugs, so nothing else needs normalising.
- It is refused, with a message that says why, when it does not exist, is switched off,
  has expired, has been used up, or takes a fixed amount off in another currency. A percent
  code works in every currency.
- "Used" counts completed checkouts that carried the code: a reader who opened the
  provider's page and walked away has not used it, so an abandoned checkout never uses up
  a code (the count may overshoot by the checkouts completing at the same moment; a limit
  on a promotion is a budget, not a lock).
- ``first_amount`` is the first charge after the discount, never below zero. The local test
  provider charges exactly that; the Stripe and Mercado Pago adapters read the Offer on the
  Checkout and apply it with the provider's own coupon and discount objects, so later
  charges ("repeating", "forever") are discounted by the provider too.

Reads only: nothing here writes.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from masthead.funding.models import Checkout, Offer
from masthead.lib import money


class OfferError(ValueError):
    """The code cannot be used for this payment; the message says why (a form error)."""


def normalise(code: str) -> str:
    return code.strip().lower()


def times_used(offer: Offer) -> int:
    return Checkout.objects.filter(offer=offer, status=Checkout.Status.COMPLETE).count()


def find(code: str, *, currency: str) -> Offer:
    """The usable offer named ``code`` for a payment in ``currency``; raises OfferError."""
    offer = Offer.objects.filter(code=normalise(code)).first()
    if offer is None:
        raise OfferError(_("There is no offer with this code. Check the spelling."))
    if not offer.active:
        raise OfferError(_("This offer is no longer available."))
    if offer.expires_at is not None and offer.expires_at <= timezone.now():
        raise OfferError(_("This offer has expired."))
    if offer.max_redemptions is not None and times_used(offer) >= offer.max_redemptions:
        raise OfferError(_("This offer has been used up."))
    if offer.kind == Offer.Kind.FIXED and offer.currency != currency:
        raise OfferError(
            _("This offer is for payments in %(offer)s; you chose %(chosen)s.")
            % {"offer": offer.currency, "chosen": currency}
        )
    return offer


def first_amount(offer: Offer | None, amount: int) -> int:
    """The first charge of ``amount`` (minor units) after ``offer``; rounded in the reader's
    favour (the discount is rounded up, as Stripe rounds a percent-off coupon)."""
    if offer is None:
        return amount
    if offer.kind == Offer.Kind.PERCENT:
        discount = -(-amount * (offer.percent_off or 0) // 100)  # ceiling division
    else:
        discount = offer.amount_off or 0
    return max(0, amount - discount)


def describe(offer: Offer) -> str:
    """What the offer gives, for the reader: "25% off the first payment"."""
    if offer.kind == Offer.Kind.PERCENT:
        off = _("%(percent)s%% off") % {"percent": offer.percent_off}
    else:
        off = _("%(amount)s off") % {
            "amount": money.format_money(offer.amount_off or 0, offer.currency)
        }
    if offer.duration == Offer.Duration.ONCE:
        return _("%(off)s the first payment") % {"off": off}
    if offer.duration == Offer.Duration.REPEATING:
        months = offer.duration_months or 1
        return ngettext(
            "%(off)s every payment for %(months)s month",
            "%(off)s every payment for %(months)s months",
            months,
        ) % {"off": off, "months": months}
    return _("%(off)s every payment") % {"off": off}
