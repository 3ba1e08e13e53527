"""The Mercado Pago adapter: Checkout Pro for one-off payments, preapproval for memberships.

Mercado Pago takes PEN and the local methods of Peru and most of Latin America, where
Stripe takes no merchants (issue 9 §3). Policy:
- Only this module builds the official ``mercadopago`` SDK's client. Its HTTP client is a
  subclass of the SDK's own that sends the SDK's requests to
  ``settings.MERCADOPAGO_API_BASE`` when that is set (tests: a fake API on loopback).
- Amounts go to the API in major units, as the API expects, and come back the same way:
  both conversions are exact (lib/money, and the float's shortest text, see _major).
- A notification is only a pointer (type + data.id). ``verify`` checks its ``x-signature``
  (HMAC-SHA256 of ``id:<data.id>;request-id:<x-request-id>;ts:<ts>;``, a missing pair left
  out) and a timestamp tolerance, both past and future, in our own code: the SDK's
  validator reads ``ts`` as seconds only although Mercado Pago sends milliseconds.
- ``process`` hands the notified object's id to mercadopago_ledger.py, which fetches the
  current payment, preapproval or authorized payment and writes through funding.ledger,
  so duplicates, order and lateness do not matter (its docstring has the rules).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import mercadopago
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from mercadopago.config import Config, RequestOptions
from mercadopago.errors.exceptions import MercadoPagoError, MPNotFoundError
from mercadopago.http import HttpClient

from masthead.funding import ledger
from masthead.funding.models import Checkout, Interval, Membership, Offer, PlanPrice
from masthead.funding.providers import mercadopago_ledger as apply
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

PAYMENT = "payment"
PREAPPROVAL = "subscription_preapproval"
AUTHORIZED_PAYMENT = "subscription_authorized_payment"
KINDS = (PAYMENT, PREAPPROVAL, AUTHORIZED_PAYMENT)

_MONTHS = {Interval.MONTH: 1, Interval.YEAR: 12}
# Where a payer manages (changes the card of, cancels) their subscriptions: Mercado Pago's
# own page on each country's site. Constant URLs, needing no setting; the currency tells
# the country. Peru's is the default, the reason this adapter exists.
_MANAGE_URLS = {
    "PEN": "https://www.mercadopago.com.pe/subscriptions",
    "ARS": "https://www.mercadopago.com.ar/subscriptions",
    "BRL": "https://www.mercadopago.com.br/subscriptions",
    "CLP": "https://www.mercadopago.cl/subscriptions",
    "COP": "https://www.mercadopago.com.co/subscriptions",
    "MXN": "https://www.mercadopago.com.mx/subscriptions",
    "UYU": "https://www.mercadopago.com.uy/subscriptions",
}
_TIMEOUT_SECONDS = 15.0  # a checkout waits on it: fail clearly rather than hang a worker
_MILLISECONDS_AFTER = 10**11  # a ts above this is in ms (10**11 s is the year 5138)


class LoopbackAwareHttpClient(HttpClient):
    """The SDK's HTTP client, sending to ``base`` instead of api.mercadopago.com if given."""

    def __init__(self, base: str = "") -> None:
        self.base = base.rstrip("/")
        self.official = Config().api_base_url

    def request(self, method: str, url: str, *args: object, **kwargs: object) -> dict:
        if self.base and url.startswith(self.official):
            url = self.base + url[len(self.official) :]
        return super().request(method, url, *args, **kwargs)


def sdk() -> mercadopago.SDK:
    """An SDK client for the current settings (cheap; settings may change in tests)."""
    return mercadopago.SDK(
        settings.MERCADOPAGO_ACCESS_TOKEN,
        http_client=LoopbackAwareHttpClient(settings.MERCADOPAGO_API_BASE),
        request_options=RequestOptions(connection_timeout=_TIMEOUT_SECONDS),
    )


def _major(amount: int, currency: str) -> int | float:
    """``amount`` (minor units) as the JSON number the API wants, exactly.

    The SDK encodes with the json module, which takes no Decimal. A decimal of two places
    has a float whose shortest text (what json writes) is that decimal again: 1850 PEN
    cents go out as 18.5, never 18.499999.
    """
    major = money.to_major(amount, currency)
    return int(major) if major == major.to_integral_value() else float(major)


