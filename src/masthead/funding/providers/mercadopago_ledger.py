"""Mercado Pago's current objects, fetched, written to the ledger (the adapter's ``process``).

Policy (funding/ledger.py, issue 9 §3): a notification only says which object changed; these
functions fetch it through the SDK client they are given and mirror it:
- A payment is one ledger row keyed by its payment id, whatever the number of events about
  it (payment.created, payment.updated, the authorized payment of a subscription); its
  refunds are rows keyed by refund id; a chargeback is a refund keyed by the payment.
- A preapproval is a membership keyed by its id, in the state Mercado Pago reports now.
- A charge of a preapproval we have not applied yet, or a checkout id we do not have yet,
  raises NotReady: the inbox tries again later and never drops it. An object with no
  checkout id at all was never Masthead's and is ignored.
- Only a preapproval's first charge carries its checkout, hence its campaign (queries:
  campaigns count a membership's first payment); which charge is first is asked of
  Mercado Pago, so the order events arrive in does not matter.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.utils.dateparse import parse_datetime
from mercadopago import SDK

from masthead.funding import ledger
from masthead.funding.models import Checkout, Membership, Payment
from masthead.funding.providers.base import NotReady
from masthead.inbox.handlers import Ignored
from masthead.lib import money

PROVIDER = "mercadopago"

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


def body_of(result: dict) -> dict:
    """The body of a 2xx answer; the SDK's typed error otherwise (404: MPNotFoundError)."""
    result.raise_for_status()
    return result["response"] or {}


def _minor(value: object, currency: str) -> int:
    # The API's JSON numbers arrive as floats; str() gives their shortest text ("18.5").
    return money.to_minor(Decimal(str(value)), currency)


def _when(text: object) -> object:
    return parse_datetime(text) if isinstance(text, str) and text else None


def _checkout(external_reference: object) -> Checkout:
    try:
        pk = uuid.UUID(str(external_reference))
    except ValueError:
        raise Ignored("Not a Masthead payment: no checkout reference.") from None
    checkout = Checkout.objects.select_related("price__plan", "campaign", "reader").filter(pk=pk)
    found = checkout.first()
    if found is None:  # the checkout's transaction may not have committed yet
        raise NotReady(f"checkout {pk} not found")
    return found


def apply_payment(api: SDK, payment_id: str) -> None:
    found = body_of(api.payment().get(payment_id))
    checkout = _checkout(found.get("external_reference"))
    if checkout.kind == Checkout.Kind.MEMBERSHIP:
        preapproval_id = _preapproval_of(found)
        _record_membership_payment(api, found, checkout, preapproval_id)
        return
    status = _PAYMENT_STATUS.get(found.get("status"), Payment.Status.PENDING)
    reader = ledger.reader_for_checkout(checkout)
    checkouts = Checkout.objects.filter(pk=checkout.pk)
    if status == Payment.Status.SUCCEEDED:  # also after a failure: a retried method went through
        checkouts.update(status=Checkout.Status.COMPLETE)
    elif status == Payment.Status.FAILED:
        checkouts.filter(status=Checkout.Status.OPEN).update(status=Checkout.Status.FAILED)
    payment = _record(found, status=status, kind=checkout.kind, checkout=checkout)
    if checkout.kind == Checkout.Kind.GIFT and payment.status == Payment.Status.SUCCEEDED:
        from masthead.funding import gifts  # written beside this adapter (issue 9 §1)

        gifts.record_purchase(checkout=checkout, payment=payment)
    _link_payer(found.get("payer"), reader)


def _preapproval_of(found: dict) -> str:
    # A subscription's charge names its preapproval here (Mercado Pago's payment object).
    data = (found.get("point_of_interaction") or {}).get("transaction_data") or {}
    return str(
        data.get("subscription_id") or (found.get("metadata") or {}).get("preapproval_id") or ""
    )


def _record(found: dict, *, status: str, kind: str, **facts: object) -> Payment:
    """Write one fetched payment object and each of its refunds to the ledger."""
    currency = found.get("currency_id", "")
    reference = str(found["id"])
    payment = ledger.record_payment(
        provider=PROVIDER,
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
            provider=PROVIDER,
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
            provider=PROVIDER,
            reference=f"chargeback-{reference}",
            payment_reference=reference,
            amount=payment.amount - refunded,
            currency=currency,
        )
    return payment


def apply_preapproval(api: SDK, preapproval_id: str) -> None:
    found = body_of(api.preapproval().get(preapproval_id))
    checkout = _checkout(found.get("external_reference"))
    if checkout.kind != Checkout.Kind.MEMBERSHIP or checkout.price is None:
        raise Ignored(f"Preapproval {preapproval_id} is not for a membership checkout.")
    reader = ledger.reader_for_checkout(checkout)
    status = _PREAPPROVAL_STATUS.get(found.get("status"), Membership.Status.INCOMPLETE)
    recurring = found.get("auto_recurring") or {}
    charged = (found.get("summarized") or {}).get("charged_quantity") or 0
    if status == Membership.Status.ACTIVE and recurring.get("free_trial") and not charged:
        status = Membership.Status.TRIALING
    ledger.sync_membership(
        provider=PROVIDER,
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
        _link_payer({"id": found["payer_id"]}, reader)


def apply_authorized_payment(api: SDK, authorized_id: str) -> None:
    found = body_of(api.invoice().get(authorized_id))
    preapproval_id = str(found.get("preapproval_id") or "")
    _membership(preapproval_id)  # NotReady before any other call if unknown
    charge = found.get("payment") or {}
    if not charge.get("id"):
        raise Ignored(f"Authorized payment {authorized_id} has not been charged yet.")
    payment = body_of(api.payment().get(charge["id"]))
    reference = payment.get("external_reference") or found.get("external_reference")
    _record_membership_payment(api, payment, _checkout(reference), preapproval_id)


def _membership(preapproval_id: str) -> Membership:
    membership = (
        Membership.objects.filter(provider=PROVIDER, reference=preapproval_id)
        .exclude(reference="")
        .select_related("reader", "campaign")
        .first()
    )
    if membership is None:  # its preapproval notification has not been applied yet
        raise NotReady(f"preapproval {preapproval_id or '(none)'} is not known yet")
    return membership


def _record_membership_payment(
    api: SDK, found: dict, checkout: Checkout, preapproval_id: str
) -> None:
    membership = _membership(preapproval_id)
    first = _first_charge(api, preapproval_id) == str(found["id"])
    _record(
        found,
        status=_PAYMENT_STATUS.get(found.get("status"), Payment.Status.PENDING),
        kind=Payment.Kind.MEMBERSHIP,
        # The checkout (and its campaign) belongs to the first charge only.
        checkout=checkout if first else None,
        membership=membership,
        first_of_membership=first,
    )


def _first_charge(api: SDK, preapproval_id: str) -> str:
    """The payment id of the preapproval's first charge ('' if none yet).

    Asked of the provider rather than of our ledger, so that a renewal whose event
    arrives before the first charge's is still not taken for the first.
    """
    found = body_of(
        api.invoice().search(
            {"preapproval_id": preapproval_id, "sort": "date_created", "criteria": "asc"}
        )
    )
    charges = [row for row in found.get("results") or [] if (row.get("payment") or {}).get("id")]
    if not charges:
        return ""
    first = min(charges, key=lambda row: (str(row.get("date_created", "")), int(row["id"])))
    return str(first["payment"]["id"])


def _link_payer(payer: object, reader: object) -> None:
    if isinstance(payer, dict) and payer.get("id"):
        ledger.link_customer(provider=PROVIDER, reference=str(payer["id"]), reader=reader)
