"""Applying stored Stripe events: fetch the current objects, write through funding.ledger.

Split from providers/stripe.py (which owns the client, checkout and verification). The
rules are that module's docstring: state comes from the API at processing time, never from
the event, so order, duplicates and lateness end in the same rows.
"""

from __future__ import annotations

import datetime as dt
import uuid

import stripe

from masthead.audience.models import Reader
from masthead.funding import ledger
from masthead.funding.models import Checkout, Customer, Membership, Payment
from masthead.funding.providers.base import Notification, NotReady
from masthead.inbox.handlers import Ignored

NAME = "stripe"

STATUSES = {
    "trialing": Membership.Status.TRIALING,
    "active": Membership.Status.ACTIVE,
    "past_due": Membership.Status.PAST_DUE,
    "unpaid": Membership.Status.PAST_DUE,
    "canceled": Membership.Status.CANCELED,
    "incomplete": Membership.Status.INCOMPLETE,
    "incomplete_expired": Membership.Status.CANCELED,
    # Stripe pauses a trial that ended without a card: no access, not ended.
    "paused": Membership.Status.INCOMPLETE,
}
ENDED = ("canceled", "incomplete_expired")


def _when(timestamp: int | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC) if timestamp else None


def id_of(value: object) -> str | None:
    """The id of an expandable field, whether Stripe sent the id or the object."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def checkout_named(metadata: dict | None) -> Checkout | None:
    """The Checkout a Stripe object's metadata names; NotReady if it names one we lack."""
    reference = (metadata or {}).get("checkout")
    if not reference:
        return None
    try:
        pk = uuid.UUID(str(reference))
    except ValueError:
        return None  # not ours: another integration on the same Stripe account
    checkout = (
        Checkout.objects.select_related("price__plan", "campaign", "reader", "offer")
        .filter(pk=pk)
        .first()
    )
    if checkout is None:
        raise NotReady(f"checkout {pk} is not stored yet")
    return checkout


