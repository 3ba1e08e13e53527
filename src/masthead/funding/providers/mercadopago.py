"""The Mercado Pago adapter: Checkout Pro for one-off payments, preapproval for memberships.

Mercado Pago takes PEN and the local methods of Peru and most of Latin America, where
Stripe takes no merchants (issue 9 §3). Policy:
- Only this module imports the official ``mercadopago`` SDK. Its HTTP client is a
  subclass of the SDK's own that sends the SDK's requests to
  ``settings.MERCADOPAGO_API_BASE`` when that is set (tests: a fake API on loopback).
- Amounts go to the API in major units, as the API expects, and come back the same way:
  both conversions are exact (lib/money, and the float's shortest text, see _major).
- A notification is only a pointer (type + data.id). ``verify`` checks its ``x-signature``
  (HMAC-SHA256 of ``id:<data.id>;request-id:<x-request-id>;ts:<ts>;``, a missing pair left
  out) and a timestamp tolerance, both past and future, in our own code: the SDK's
  validator reads ``ts`` as seconds only although Mercado Pago sends milliseconds.
- ``process`` fetches the current payment, preapproval or authorized payment and writes
  through funding.ledger, so duplicates, order and lateness do not matter. A payment
  row is keyed by the Mercado Pago payment id; its refunds by refund id.
- What cannot be tied to a Checkout or a membership yet raises NotReady (the inbox
  retries it later); what was never Masthead's (no checkout id at all) is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from decimal import Decimal

import mercadopago
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from mercadopago.config import Config, RequestOptions
from mercadopago.errors.exceptions import MercadoPagoError, MPNotFoundError
from mercadopago.http import HttpClient

from masthead.funding import ledger
from masthead.funding.models import Checkout, Interval, Membership, Payment, PlanPrice
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

_PAYMENT_STATUS = {
    "approved": Payment.Status.SUCCEEDED,
    # Money that came in and went back out: the payment stands, its refunds subtract.
    "refunded": Payment.Status.SUCCEEDED,
    "charged_back": Payment.Status.SUCCEEDED,
    "rejected": Payment.Status.FAILED,
    "cancelled": Payment.Status.FAILED,
    "pending": Payment.Status.PENDING,
    "in_process": Payment.Status.PENDING,
    "authorized": Payment.Status.PENDING,
    "in_mediation": Payment.Status.PENDING,  # a dispute; never undoes "succeeded" (ledger)
}
_PREAPPROVAL_STATUS = {
    "authorized": Membership.Status.ACTIVE,
    "paused": Membership.Status.PAST_DUE,
    "cancelled": Membership.Status.CANCELED,
    "pending": Membership.Status.INCOMPLETE,
}
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


def _ok(result: dict) -> dict:
    """The body of a 2xx answer; the SDK's typed error otherwise (404: MPNotFoundError)."""
    result.raise_for_status()
    return result["response"] or {}


def _major(amount: int, currency: str) -> int | float:
    """``amount`` (minor units) as the JSON number the API wants, exactly.

    The SDK encodes with the json module, which takes no Decimal. A decimal of two places
    has a float whose shortest text (what json writes) is that decimal again: 1850 PEN
    cents go out as 18.5, never 18.499999.
    """
    major = money.to_major(amount, currency)
    return int(major) if major == major.to_integral_value() else float(major)


def _minor(value: object, currency: str) -> int:
    # The API's JSON numbers arrive as floats; str() gives their shortest text ("18.5").
    return money.to_minor(Decimal(str(value)), currency)


def _when(text: object) -> object:
    return parse_datetime(text) if isinstance(text, str) and text else None


