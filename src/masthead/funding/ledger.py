"""Writes to the ledger and to memberships: the one door, used by every provider adapter.

Policy (DESIGN.md, RELIABILITY.md §1):
- A payment is one row per provider money object (Stripe invoice or payment intent, Mercado
  Pago payment id): ``record_payment`` creates it or updates the same row, so two events
  about one payment, or one event delivered five times, leave one row.
- Status only moves forward: pending → succeeded or failed, failed → succeeded (a delayed
  method that went through after all). A late "pending" never undoes "succeeded".
- A refund is its own row keyed by the refund id, tied to the payment by the payment's
  reference, so a refund seen before its payment waits for it and then counts.
- A membership mirrors the provider's subscription as fetched (``sync_membership``), so
  "updated before created" and a late "created" after "deleted" end in the provider's
  current state.
- The thank-you and payment-failed notices are signals sent once per payment, on the
  transition, after commit; funding.emails queues the mail.

Every service joins the caller's transaction (inbox handlers run in a savepoint of the
worker's) and is idempotent.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy

from masthead.audience import services as audience
from masthead.audience.models import Reader
from masthead.funding.models import (
    Campaign,
    Checkout,
    Customer,
    Gift,
    Membership,
    Payment,
    Plan,
    PlanPrice,
    Refund,
)
from masthead.lib import money

# Sent after commit, once per payment: kwargs payment_id.
payment_succeeded = Signal()
payment_failed = Signal()
membership_started = Signal()

_FORWARD = {
    Payment.Status.PENDING: {Payment.Status.SUCCEEDED, Payment.Status.FAILED},
    Payment.Status.FAILED: {Payment.Status.SUCCEEDED},
    Payment.Status.SUCCEEDED: set(),
}


def _locked_or_created(model: type, lookup: dict, defaults: dict):
    """(row locked for update, created); safe when two workers race on the unique key."""
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **defaults), True
    except IntegrityError:
        return model.objects.select_for_update().get(**lookup), False


@transaction.atomic
def record_payment(
    *,
    provider: str,
    reference: str,
    status: str,
    amount: int,
    currency: str,
    kind: str,
    checkout: Checkout | None = None,
    reader: Reader | None = None,
    email: str = "",
    membership: Membership | None = None,
    first_of_membership: bool = False,
    paid_at: dt.datetime | None = None,
) -> Payment:
    """The ledger row for one provider money object, created or moved forward."""
    money.exponent(currency)  # refuses an unknown currency before anything is written
    fee_covered, campaign, anonymous, name = 0, None, False, ""
    if checkout is not None:
        reader = reader or checkout.reader
        email = email or checkout.email
        campaign, anonymous, name = checkout.campaign, checkout.anonymous, checkout.name
        # A covered fee counts only when the charge is what the reader was shown.
        if checkout.currency == currency and amount >= checkout.fee_covered:
            fee_covered = checkout.fee_covered
    if membership is not None:
        reader = reader or membership.reader
        campaign = campaign or (membership.campaign if first_of_membership else None)
    if campaign is not None and (campaign.currency != currency):
        campaign = None  # a campaign counts its own currency only
    if status == Payment.Status.SUCCEEDED and paid_at is None:
        paid_at = timezone.now()
    payment, created = _locked_or_created(
        Payment,
        {"provider": provider, "reference": reference},
        {
            "status": status,
            "amount": amount,
            "currency": currency,
            "kind": kind,
            "fee_covered": fee_covered,
            "reader": reader,
            "email": "" if reader else email,
            "anonymous": anonymous,
            "name": name,
            "campaign": campaign,
            "membership": membership,
            "checkout": checkout,
            "first_of_membership": first_of_membership,
            "paid_at": paid_at if status == Payment.Status.SUCCEEDED else None,
        },
    )
    if not created:
        changed = _fill_missing(
            payment,
            checkout=checkout,
            membership=membership,
            reader=reader,
            campaign=campaign,
            first_of_membership=first_of_membership,
        )
        moved = status in _FORWARD[payment.status]
        if moved:
            payment.status = status
            payment.amount = amount
            if status == Payment.Status.SUCCEEDED:
                payment.paid_at = paid_at
        if changed or moved:
            payment.save()
        if not moved:
            return payment
    _announce(payment)
    return payment


def _fill_missing(payment: Payment, **facts: object) -> bool:
    """Take facts a later event knows and an earlier one did not (never overwrite)."""
    changed = False
    for field in ("checkout", "membership", "reader", "campaign"):
        value = facts[field]
        if value is not None and getattr(payment, f"{field}_id") is None:
            setattr(payment, field, value)
            changed = True
    if facts["first_of_membership"] and not payment.first_of_membership:
        payment.first_of_membership = True
        changed = True
    if payment.reader_id:
        payment.email = ""
    return changed


def _announce(payment: Payment) -> None:
    signal = {
        Payment.Status.SUCCEEDED: payment_succeeded,
        Payment.Status.FAILED: payment_failed,
    }.get(payment.status)
    if signal is not None:
        pk = payment.pk
        transaction.on_commit(lambda: signal.send(sender=Payment, payment_id=pk))


@transaction.atomic
def record_refund(
    *,
    provider: str,
    reference: str,
    payment_reference: str,
    amount: int,
    currency: str,
    refunded_at: dt.datetime | None = None,
) -> Refund:
    """The ledger row for one refund; a second report of it changes only a larger amount.

    Stripe reports a refund's amount growing (a partial refund, then the rest) under one
    refund id only when it is updated; the larger figure is the true one.
    """
    money.exponent(currency)
    refund, created = _locked_or_created(
        Refund,
        {"provider": provider, "reference": reference},
        {
            "payment_reference": payment_reference,
            "amount": amount,
            "currency": currency,
            "refunded_at": refunded_at or timezone.now(),
        },
    )
    if not created and amount > refund.amount:
        refund.amount = amount
        refund.save(update_fields=["amount"])
    return refund


@transaction.atomic
def link_customer(*, provider: str, reference: str, reader: Reader | None) -> Customer:
    customer, _ = _locked_or_created(
        Customer, {"provider": provider, "reference": reference}, {"reader": reader}
    )
    if reader is not None and customer.reader_id is None:
        customer.reader = reader
        customer.save(update_fields=["reader"])
    return customer


def customer_reader(*, provider: str, reference: str) -> Reader | None:
    customer = (
        Customer.objects.filter(provider=provider, reference=reference)
        .select_related("reader")
        .first()
    )
    return customer.reader if customer else None


def reader_for_checkout(checkout: Checkout) -> Reader:
    """The reader a checkout pays for: the signed-in reader, else one for the typed address.

    The address typed at checkout is not proof of owning it: it attaches the payment to
    that reader's record but never signs anyone in (Ghost PR #30396); access to an existing
    account still takes a sign-in link.
    """
    if checkout.reader_id:
        return checkout.reader
    reader = audience.reader_for_address(checkout.email, language=checkout.language)
    Checkout.objects.filter(pk=checkout.pk, reader__isnull=True).update(reader=reader)
    checkout.reader = reader
    return reader


@transaction.atomic
def sync_membership(
    *,
    provider: str,
    reference: str,
    reader: Reader | None,
    plan: Plan,
    price: PlanPrice | None,
    status: str,
    current_period_end: dt.datetime | None,
    cancel_at_period_end: bool = False,
    ended_at: dt.datetime | None = None,
    started_at: dt.datetime | None = None,
    campaign: Campaign | None = None,
) -> Membership:
    """The membership for a provider subscription, set to the state the provider reports."""
    membership, created = _locked_or_created(
        Membership,
        {"provider": provider, "reference": reference},
        {
            "reader": reader,
            "plan": plan,
            "price": price,
            "source": Membership.Source.PAID,
            "status": status,
            "campaign": campaign,
            "started_at": started_at or timezone.now(),
        },
    )
    now = timezone.now()
    if membership.reader_id is None and reader is not None:
        membership.reader = reader
    membership.plan, membership.price = plan, price
    if status == Membership.Status.PAST_DUE and (
        membership.status != status or membership.past_due_since is None
    ):
        # Also when the row is created past due (a late "created" after the failed
        # invoice): without the date the grace period would never start.
        membership.past_due_since = now
    elif status != Membership.Status.PAST_DUE:
        membership.past_due_since = None
    membership.status = status
    membership.current_period_end = current_period_end
    membership.cancel_at_period_end = cancel_at_period_end
    membership.ended_at = ended_at if status == Membership.Status.CANCELED else None
    if status == Membership.Status.CANCELED and membership.ended_at is None:
        membership.ended_at = now
    membership.synced_at = now
    membership.save()
    if created:
        pk = membership.pk
        transaction.on_commit(lambda: membership_started.send(sender=Membership, membership_id=pk))
    return membership


def cancelled_now(membership: Membership) -> Membership:
    """``membership`` as its provider has just cancelled it (after a successful cancel)."""
    return sync_membership(
        provider=membership.provider,
        reference=membership.reference,
        reader=membership.reader,
        plan=membership.plan,
        price=membership.price,
        status=Membership.Status.CANCELED,
        current_period_end=membership.current_period_end,
        ended_at=timezone.now(),
    )


@transaction.atomic
def grant(
    *,
    reader: Reader,
    plan: Plan,
    until: dt.datetime | None,
    source: str = Membership.Source.COMP,
    note: str = "",
) -> Membership:
    """A complimentary (or gift) membership for ``reader``, until a date or forever."""
    return Membership.objects.create(
        reader=reader,
        plan=plan,
        source=source,
        status=Membership.Status.ACTIVE,
        current_period_end=until,
        note=note[:200],
    )


@transaction.atomic
def end_membership(membership: Membership) -> None:
    """End a complimentary or gift membership now (paid ones end at the provider)."""
    Membership.objects.filter(pk=membership.pk).update(
        status=Membership.Status.CANCELED, ended_at=timezone.now()
    )


OFFLINE_GIFT_ACTION = "masthead.funding.offline_gift"


def register_log_actions(actions: object) -> None:
    """Wagtail's register_log_actions hook (apps.py): the audit log refuses unknown actions."""
    actions.register_action(
        OFFLINE_GIFT_ACTION,
        gettext_lazy("Record an offline gift"),
        gettext_lazy("Offline gift recorded"),
    )


