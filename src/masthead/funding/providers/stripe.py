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

import hashlib
import json
import logging
import time

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from masthead.funding.models import Checkout, Customer, Membership, Offer
from masthead.funding.providers import stripe_events as events
from masthead.funding.providers.base import (
    Notification,
    Provider,
    Redirect,
    Refused,
    ReturnUrls,
)
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
            {"customer": events.id_of(subscription.customer), "return_url": return_url}
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
            if subscription.get("status") not in events.ENDED:
                raise
        events.Applier(self.client).apply_subscription(subscription, membership=membership)

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
        events.Applier(self.client).process(notification)