class MercadoPagoProvider(Provider):
    name = "mercadopago"
    label = _("Mercado Pago")

    # --- starting a payment ---------------------------------------------------------

    def start_checkout(self, checkout: Checkout, urls: ReturnUrls) -> Redirect:
        from masthead.funding.checkout import CheckoutError  # checkout imports providers

        api = sdk()
        try:
            if checkout.kind == Checkout.Kind.MEMBERSHIP:
                created = apply.body_of(
                    api.preapproval().create(self._preapproval(checkout, urls))
                )
            else:
                created = apply.body_of(api.preference().create(self._preference(checkout, urls)))
        except (MercadoPagoError, OSError) as exc:  # requests' errors are OSErrors
            raise CheckoutError(
                gettext("Mercado Pago could not start the payment; please try again.")
            ) from exc
        if not created.get("init_point") or not created.get("id"):
            raise CheckoutError(
                gettext("Mercado Pago could not start the payment; please try again.")
            )
        return Redirect(url=created["init_point"], session_reference=str(created["id"]))

    def _preference(self, checkout: Checkout, urls: ReturnUrls) -> dict:
        with translation.override(checkout.language):
            title = str(checkout.get_kind_display())
        return {
            "items": [
                {
                    "id": checkout.kind,
                    "title": title,
                    "quantity": 1,
                    "unit_price": _major(checkout.amount, checkout.currency),
                    "currency_id": checkout.currency,
                }
            ],
            "payer": {"email": checkout.email},
            "external_reference": str(checkout.pk),
            "back_urls": {
                "success": urls.success,
                "pending": urls.success,  # the thanks page says when a payment is pending
                "failure": urls.cancel,
            },
            # The SDK calls notification_url deprecated in favour of the webhook set in the
            # panel; kept so each payment names our endpoint, and source_news=webhooks asks
            # for signed Webhooks there, not unsigned IPN (which verify would refuse).
            "notification_url": f"{urls.notification}?source_news=webhooks",
            "auto_return": "approved",
        }

    def _preapproval(self, checkout: Checkout, urls: ReturnUrls) -> dict:
        price: PlanPrice = checkout.price
        text = price.plan.texts.filter(language=checkout.language).first()
        recurring = {
            "frequency": _MONTHS[price.interval],
            "frequency_type": "months",
            "transaction_amount": _major(checkout.amount, checkout.currency),
            "currency_id": checkout.currency,
        }
        if price.plan.trial_days:
            recurring["free_trial"] = {
                "frequency": price.plan.trial_days,
                "frequency_type": "days",
            }
        # Subscription notifications come from the webhook set in Mercado Pago's panel
        # ("Your integrations"): a preapproval takes no notification_url.
        return {
            "reason": text.name if text else price.plan.slug,
            "external_reference": str(checkout.pk),
            "payer_email": checkout.email,
            "back_url": urls.success,
            "auto_recurring": recurring,
            "status": "pending",
        }

    def manage_url(self, membership: Membership, *, return_url: str) -> str:
        currency = membership.price.currency if membership.price else "PEN"
        return _MANAGE_URLS.get(currency, _MANAGE_URLS["PEN"])

    def cancel(self, membership: Membership) -> None:
        """Cancel the preapproval; an already cancelled one is fine, anything else raises."""
        api = sdk().preapproval()
        result = api.update(membership.reference, {"status": "cancelled"})
        if not result.is_success:
            # Mercado Pago refuses to change a cancelled preapproval: ask what it is now.
            current = api.get(membership.reference)
            if not (current.is_success and current["response"].get("status") == "cancelled"):
                result.raise_for_status()
        ledger.cancelled_now(membership)

    def takes_offer(self, offer: Offer) -> bool:
        # A preapproval charges one amount every period and has no coupons: a discount on
        # the first payment only (or for N months) would be charged on every payment.
        return offer.duration == Offer.Duration.FOREVER

    def fee_schedule(self, currency: str) -> tuple[str, int]:
        # Peru's Checkout Pro rate for money released at once, before IGV: an estimate of
        # what the publication pays, for "cover the fees", not a quote.
        return ("3.99", 0)

    # --- notifications --------------------------------------------------------------

    def verify(self, request: HttpRequest) -> Notification | None:
        data_id = request.GET.get("data.id", "").strip()
        self._check_signature(request, data_id)
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise Refused("The body is not JSON.") from None
        if not isinstance(body, dict):
            raise Refused("The body is not a JSON object.")
        kind = request.GET.get("type") or body.get("type") or ""
        body_id = str((body.get("data") or {}).get("id", "")) if body.get("data") else ""
        if body_id and data_id and body_id.lower() != data_id.lower():
            raise Refused("data.id in the body differs from the signed one.")
        # Only a signed data.id is acted on: without one the signature names no object.
        if kind not in KINDS or not data_id:
            return None
        action = str(body.get("action", ""))
        own_id = str(body.get("id") or "")
        return Notification(
            event_id=own_id or f"{kind}:{data_id}:{action}",
            kind=kind,
            payload={"type": kind, "data_id": data_id, "action": action, "id": own_id},
        )

    def _check_signature(self, request: HttpRequest, data_id: str) -> None:
        header = request.headers.get("x-signature", "")
        if not header:
            raise Refused("No x-signature header.")
        parts = dict(item.strip().split("=", 1) for item in header.split(",") if "=" in item)
        ts, received = parts.get("ts", "").strip(), parts.get("v1", "").strip()
        if not (ts.isascii() and ts.isdigit()) or not received:
            raise Refused("The x-signature header needs ts and v1.")
        secret = settings.MERCADOPAGO_WEBHOOK_SECRET
        if not secret:
            raise Refused("No Mercado Pago webhook secret is set.", status=401)
        # Mercado Pago signs alphanumeric ids in lower case (its notification docs).
        signed_id = data_id.lower() if data_id.isalnum() else data_id
        request_id = request.headers.get("x-request-id", "").strip()
        manifest = "".join(
            f"{key}:{value};"
            for key, value in (("id", signed_id), ("request-id", request_id), ("ts", ts))
            if value
        )
        expected = hmac.new(secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, received.lower()):
            raise Refused("The signature does not match.", status=401)
        seconds = int(ts) / 1000 if int(ts) > _MILLISECONDS_AFTER else int(ts)
        if abs(time.time() - seconds) > settings.PAYMENT_WEBHOOK_TOLERANCE_SECONDS:
            raise Refused("The signature's timestamp is too old or in the future.")

    def process(self, notification: Notification) -> None:
        kind, data_id = notification.kind, notification.payload.get("data_id", "")
        handle = {
            PAYMENT: apply.apply_payment,
            PREAPPROVAL: apply.apply_preapproval,
            AUTHORIZED_PAYMENT: apply.apply_authorized_payment,
        }.get(kind)
        if handle is None or not data_id:
            raise Ignored(f"Mercado Pago {kind!r} notifications need nothing from us.")
        try:
            handle(sdk(), data_id)
        except MPNotFoundError:
            # Mercado Pago notifies before every read replica knows the object: ask again.
            raise NotReady(f"Mercado Pago does not show {kind} {data_id} yet") from None