class MercadoPagoProvider(Provider):
    name = "mercadopago"
    label = _("Mercado Pago")

    # --- starting a payment ---------------------------------------------------------

    def start_checkout(self, checkout: Checkout, urls: ReturnUrls) -> Redirect:
        from masthead.funding.checkout import CheckoutError  # checkout imports providers

        api = sdk()
        try:
            if checkout.kind == Checkout.Kind.MEMBERSHIP:
                created = _ok(api.preapproval().create(self._preapproval(checkout, urls)))
            else:
                created = _ok(api.preference().create(self._preference(checkout, urls)))
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
        ledger.sync_membership(
            provider=self.name,
            reference=membership.reference,
            reader=membership.reader,
            plan=membership.plan,
            price=membership.price,
            status=Membership.Status.CANCELED,
            current_period_end=membership.current_period_end,
            ended_at=timezone.now(),
        )

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
        if not ts.isdigit() or not received:
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
            PAYMENT: self._apply_payment,
            PREAPPROVAL: self._apply_preapproval,
            AUTHORIZED_PAYMENT: self._apply_authorized_payment,
        }.get(kind)
        if handle is None or not data_id:
            raise Ignored(f"Mercado Pago {kind!r} notifications need nothing from us.")
        try:
            handle(data_id)
        except MPNotFoundError:
            # Mercado Pago notifies before every read replica knows the object: ask again.
            raise NotReady(f"Mercado Pago does not show {kind} {data_id} yet") from None

    # --- applying the provider's current objects --------------------------------------

    def _checkout(self, external_reference: object) -> Checkout:
        try:
            pk = uuid.UUID(str(external_reference))
        except ValueError:
            raise Ignored("Not a Masthead payment: no checkout reference.") from None
        checkout = Checkout.objects.select_related("price__plan", "campaign", "reader").filter(
            pk=pk
        )
        found = checkout.first()
        if found is None:  # the checkout's transaction may not have committed yet
            raise NotReady(f"checkout {pk} not found")
        return found

    def _apply_payment(self, payment_id: str) -> None:
        found = _ok(sdk().payment().get(payment_id))
        checkout = self._checkout(found.get("external_reference"))
        if checkout.kind == Checkout.Kind.MEMBERSHIP:
            preapproval_id = self._preapproval_of(found)
            self._record_membership_payment(found, checkout, preapproval_id)
            return
        status = _PAYMENT_STATUS.get(found.get("status"), Payment.Status.PENDING)
        reader = ledger.reader_for_checkout(checkout)
        if status != Payment.Status.PENDING:
            Checkout.objects.filter(pk=checkout.pk, status=Checkout.Status.OPEN).update(
                status=Checkout.Status.COMPLETE
                if status == Payment.Status.SUCCEEDED
                else Checkout.Status.FAILED
            )
        payment = self._record(found, status=status, kind=checkout.kind, checkout=checkout)
        if checkout.kind == Checkout.Kind.GIFT and payment.status == Payment.Status.SUCCEEDED:
            from masthead.funding import gifts  # written beside this adapter (issue 9 §1)

            gifts.record_purchase(checkout=checkout, payment=payment)
        self._link_payer(found.get("payer"), reader)

    @staticmethod
    def _preapproval_of(found: dict) -> str:
        # A subscription's charge names its preapproval here (Mercado Pago's payment object).
        data = (found.get("point_of_interaction") or {}).get("transaction_data") or {}
        return str(
            data.get("subscription_id")
            or (found.get("metadata") or {}).get("preapproval_id")
            or ""
        )

    def _record(self, found: dict, *, status: str, kind: str, **facts: object) -> Payment:
        """Write one fetched payment object and each of its refunds to the ledger."""
        currency = found.get("currency_id", "")
        reference = str(found["id"])
        payment = ledger.record_payment(
            provider=self.name,
            reference=reference,
            status=status,
            amount=_minor(found.get("transaction_amount", 0), currency),
            currency=currency,
            kind=kind,
            paid_at=_when(found.get("date_approved")),
            **facts,
        )
        refunded = 0
        for refund in found.get("refunds") or []:
            amount = _minor(refund.get("amount", 0), currency)
            refunded += amount
            ledger.record_refund(
                provider=self.name,
                reference=str(refund["id"]),
                payment_reference=reference,
                amount=amount,
                currency=currency,
                refunded_at=_when(refund.get("date_created")),
            )
        if found.get("status") == "charged_back" and payment.amount > refunded:
            # A chargeback is money taken back without a refund object: keep it as one,
            # keyed by the payment, so the campaign total stays net (issue 9 §2).
            ledger.record_refund(
                provider=self.name,
                reference=f"chargeback-{reference}",
                payment_reference=reference,
                amount=payment.amount - refunded,
                currency=currency,
            )
        return payment

    def _apply_preapproval(self, preapproval_id: str) -> None:
        found = _ok(sdk().preapproval().get(preapproval_id))
        checkout = self._checkout(found.get("external_reference"))
        if checkout.kind != Checkout.Kind.MEMBERSHIP or checkout.price is None:
            raise Ignored(f"Preapproval {preapproval_id} is not for a membership checkout.")
        reader = ledger.reader_for_checkout(checkout)
        status = _PREAPPROVAL_STATUS.get(found.get("status"), Membership.Status.INCOMPLETE)
        recurring = found.get("auto_recurring") or {}
        charged = (found.get("summarized") or {}).get("charged_quantity") or 0
        if status == Membership.Status.ACTIVE and recurring.get("free_trial") and not charged:
            status = Membership.Status.TRIALING
        ledger.sync_membership(
            provider=self.name,
            reference=str(found["id"]),
            reader=reader,
            plan=checkout.price.plan,
            price=checkout.price,
            status=status,
            current_period_end=_when(found.get("next_payment_date")),
            ended_at=_when(found.get("last_modified")),
            started_at=_when(found.get("date_created")),
            campaign=checkout.campaign,
        )
        if status != Membership.Status.INCOMPLETE:
            Checkout.objects.filter(pk=checkout.pk).update(status=Checkout.Status.COMPLETE)
        if found.get("payer_id"):
            self._link_payer({"id": found["payer_id"]}, reader)

    def _apply_authorized_payment(self, authorized_id: str) -> None:
        found = _ok(sdk().invoice().get(authorized_id))
        preapproval_id = str(found.get("preapproval_id") or "")
        self._membership(preapproval_id)  # NotReady before any other call if unknown
        charge = found.get("payment") or {}
        if not charge.get("id"):
            raise Ignored(f"Authorized payment {authorized_id} has not been charged yet.")
        payment = _ok(sdk().payment().get(charge["id"]))
        reference = payment.get("external_reference") or found.get("external_reference")
        self._record_membership_payment(payment, self._checkout(reference), preapproval_id)

    def _membership(self, preapproval_id: str) -> Membership:
        membership = (
            Membership.objects.filter(provider=self.name, reference=preapproval_id)
            .exclude(reference="")
            .select_related("reader", "campaign")
            .first()
        )
        if membership is None:  # its preapproval notification has not been applied yet
            raise NotReady(f"preapproval {preapproval_id or '(none)'} is not known yet")
        return membership

    def _record_membership_payment(
        self, found: dict, checkout: Checkout, preapproval_id: str
    ) -> None:
        membership = self._membership(preapproval_id)
        first = self._first_charge(preapproval_id) == str(found["id"])
        self._record(
            found,
            status=_PAYMENT_STATUS.get(found.get("status"), Payment.Status.PENDING),
            kind=Payment.Kind.MEMBERSHIP,
            # The checkout (and its campaign) belongs to the first charge only.
            checkout=checkout if first else None,
            membership=membership,
            first_of_membership=first,
        )

    def _first_charge(self, preapproval_id: str) -> str:
        """The payment id of the preapproval's first charge ('' if none yet).

        Asked of the provider rather than of our ledger, so that a renewal whose event
        arrives before the first charge's is still not taken for the first.
        """
        found = _ok(
            sdk()
            .invoice()
            .search({"preapproval_id": preapproval_id, "sort": "date_created", "criteria": "asc"})
        )
        charges = [
            row for row in found.get("results") or [] if (row.get("payment") or {}).get("id")
        ]
        if not charges:
            return ""
        first = min(charges, key=lambda row: (str(row.get("date_created", "")), int(row["id"])))
        return str(first["payment"]["id"])

    def _link_payer(self, payer: object, reader: object) -> None:
        if isinstance(payer, dict) and payer.get("id"):
            ledger.link_customer(provider=self.name, reference=str(payer["id"]), reader=reader)
