"""The one interface every payment provider implements.

A provider does four things for Masthead: start a checkout (one-off or recurring) and say
where to send the reader; give the link where a member manages their card and plan; cancel
a recurring payment (erasure cancels at the provider first, RELIABILITY.md §4); and turn
its notifications into ledger writes. Notifications come in two steps: ``verify`` runs in
the web request and either refuses (a 4xx with a reason, nothing written) or names the
event; ``process`` runs in the worker on the stored event, fetches the provider's current
object (so order and duplicates do not matter) and calls funding.ledger.

PayPal would be one more module with this class and one line in providers/__init__.py.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal

from django.http import HttpRequest

from masthead.funding.models import Checkout, Membership, Offer


@dataclass(frozen=True)
class Redirect:
    """Where to send the reader to pay, and the provider's id for that checkout."""

    url: str
    session_reference: str


@dataclass(frozen=True)
class Notification:
    """A verified notification, to be stored once in the inbox by (provider, event_id)."""

    event_id: str
    kind: str
    payload: dict


class Refused(Exception):  # noqa: N818 (an answer to the sender)
    """A notification we will not store: ``status`` (400, 401) and the reason, for the log."""

    def __init__(self, reason: str, *, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class NotReady(Exception):  # noqa: N818
    """The event can't be applied yet (unknown customer, payment not visible): retry later."""


@dataclass(frozen=True)
class ReturnUrls:
    success: str
    cancel: str
    notification: str


class Provider(ABC):
    name: str
    label: str
    #: Recurring payments are managed on the provider's own pages.
    manages_recurring: bool = True

    @abstractmethod
    def start_checkout(self, checkout: Checkout, urls: ReturnUrls) -> Redirect:
        """Create the provider's checkout for ``checkout``; its reference goes in metadata."""

    @abstractmethod
    def manage_url(self, membership: Membership, *, return_url: str) -> str:
        """Where the member changes their card or cancels (Customer Portal and the like)."""

    @abstractmethod
    def cancel(self, membership: Membership) -> None:
        """Stop the recurring payment now; idempotent (an already cancelled one is fine)."""

    @abstractmethod
    def verify(self, request: HttpRequest) -> Notification | None:
        """The notification in ``request``; None for a type we ignore; raises Refused."""

    @abstractmethod
    def process(self, notification: Notification) -> None:
        """Apply a stored notification through funding.ledger; raises NotReady to retry."""

    def takes_offer(self, offer: Offer) -> bool:
        """Whether this provider can apply ``offer`` to a recurring payment as it says."""
        return True

    def fee(self, amount: int, currency: str) -> int:
        """The provider's fee on ``amount`` (minor units), for "cover the fees"."""
        percent, fixed = self.fee_schedule(currency)
        # Gross up so that after the fee the publication receives ``amount``.
        gross = (Decimal(amount) + fixed) / (1 - Decimal(percent) / 100)
        return int(gross.to_integral_value(rounding=ROUND_UP)) - amount

    def fee_schedule(self, currency: str) -> tuple[str, int]:
        """(percent as text, fixed minor units) this provider charges in ``currency``."""
        return ("0", 0)