@transaction.atomic
def record_offline_gift(
    *,
    amount: int,
    currency: str,
    received_at: dt.datetime,
    campaign: Campaign | None,
    name: str = "",
    email: str = "",
    anonymous: bool = False,
    note: str = "",
    user: object = None,
) -> Payment:
    """A bank transfer or cash gift, entered by an editor, with an audit log entry."""
    from wagtail.log_actions import log

    money.exponent(currency)
    reader = None
    if email:
        reader = audience.reader_for_address(email)
    if campaign is not None and campaign.currency != currency:
        raise money.MoneyError(
            f"This campaign counts {campaign.currency}; the gift is in {currency}."
        )
    payment = Payment.objects.create(
        provider="offline",
        reference=f"offline-{uuid.uuid4().hex}",
        kind=Payment.Kind.OFFLINE,
        status=Payment.Status.SUCCEEDED,
        amount=amount,
        currency=currency,
        reader=reader,
        name=name[:120],
        anonymous=anonymous,
        campaign=campaign,
        paid_at=received_at,
        note=note[:200],
    )
    log(instance=payment, action=OFFLINE_GIFT_ACTION, user=user)
    return payment


def scrub_reader(*, reader: Reader) -> None:
    """Anonymise ``reader``'s ledger rows (erasure); the amounts stay for the accounts.

    Gifts lose the buyer's message and, when the reader was the recipient, their address
    (an unredeemed gift to an erased reader can no longer be redeemed: the link names it).
    """
    Gift.objects.filter(checkout__reader=reader).update(message="")
    Gift.objects.filter(recipient_email__iexact=reader.email).update(
        recipient_email="", message=""
    )
    Checkout.objects.filter(gift_recipient__iexact=reader.email).update(
        gift_recipient="", gift_message=""
    )
    Payment.objects.filter(reader=reader).update(reader=None, email="", name="")
    Checkout.objects.filter(reader=reader).update(
        reader=None, email="", name="", gift_recipient="", gift_message=""
    )
    Customer.objects.filter(reader=reader).update(reader=None)
    Membership.objects.filter(reader=reader).update(reader=None, note="")
