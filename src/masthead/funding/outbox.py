"""Funding's emails as the worker sends them: each rebuilt from the database, each claimed once.

Policy:
- A task names ids only (issue 8); the message, its address and its link are built here.
- Each mail is owed once per thing it is about, and a column records the claim: thanks
  per payment (``Payment.thanked_at``), a failure notice per payment
  (``Payment.failure_noticed_at``), a renewal reminder per membership period
  (``Membership.renewal_reminded_for`` = the period end it was sent for), a gift email per
  gift (``Gift.sent_at``). The claim is one conditional UPDATE, so duplicated signals,
  replayed provider events and two workers running the same task send one message.
- The claim comes before the send; if the mail server refuses, the claim is released and
  funding_sweep queues the mail again (funding/lifecycle.py). A crash between the send and
  that release is the one way a message is lost, never the way one is doubled.
- Whether a mail is owed is decided here, at send time, from the current rows: a renewal
  gets no thank-you (its receipt is on the account page), a reminder is not sent once the
  member chose to cancel. A suppressed address is claimed and sent nothing.
Every function returns whether it sent; none raises for a state that moved on.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from masthead.audience import queries as audience
from masthead.funding import emails, links
from masthead.funding.models import Gift, Interval, Membership, Payment

# Kinds of payment that are thanked: every one-off gift, and the first of a membership.
THANKED_KINDS = (Payment.Kind.DONATION, Payment.Kind.GIFT)


def thanks_owed() -> Q:
    """Payments that earn a thank-you (for a queryset of Payment)."""
    return Q(status=Payment.Status.SUCCEEDED) & (
        Q(kind__in=THANKED_KINDS) | Q(kind=Payment.Kind.MEMBERSHIP, first_of_membership=True)
    )


def failure_notice_owed() -> Q:
    """Failed membership payments of memberships that still run."""
    return Q(
        status=Payment.Status.FAILED,
        kind=Payment.Kind.MEMBERSHIP,
        membership__isnull=False,
        membership__ended_at__isnull=True,
        membership__status__in=(
            Membership.Status.ACTIVE,
            Membership.Status.TRIALING,
            Membership.Status.PAST_DUE,
        ),
    )


def reminder_owed(now: dt.datetime) -> Q:
    """Annual memberships renewing within RENEWAL_REMINDER_DAYS that will really renew."""
    return Q(
        source=Membership.Source.PAID,
        status__in=(Membership.Status.ACTIVE, Membership.Status.TRIALING),
        price__interval=Interval.YEAR,
        cancel_at_period_end=False,
        ended_at__isnull=True,
        reader__isnull=False,
        current_period_end__gt=now,
        current_period_end__lte=now + dt.timedelta(days=settings.RENEWAL_REMINDER_DAYS),
    ) & (Q(renewal_reminded_for__isnull=True) | ~Q(renewal_reminded_for=F("current_period_end")))


def _recipient(payment: Payment) -> tuple[str, str]:
    """(address, language) for a payment's supporter: the reader's, else the guest's."""
    if payment.reader is not None:
        return payment.reader.email, payment.reader.language
    language = payment.checkout.language if payment.checkout else settings.LANGUAGE_CODE
    return payment.email, language


def _claim(model: type, pk: int, field: str) -> bool:
    """Stamp ``field`` on row ``pk`` if it is empty; True for the one caller that did."""
    return (
        model.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: timezone.now()})
        == 1
    )


def _release(model: type, pk: int, field: str) -> None:
    model.objects.filter(pk=pk).update(**{field: None})


def _payments() -> QuerySet[Payment]:
    return Payment.objects.select_related("reader", "checkout", "membership__plan")


def send_thanks(*, payment_id: int) -> bool:
    """Thank the supporter for ``payment`` with a receipt link, once."""
    payment = _payments().filter(thanks_owed(), pk=payment_id).first()
    if payment is None:
        return False
    to, language = _recipient(payment)
    # Claimed even for a suppressed address: nothing is owed to it, and the sweep must not
    # queue it again every minute.
    if not to or not _claim(Payment, payment.pk, "thanked_at") or audience.is_suppressed(to):
        return False
    token = links.RECEIPT.make(links.ReceiptLink(payment_id=payment.pk))
    message = emails.thank_you(payment=payment, to=to, language=language, token=token)
    if not emails.send(message):
        _release(Payment, payment.pk, "thanked_at")
        return False
    return True


def send_payment_failed(*, payment_id: int) -> bool:
    """Tell a member their payment failed and where to fix it, once per payment."""
    payment = (
        _payments()
        .select_related("membership__reader")
        .filter(failure_notice_owed(), pk=payment_id)
        .first()
    )
    reader = payment and (payment.reader or payment.membership.reader)
    if reader is None or not _claim(Payment, payment.pk, "failure_noticed_at"):
        return False
    if audience.is_suppressed(reader.email):
        return False
    message = emails.payment_failed(payment=payment, to=reader.email, language=reader.language)
    if not emails.send(message):
        _release(Payment, payment.pk, "failure_noticed_at")
        return False
    return True


def send_renewal_reminder(*, membership_id: int) -> bool:
    """Remind an annual member of the coming renewal, once per period."""
    now = timezone.now()
    membership = (
        Membership.objects.select_related("reader", "plan", "price")
        .filter(reminder_owed(now), pk=membership_id)
        .first()
    )
    if membership is None:
        return False
    period_end = membership.current_period_end
    claimed = (
        Membership.objects.filter(pk=membership.pk, current_period_end=period_end)
        .exclude(renewal_reminded_for=period_end)
        .update(renewal_reminded_for=period_end)
    )
    reader = membership.reader
    if claimed != 1 or audience.is_suppressed(reader.email):
        return False
    message = emails.renewal_reminder(
        membership=membership, to=reader.email, language=reader.language
    )
    if not emails.send(message):
        Membership.objects.filter(pk=membership.pk, renewal_reminded_for=period_end).update(
            renewal_reminded_for=None
        )
        return False
    return True


def gift_language(gift: Gift) -> str:
    """The recipient's own language when they are a reader, else the buyer's."""
    known = audience.known_reader(gift.recipient_email)
    return known.language if known else gift.checkout.language


def send_gift(*, gift_id: int) -> bool:
    """Mail the gift to its recipient with the redeem link, once."""
    gift = Gift.objects.select_related("checkout", "plan").filter(pk=gift_id).first()
    if (
        gift is None
        or gift.sent_at is not None
        or not gift.recipient_email
        or not _claim(Gift, gift.pk, "sent_at")
        or audience.is_suppressed(gift.recipient_email)
    ):
        return False
    token = links.GIFT.make(links.GiftLink(gift_id=gift.pk, recipient_email=gift.recipient_email))
    message = emails.gift(gift=gift, language=gift_language(gift), token=token)
    if not emails.send(message):
        _release(Gift, gift.pk, "sent_at")
        return False
    return True
