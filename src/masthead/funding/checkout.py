"""Starting a payment: the reader's choice is checked, stored as a Checkout, sent to a provider.

Nothing here grants anything: a Checkout is what the reader asked for, and only a verified
provider event (funding.webhooks → the adapter → funding.ledger) writes money or access.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from masthead.audience.models import Reader
from masthead.funding import providers, queries
from masthead.funding.models import Checkout, Offer, PlanPrice
from masthead.funding.providers.base import Redirect, ReturnUrls
from masthead.lib import money


class CheckoutError(ValueError):
    """The reader's choice cannot be paid as it stands; the message says why."""


def safe_return_path(path: str | None, default: str = "/") -> str:
    """``path`` if it is a path on this site, else ``default`` (no open redirect).

    Refuses absolute URLs, scheme-relative ``//evil.example``, ``/\\evil.example`` and
    ``javascript:`` (RELIABILITY.md S4): only a plain local path comes back.
    """
    if (
        not path
        or not path.startswith("/")
        or path.startswith(("//", "/\\"))
        or len(path) > 500
        or not url_has_allowed_host_and_scheme(path, allowed_hosts=None)
    ):
        return default
    return path


def donation_bounds(currency: str) -> tuple[int, int]:
    """(lowest, highest) one-off gift in ``currency``, in minor units."""
    return (
        money.to_minor(settings.DONATION_MIN, currency),
        money.to_minor(settings.DONATION_MAX, currency),
    )


def check_currency(currency: str) -> None:
    if currency not in providers.currencies():
        raise CheckoutError(_("This publication does not take payments in %s.") % currency)


def check_donation_amount(amount: int, currency: str) -> None:
    lowest, highest = donation_bounds(currency)
    if amount < lowest:
        raise CheckoutError(_("The smallest gift is %s.") % money.format_money(lowest, currency))
    if amount > highest:
        raise CheckoutError(
            _("The largest gift online is %s; write to us for more.")
            % money.format_money(highest, currency)
        )


def pick_provider(currency: str, name: str | None = None) -> providers.Provider:
    choices = providers.for_currency(currency)
    if not choices:
        raise CheckoutError(_("This publication does not take payments in %s.") % currency)
    if name:
        for provider in choices:
            if provider.name == name:
                return provider
        raise CheckoutError(_("That payment method is not offered for %s.") % currency)
    return choices[0]


@transaction.atomic
def begin(
    *,
    kind: str,
    amount: int,
    currency: str,
    email: str,
    reader: Reader | None,
    language: str,
    urls: ReturnUrls,
    return_path: str = "/",
    provider_name: str | None = None,
    cover_fees: bool = False,
    toward_campaign: bool = False,
    anonymous: bool = False,
    name: str = "",
    price: PlanPrice | None = None,
    offer: Offer | None = None,
    gift_recipient: str = "",
    gift_message: str = "",
    checkout_id: uuid.UUID | None = None,
) -> tuple[Checkout, Redirect]:
    """Store the reader's choice and create the provider's checkout; (checkout, redirect).

    ``checkout_id`` lets the caller name the checkout beforehand, so the return URLs it
    passes can already carry a link to this checkout (the thanks page's token).
    """
    check_currency(currency)
    provider = pick_provider(currency, provider_name)
    if kind == Checkout.Kind.DONATION:
        check_donation_amount(amount, currency)
    elif price is None or price.currency != currency:
        raise CheckoutError(_("Choose a plan and how often to pay."))
    if offer is not None and not provider.takes_offer(offer):
        raise CheckoutError(
            _(
                "This offer code cannot be used with %(provider)s: it discounts every payment "
                "there or none. Choose another way to pay, or join without the code."
            )
            % {"provider": provider.label}
        )
    campaign = queries.current_campaign() if toward_campaign else None
    if campaign is not None and campaign.currency != currency:
        raise CheckoutError(
            _("The campaign counts gifts in %(campaign)s; this gift is in %(gift)s.")
            % {"campaign": campaign.currency, "gift": currency}
        )
    fee = provider.fee(amount, currency) if cover_fees and kind == Checkout.Kind.DONATION else 0
    checkout = Checkout.objects.create(
        id=checkout_id or uuid.uuid4(),
        kind=kind,
        provider=provider.name,
        reader=reader,
        email=reader.email if reader else email,
        language=language,
        amount=amount + fee,
        fee_covered=fee,
        currency=currency,
        campaign=campaign,
        anonymous=anonymous,
        name=name,
        price=price,
        offer=offer,
        gift_recipient=gift_recipient,
        gift_message=gift_message,
        return_path=safe_return_path(return_path),
    )
    redirect = provider.start_checkout(checkout, urls)
    Checkout.objects.filter(pk=checkout.pk).update(provider_session=redirect.session_reference)
    checkout.provider_session = redirect.session_reference
    return checkout, redirect