class Applier:
    """One pass over one event, with the process's Stripe client."""

    name = NAME

    def __init__(self, client: stripe.StripeClient) -> None:
        self.client = client

    def process(self, notification: Notification) -> None:
        """Apply one stored event from the objects fetched now; NotReady to retry later."""
        kind, object_id = notification.kind, notification.payload["object"]
        if kind.startswith("checkout.session."):
            self._session(object_id)
        elif kind.startswith("customer.subscription."):
            subscription = self.client.v1.subscriptions.retrieve(object_id).to_dict()
            self.apply_subscription(subscription)
        elif kind.startswith("invoice."):
            self._invoice(object_id)
        elif kind == "charge.refunded":
            self._refunds(object_id)
        else:
            raise Ignored(f"Stripe event type {kind} is not one Masthead uses")

    def _session(self, session_id: str) -> None:
        session = self.client.v1.checkout.sessions.retrieve(
            session_id, {"expand": ["payment_intent", "subscription"]}
        ).to_dict()
        checkout = checkout_named(session.get("metadata"))
        if session.get("status") == "expired":
            if checkout is not None:
                Checkout.objects.filter(pk=checkout.pk, status=Checkout.Status.OPEN).update(
                    status=Checkout.Status.EXPIRED
                )
            return
        if session.get("status") != "complete":
            raise Ignored("the Checkout Session is still open")
        if checkout is None:
            if session.get("mode") != "payment":
                raise Ignored("a subscription Masthead did not start (no plan to map it to)")
            # Money that came through a Payment Link or the Dashboard: a gift all the same,
            # in the ledger, toward no campaign.
            self._one_off(session, None, None)
            return
        reader = _reader_for(checkout)
        if session.get("customer"):
            ledger.link_customer(
                provider=self.name, reference=id_of(session["customer"]), reader=reader
            )
        if session.get("mode") == "subscription":
            Checkout.objects.filter(pk=checkout.pk).update(status=Checkout.Status.COMPLETE)
            subscription = session.get("subscription")
            if isinstance(subscription, dict):
                self.apply_subscription(subscription, checkout=checkout)
            if session.get("invoice"):
                self._invoice(id_of(session["invoice"]))
            return
        self._one_off(session, checkout, reader)

    def _one_off(self, session: dict, checkout: Checkout | None, reader: Reader | None) -> None:
        intent = session.get("payment_intent") or {}
        if session.get("payment_status") == "paid":
            status = Payment.Status.SUCCEEDED
        elif intent.get("status") in ("requires_payment_method", "canceled"):
            # A delayed method (bank debit) that failed after the session completed.
            status = Payment.Status.FAILED
        else:
            status = Payment.Status.PENDING  # unpaid: counts only once it succeeds
        payment = ledger.record_payment(
            provider=self.name,
            reference=id_of(intent) or session["id"],
            status=status,
            amount=session["amount_total"],
            currency=session["currency"].upper(),
            kind=checkout.kind if checkout else Payment.Kind.DONATION,
            checkout=checkout,
            reader=reader,
            email=(session.get("customer_details") or {}).get("email") or "",
        )
        if checkout is None:
            return
        if status != Payment.Status.PENDING:
            Checkout.objects.filter(pk=checkout.pk).exclude(
                status=Checkout.Status.COMPLETE
            ).update(
                status=Checkout.Status.COMPLETE
                if payment.status == Payment.Status.SUCCEEDED
                else Checkout.Status.FAILED
            )
        if checkout.kind == Checkout.Kind.GIFT and payment.status == Payment.Status.SUCCEEDED:
            from masthead.funding import gifts

            gifts.record_purchase(checkout=checkout, payment=payment)

    def apply_subscription(
        self,
        subscription: dict,
        *,
        checkout: Checkout | None = None,
        membership: Membership | None = None,
    ) -> Membership:
        """Mirror a fetched subscription onto its Membership (created on first sight)."""
        reference = subscription["id"]
        checkout = checkout or checkout_named(subscription.get("metadata"))
        membership = membership or (
            Membership.objects.select_related("plan", "price")
            .filter(provider=self.name, reference=reference)
            .first()
        )
        customer_id = id_of(subscription.get("customer"))
        customer = Customer.objects.filter(provider=self.name, reference=customer_id).first()
        if customer is not None:
            reader = customer.reader  # None once erased: the membership stays anonymous
        elif checkout is not None:
            reader = _reader_for(checkout)
            ledger.link_customer(provider=self.name, reference=customer_id, reader=reader)
        elif membership is not None:
            reader = membership.reader
        else:
            raise NotReady(f"subscription {reference} is for a customer Masthead does not know")
        if checkout is not None and checkout.price is not None:
            plan, price = checkout.price.plan, checkout.price
        elif membership is not None:
            plan, price = membership.plan, membership.price
        else:
            raise Ignored(f"subscription {reference} was not started from Masthead")
        items = (subscription.get("items") or {}).get("data") or [{}]
        return ledger.sync_membership(
            provider=self.name,
            reference=reference,
            reader=reader,
            plan=plan,
            price=price,
            status=STATUSES.get(subscription.get("status"), Membership.Status.INCOMPLETE),
            current_period_end=_when(items[0].get("current_period_end")),
            cancel_at_period_end=bool(subscription.get("cancel_at_period_end")),
            ended_at=_when(subscription.get("ended_at")),
            started_at=_when(subscription.get("start_date")),
            campaign=checkout.campaign if checkout else None,
        )

    def _invoice(self, invoice_id: str) -> None:
        invoice = self.client.v1.invoices.retrieve(invoice_id).to_dict()
        details = (invoice.get("parent") or {}).get("subscription_details") or {}
        subscription_id = id_of(details.get("subscription"))
        if not subscription_id:
            raise Ignored("an invoice for no subscription")
        membership = (
            Membership.objects.select_related("plan", "price", "reader")
            .filter(provider=self.name, reference=subscription_id)
            .first()
        )
        if membership is None:
            # The invoice came first: learn the subscription (or wait for its customer).
            subscription = self.client.v1.subscriptions.retrieve(subscription_id).to_dict()
            membership = self.apply_subscription(subscription)
        if invoice.get("status") == "paid":
            status, amount = Payment.Status.SUCCEEDED, invoice.get("amount_paid") or 0
        elif invoice.get("status") in ("open", "uncollectible", "void") and invoice.get(
            "attempted"
        ):
            status, amount = Payment.Status.FAILED, invoice.get("amount_due") or 0
        else:
            return  # a draft, or not yet charged: nothing happened to money
        if amount == 0:
            return  # a free trial's invoice moves no money
        first = self._is_first_charge(invoice, subscription_id)
        ledger.record_payment(
            provider=self.name,
            reference=invoice["id"],
            status=status,
            amount=amount,
            currency=invoice["currency"].upper(),
            kind=Payment.Kind.MEMBERSHIP,
            # Only the first payment carries the checkout's campaign (renewals do not count).
            checkout=checkout_named(details.get("metadata")) if first else None,
            reader=membership.reader,
            membership=membership,
            first_of_membership=first,
            paid_at=_when((invoice.get("status_transitions") or {}).get("paid_at")),
        )

    def _is_first_charge(self, invoice: dict, subscription_id: str) -> bool:
        """Whether ``invoice`` is the subscription's first that asked for money.

        Usually the "subscription_create" invoice; after a free trial that one is for 0
        and the first charge is the next invoice (issue 9: first payments of memberships
        started from a campaign count toward it). Decided from Stripe's list of the
        subscription's invoices, so the order events arrive in does not matter.
        """
        if invoice.get("billing_reason") == "subscription_create":
            return True
        listing = self.client.v1.invoices.list({"subscription": subscription_id, "limit": 100})
        earlier = [
            other
            for other in (row.to_dict() for row in listing.data)
            if other["id"] != invoice["id"]
            and (other.get("amount_due") or 0) > 0
            and (other.get("created") or 0) < (invoice.get("created") or 0)
        ]
        return not earlier

    def _refunds(self, charge_id: str) -> None:
        charge = self.client.v1.charges.retrieve(charge_id).to_dict()
        intent = id_of(charge.get("payment_intent"))
        payment_reference = intent or charge["id"]
        if intent:
            # A subscription's charge: its ledger row is the invoice, found through
            # invoice payments (this API version has no charge.invoice).
            paid = self.client.v1.invoice_payments.list(
                {"payment": {"type": "payment_intent", "payment_intent": intent}, "limit": 1}
            )
            if paid.data:
                payment_reference = id_of(paid.data[0].to_dict().get("invoice"))
        listing = self.client.v1.refunds.list({"charge": charge["id"], "limit": 100})
        for item in listing.auto_paging_iter():
            refund = item.to_dict()
            # Pending counts as Stripe's own charge.amount_refunded does; failed and
            # canceled refunds gave nothing back.
            if refund.get("status") not in ("succeeded", "pending"):
                continue
            ledger.record_refund(
                provider=self.name,
                reference=refund["id"],
                payment_reference=payment_reference,
                amount=refund["amount"],
                currency=refund["currency"].upper(),
                refunded_at=_when(refund.get("created")),
            )


def _reader_for(checkout: Checkout) -> Reader | None:
    """The checkout's reader; None when erasure has already blanked it."""
    if checkout.reader_id is None and not checkout.email:
        return None
    return ledger.reader_for_checkout(checkout)
