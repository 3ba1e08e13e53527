"""The funding section of the reader's account page (audience.hooks.account_sections).

Plan, status, next renewal, a notice when the plan ends at the period's end, comps and
gifts with their end date, past payments with receipt links, and the "Change card or
cancel" button (a POST to support_views.manage, which sends the member to the provider).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation

from masthead.audience.models import Reader
from masthead.funding import links, queries
from masthead.funding.models import Membership, Payment
from masthead.lib import money

TEMPLATE = "funding/account_section.html"


def on_account_sections(
    sender: object, request: HttpRequest, reader: Reader, **kwargs: object
) -> tuple[str, dict]:
    language = translation.get_language()
    memberships = list(
        Membership.objects.filter(reader=reader)
        .select_related("plan", "price")
        .prefetch_related("plan__texts")
        .order_by("-started_at")
    )
    running = [m for m in memberships if m.ended_at is None]
    context = {
        "memberships": [_membership_row(m, language) for m in running],
        "ended": [_membership_row(m, language) for m in memberships if m.ended_at is not None],
        "payments": [_payment_row(p) for p in queries.reader_payments(reader)],
        "can_manage": any(m.source == Membership.Source.PAID and m.reference for m in running),
    }
    return TEMPLATE, context


def _membership_row(membership: Membership, language: str) -> dict:
    text = queries.plan_text(membership.plan, language)
    return {
        "membership": membership,
        "plan_name": text.name if text else membership.plan.slug,
        "price": str(membership.price) if membership.price else "",
        "paid": membership.source == Membership.Source.PAID,
    }


def _payment_row(payment: Payment) -> dict:
    succeeded = payment.status == Payment.Status.SUCCEEDED
    return {
        "payment": payment,
        "amount": money.format_money(payment.amount, payment.currency),
        # The receipt page is funding.receipts (route "funding:receipt"); its token never
        # expires, the receipts are kept for the accounts.
        "receipt_token": links.RECEIPT.make(links.ReceiptLink(payment_id=payment.pk))
        if succeeded
        else "",
    }
