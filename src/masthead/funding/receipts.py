"""The receipt page: ``/<lang>/support/receipt/<token>/``, linked from the thank-you email and
the account page.

The token (funding.links.RECEIPT) names one payment and never expires: receipts are kept
for the accounts. The page shows what the supporter already knows: the publication, the
date, the amount and currency, what it paid for, a covered fee, refunds, and the
provider's reference; no address, so a forwarded receipt leaks nothing new. Only
succeeded payments have receipts; any other token gets a clear "not valid" page (404).
It is never cached: a refund can change it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from masthead.funding import emails, links
from masthead.funding.models import Payment, Refund
from masthead.lib import money, tokens
from masthead.newsroom import queries


@dataclass(frozen=True)
class Receipt:
    payment: Payment
    amount: str
    fee_covered: str
    refunds: list[tuple[Refund, str]]
    refunded: str
    plan: str


def receipt_for(token: str, *, language: str) -> Receipt | None:
    """The receipt the token names, or None (bad token, unknown or unpaid payment)."""
    try:
        link = links.RECEIPT.read(token)
    except tokens.BadToken:
        return None
    payment = (
        Payment.objects.select_related("membership__plan", "campaign")
        .filter(pk=link.payment_id, status=Payment.Status.SUCCEEDED)
        .first()
    )
    if payment is None:
        return None
    refunds = list(
        Refund.objects.filter(
            provider=payment.provider, payment_reference=payment.reference
        ).order_by("refunded_at", "pk")
    )
    currency = payment.currency
    total_refunded = min(sum(refund.amount for refund in refunds), payment.amount)
    return Receipt(
        payment=payment,
        amount=money.format_money(payment.amount, currency),
        fee_covered=money.format_money(payment.fee_covered, currency)
        if payment.fee_covered
        else "",
        refunds=[
            (refund, money.format_money(refund.amount, refund.currency)) for refund in refunds
        ],
        refunded=money.format_money(total_refunded, currency) if refunds else "",
        plan=emails.plan_name(payment.membership.plan, language) if payment.membership else "",
    )


@never_cache
@require_safe
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    found = receipt_for(token, language=request.LANGUAGE_CODE)
    if found is None:
        return render(request, "funding/receipt_invalid.html", status=404)
    return render(
        request,
        "funding/receipt.html",
        {"receipt": found, "publication": queries.publication_name()},
    )
