"""The local test provider: a checkout page on this site that succeeds or fails on demand.

For the demo and the tests, with no keys and no network. It takes no money: while it is
switched on every page says "test mode" (theme), and production settings refuse it unless
the operator allows it on purpose (settings.py). Its checkout page posts the outcome; the
outcome is stored in the inbox like any provider's notification and applied by the worker,
so the demo exercises the same path as Stripe and Mercado Pago. Its "current object" for a
subscription is the Membership row itself.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from masthead.audience.models import Reader
from masthead.funding import ledger
from masthead.funding.models import Checkout, Interval, Membership, Payment
from masthead.funding.providers.base import Notification, NotReady, Provider, Redirect, ReturnUrls
from masthead.inbox import services as inbox

SUCCEEDED = "succeeded"
FAILED = "failed"
OUTCOMES = (SUCCEEDED, FAILED)
_PERIOD = {Interval.MONTH: dt.timedelta(days=30), Interval.YEAR: dt.timedelta(days=365)}


class LocalProvider(Provider):
    name = "local"
    label = _("Test payment (no money moves)")

    def start_checkout(self, checkout: Checkout, urls: ReturnUrls) -> Redirect:
        return Redirect(
            url=reverse("funding:test_checkout", args=[checkout.pk]),
            session_reference=f"local_cs_{checkout.pk.hex}",
        )

    def manage_url(self, membership: Membership, *, return_url: str) -> str:
        return reverse("funding:test_manage", args=[membership.pk])

    def cancel(self, membership: Membership) -> None:
        ledger.cancelled_now(membership)

    def verify(self, request: HttpRequest) -> Notification | None:
        from masthead.funding.providers.base import Refused

        raise Refused("The test provider takes no notifications from outside.", status=404)

    def fee_schedule(self, currency: str) -> tuple[str, int]:
        return ("2.9", 30 if currency != "CLP" else 0)

    def complete(self, checkout: Checkout, outcome: str) -> None:
        """The reader pressed "pay" or "decline" on the test checkout page."""
        if outcome not in OUTCOMES:
            raise ValueError(outcome)
        inbox.receive(
            provider=self.name,
            event_id=f"{checkout.pk}:{outcome}",
            kind=f"checkout.{outcome}",
            payload={"checkout": str(checkout.pk), "outcome": outcome},
        )

    def process(self, notification: Notification) -> None:
        checkout = (
            Checkout.objects.select_related("price__plan", "campaign", "reader")
            .filter(pk=notification.payload.get("checkout"))
            .first()
        )
        if checkout is None:
            raise NotReady("checkout not found")
        outcome = notification.payload.get("outcome")
        if outcome == FAILED:
            Checkout.objects.filter(pk=checkout.pk, status=Checkout.Status.OPEN).update(
                status=Checkout.Status.FAILED
            )
            if checkout.kind != Checkout.Kind.MEMBERSHIP:
                ledger.record_payment(
                    provider=self.name,
                    reference=f"local_pi_{checkout.pk.hex}",
                    status=Payment.Status.FAILED,
                    amount=checkout.amount,
                    currency=checkout.currency,
                    kind=checkout.kind,
                    checkout=checkout,
                    reader=ledger.reader_for_checkout(checkout),
                )
            return
        reader = ledger.reader_for_checkout(checkout)
        Checkout.objects.filter(pk=checkout.pk).update(status=Checkout.Status.COMPLETE)
        if checkout.kind == Checkout.Kind.MEMBERSHIP:
            self._start_membership(checkout, reader)
            return
        payment = ledger.record_payment(
            provider=self.name,
            reference=f"local_pi_{checkout.pk.hex}",
            status=Payment.Status.SUCCEEDED,
            amount=checkout.amount,
            currency=checkout.currency,
            kind=checkout.kind,
            checkout=checkout,
            reader=reader,
        )
        if checkout.kind == Checkout.Kind.GIFT:
            from masthead.funding import gifts

            gifts.record_purchase(checkout=checkout, payment=payment)

    def _start_membership(self, checkout: Checkout, reader: Reader) -> None:
        price = checkout.price
        now = timezone.now()
        trial = price.plan.trial_days
        period_end = now + (dt.timedelta(days=trial) if trial else _PERIOD[price.interval])
        membership = ledger.sync_membership(
            provider=self.name,
            reference=f"local_sub_{checkout.pk.hex}",
            reader=reader,
            plan=price.plan,
            price=price,
            status=Membership.Status.TRIALING if trial else Membership.Status.ACTIVE,
            current_period_end=period_end,
            started_at=now,
            campaign=checkout.campaign,
        )
        if not trial:
            ledger.record_payment(
                provider=self.name,
                reference=f"local_in_{checkout.pk.hex}_1",
                status=Payment.Status.SUCCEEDED,
                amount=checkout.amount,
                currency=checkout.currency,
                kind=Payment.Kind.MEMBERSHIP,
                checkout=checkout,
                reader=reader,
                membership=membership,
                first_of_membership=True,
            )
