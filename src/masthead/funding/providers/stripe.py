"""Stripe: Checkout Sessions, the Customer Portal and webhooks, with the official library.

Policy (issue 9 §3, RELIABILITY.md §1):
- One ``StripeClient`` per process, on the API version written below, so an upgrade of the
  library never changes the shape of the objects we read. That version has no
  ``invoice.payment_intent``, ``invoice.subscription`` or ``charge.invoice``: an invoice
  names its subscription under ``parent.subscription_details``, a subscription's period
  lives on its item, and a charge is tied to an invoice through ``invoice_payments``.
- ``verify`` checks the signature with the library and refuses timestamps too far in the
  past (the library) or in the future (ours: the library checks only the past). It keeps
  ids and the type, never the event body: ``process`` fetches the object's current state,
  so duplicates, order and lateness do not matter.
- Every write goes through funding.ledger. A Payment is the payment intent (one-off) or the
  invoice (membership); a refund is keyed by its own id and names that same reference.
- An event about a customer we do not know yet, with no checkout in its metadata, raises
  NotReady: the inbox tries it again later (Ghost #19706), it is never dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
import uuid

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from masthead.audience.models import Reader
from masthead.funding import ledger
from masthead.funding.models import Checkout, Customer, Membership, Offer, Payment
from masthead.funding.providers.base import (
    Notification,
    NotReady,
    Provider,
    Redirect,
    Refused,
    ReturnUrls,
)
from masthead.inbox.handlers import Ignored
from masthead.lib import money

log = logging.getLogger(__name__)

# The library's own version (stripe 16.1.0), written out: objects keep this shape until
# we change this line on purpose.
API_VERSION = "2026-10-28.endive"
NAME = "stripe"
# Seconds for one API call: a reader waits on start_checkout.
TIMEOUT = 20

HANDLED_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.paid",
        "invoice.payment_failed",
        "charge.refunded",
    }
)

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
_ENDED = ("canceled", "incomplete_expired")


def _when(timestamp: int | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC) if timestamp else None


def _id(value: object) -> str | None:
    """The id of an expandable field, whether Stripe sent the id or the object."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def _checkout_named(metadata: dict | None) -> Checkout | None:
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


class StripeProvider(Provider):
    name = NAME
    label = gettext_lazy("Card (Stripe)")

    def __init__(self) -> None:
        self._client: stripe.StripeClient | None = None

    @property
    def client(self) -> stripe.StripeClient:
        """Built on first use, so a webhook refusal never needs the secret key."""
        if self._client is None:
            if not settings.STRIPE_SECRET_KEY:
                raise ImproperlyConfigured("MASTHEAD_STRIPE_SECRET_KEY is empty.")
            self._client = stripe.StripeClient(
                settings.STRIPE_SECRET_KEY,
                stripe_version=API_VERSION,
                base_addresses={"api": settings.STRIPE_API_BASE}
                if settings.STRIPE_API_BASE
                else None,
                http_client=stripe.RequestsClient(timeout=TIMEOUT),
            )
        return self._client

    # Checkout -------------------------------------------------------------------------

    def start_checkout(self, checkout: Checkout, urls: ReturnUrls) -> Redirect:
        from masthead.funding.checkout import CheckoutError

        try:
            with translation.override(checkout.language):
                params = self._session_params(checkout, urls)
            session = self.client.v1.checkout.sessions.create(
                params,
                # A double-clicked "pay" creates one session, not two.
                options={"idempotency_key": f"masthead-checkout-{checkout.pk}"},
            )
        except stripe.StripeError as exc:
            log.warning("Stripe refused checkout %s: %s", checkout.pk, exc)
            raise CheckoutError(
                _("The card payment service did not answer. Please try again in a minute.")
            ) from exc
        return Redirect(url=session.url, session_reference=session.id)

    def _session_params(self, checkout: Checkout, urls: ReturnUrls) -> dict:
        reference = str(checkout.pk)
        metadata = {"checkout": reference}
        price_data: dict = {
            "currency": checkout.currency.lower(),
            "unit_amount": checkout.amount,
            "product_data": {"name": self._product_name(checkout)},
        }
        params: dict = {
            "client_reference_id": reference,
            "metadata": metadata,
            "success_url": urls.success,
            "cancel_url": urls.cancel,
            "locale": checkout.language if checkout.language in ("en", "es") else "auto",
            "line_items": [{"quantity": 1, "price_data": price_data}],
        }
        customer = self._known_customer(checkout)
        if customer:
            params["customer"] = customer
        elif checkout.email:
            params["customer_email"] = checkout.email
        if checkout.kind == Checkout.Kind.MEMBERSHIP:
            price = checkout.price
            price_data["recurring"] = {"interval": price.interval}
            subscription_data: dict = {"metadata": metadata}
            if price.plan.trial_days:
                subscription_data["trial_period_days"] = price.plan.trial_days
            params.update(mode="subscription", subscription_data=subscription_data)
            if checkout.offer is not None:
                params["discounts"] = [{"coupon": self._coupon(checkout.offer, checkout)}]
        else:
            params.update(mode="payment", payment_intent_data={"metadata": metadata})
            if checkout.kind == Checkout.Kind.DONATION:
                params["submit_type"] = "donate"
        return params

    def _product_name(self, checkout: Checkout) -> str:
        if checkout.kind == Checkout.Kind.MEMBERSHIP:
            plan = checkout.price.plan
            texts = {text.language: text.name for text in plan.texts.all()}
            name = texts.get(checkout.language) or next(iter(texts.values()), plan.slug)
            return _("Membership: %s") % name
        if checkout.kind == Checkout.Kind.GIFT:
            return _("Gift membership")
        return _("Donation")

    def _known_customer(self, checkout: Checkout) -> str | None:
        if checkout.reader_id is None:
            return None
        return (
            Customer.objects.filter(provider=self.name, reader_id=checkout.reader_id)
            .order_by("-pk")
            .values_list("reference", flat=True)
            .first()
        )

    def _coupon(self, offer: Offer, checkout: Checkout) -> str:
        """The Stripe coupon for ``offer``, created once: its id is derived from its terms.

        An editor who changes an offer's terms gets a new coupon; the old one stays on the
        subscriptions that used it, as Stripe keeps discounts.
        """
        from masthead.funding.checkout import CheckoutError

        terms: dict = {"duration": offer.duration, "name": offer.code[:40]}
        if offer.duration == Offer.Duration.REPEATING:
            terms["duration_in_months"] = offer.duration_months
        if offer.kind == Offer.Kind.PERCENT:
            terms["percent_off"] = offer.percent_off
        else:
            if offer.currency != checkout.currency:
                raise CheckoutError(_("This offer code is not valid in %s.") % checkout.currency)
            terms.update(amount_off=offer.amount_off, currency=offer.currency.lower())
        digest = hashlib.sha256(json.dumps(terms, sort_keys=True).encode()).hexdigest()[:12]
        coupon_id = f"masthead-{offer.pk}-{digest}"
        try:
            self.client.v1.coupons.retrieve(coupon_id)
        except stripe.InvalidRequestError as exc:
            if exc.code != "resource_missing":
                raise
            self.client.v1.coupons.create(
                {"id": coupon_id, **terms}, options={"idempotency_key": coupon_id}
            )
        return coupon_id

    def manage_url(self, membership: Membership, *, return_url: str) -> str:
        subscription = self.client.v1.subscriptions.retrieve(membership.reference)
        portal = self.client.v1.billing_portal.sessions.create(
            {"customer": _id(subscription.customer), "return_url": return_url}
        )
        return portal.url

    def cancel(self, membership: Membership) -> None:
        """Cancel now at Stripe; a subscription already cancelled or gone is fine.

        Anything else (Stripe down, a 500) raises, so an erasure that calls this rolls
        back rather than leaving a reader erased and still charged.
        """
        try:
            subscription = self.client.v1.subscriptions.cancel(membership.reference).to_dict()
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing" or exc.http_status == 404:
                return
            subscription = self.client.v1.subscriptions.retrieve(membership.reference).to_dict()
            if subscription.get("status") not in _ENDED:
                raise
        self._apply_subscription(subscription, membership=membership)

    def fee_schedule(self, currency: str) -> tuple[str, int]:
        # Stripe's standard card price; no fixed part in a zero-decimal currency.
        return ("2.9", 30 if money.exponent(currency) else 0)

    # Notifications ----------------------------------------------------------------------

    def verify(self, request: HttpRequest) -> Notification | None:
        header = request.headers.get("Stripe-Signature", "")
        if not header:
            raise Refused("Missing Stripe-Signature header.")
        secret = settings.STRIPE_WEBHOOK_SECRET
        if not secret:
            raise Refused("Stripe webhooks are not configured (no signing secret).")
        tolerance = settings.PAYMENT_WEBHOOK_TOLERANCE_SECONDS
        try:
            body = request.body.decode("utf-8")
            stripe.WebhookSignature.verify_header(body, header, secret, tolerance)
        except (UnicodeDecodeError, stripe.SignatureVerificationError) as exc:
            raise Refused(f"Bad Stripe signature: {exc}") from None
        # The library refuses only old timestamps; a future one is refused here.
        stamps = [part[2:] for part in header.split(",") if part.startswith("t=")]
        if int(stamps[0]) > time.time() + tolerance:
            raise Refused("Stripe signature timestamp is in the future.")
        try:
            event = json.loads(body)
            kind, event_id = event["type"], event["id"]
            target = event["data"]["object"]
            object_id = target["id"]
        except (ValueError, KeyError, TypeError):
            raise Refused("Not a Stripe event.") from None
        if not all(isinstance(value, str) and value for value in (kind, event_id, object_id)):
            raise Refused("Not a Stripe event.")
        if kind not in HANDLED_EVENTS:
            log.info("Stripe event %s (%s) ignored: not a type Masthead uses", event_id, kind)
            return None
        return Notification(
            event_id=event_id,
            kind=kind,
            payload={"type": kind, "object": object_id, "livemode": bool(event.get("livemode"))},
        )

    def process(self, notification: Notification) -> None:
        kind, object_id = notification.kind, notification.payload["object"]
        if kind.startswith("checkout.session."):
            self._session(object_id)
        elif kind.startswith("customer.subscription."):
            subscription = self.client.v1.subscriptions.retrieve(object_id).to_dict()
            self._apply_subscription(subscription)
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
        checkout = _checkout_named(session.get("metadata"))
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
                provider=self.name, reference=_id(session["customer"]), reader=reader
            )
        if session.get("mode") == "subscription":
            Checkout.objects.filter(pk=checkout.pk).update(status=Checkout.Status.COMPLETE)
            subscription = session.get("subscription")
            if isinstance(subscription, dict):
                self._apply_subscription(subscription, checkout=checkout)
            if session.get("invoice"):
                self._invoice(_id(session["invoice"]))
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
            reference=_id(intent) or session["id"],
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

    def _apply_subscription(
        self,
        subscription: dict,
        *,
        checkout: Checkout | None = None,
        membership: Membership | None = None,
    ) -> Membership:
        """Mirror a fetched subscription onto its Membership (created on first sight)."""
        reference = subscription["id"]
        checkout = checkout or _checkout_named(subscription.get("metadata"))
        membership = membership or (
            Membership.objects.select_related("plan", "price")
            .filter(provider=self.name, reference=reference)
            .first()
        )
        customer_id = _id(subscription.get("customer"))
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
        subscription_id = _id(details.get("subscription"))
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
            membership = self._apply_subscription(subscription)
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
        first = invoice.get("billing_reason") == "subscription_create"
        ledger.record_payment(
            provider=self.name,
            reference=invoice["id"],
            status=status,
            amount=amount,
            currency=invoice["currency"].upper(),
            kind=Payment.Kind.MEMBERSHIP,
            # Only the first payment carries the checkout's campaign (renewals do not count).
            checkout=_checkout_named(details.get("metadata")) if first else None,
            reader=membership.reader,
            membership=membership,
            first_of_membership=first,
            paid_at=_when((invoice.get("status_transitions") or {}).get("paid_at")),
        )

    def _refunds(self, charge_id: str) -> None:
        charge = self.client.v1.charges.retrieve(charge_id).to_dict()
        intent = _id(charge.get("payment_intent"))
        payment_reference = intent or charge["id"]
        if intent:
            # A subscription's charge: its ledger row is the invoice, found through
            # invoice payments (this API version has no charge.invoice).
            paid = self.client.v1.invoice_payments.list(
                {"payment": {"type": "payment_intent", "payment_intent": intent}, "limit": 1}
            )
            if paid.data:
                payment_reference = _id(paid.data[0].to_dict().get("invoice"))
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
