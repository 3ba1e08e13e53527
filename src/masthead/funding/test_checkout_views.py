"""The local test provider's pages: its checkout ("pay" or "decline") and its "manage" page.

They stand in for Stripe's and Mercado Pago's hosted pages in the demo and the tests, and
say on every screen that no money moves. Pressing a button goes the way a provider's
notification does: LocalProvider.complete stores the outcome in the inbox and the worker
applies it through funding.ledger, so the thanks page may say "confirming" for a moment.

Only an open checkout can be completed, and only once: a second press (another tab, the
back button, a double click) finds the outcome already stored and changes nothing.
"""

from __future__ import annotations

import uuid
from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from masthead.audience.sessions import signed_in_reader
from masthead.funding import offers, providers, queries
from masthead.funding.models import Checkout, Membership
from masthead.funding.providers.local import FAILED, OUTCOMES, SUCCEEDED, LocalProvider
from masthead.funding.support_views import thanks_path
from masthead.inbox.models import Event
from masthead.lib import money


def _local() -> LocalProvider:
    try:
        return cast(LocalProvider, providers.get("local"))
    except providers.UnknownProvider:
        raise Http404("The test provider is switched off.") from None


def _already_answered(checkout: Checkout) -> bool:
    """Whether a button was pressed for this checkout (its outcome is in the inbox)."""
    event_ids = [f"{checkout.pk}:{outcome}" for outcome in OUTCOMES]
    return Event.objects.filter(provider="local", event_id__in=event_ids).exists()


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def test_checkout(request: HttpRequest, checkout_id: uuid.UUID) -> HttpResponse:
    provider = _local()
    checkout = (
        Checkout.objects.select_related("price__plan", "campaign")
        .prefetch_related("price__plan__texts")
        .filter(pk=checkout_id, provider=provider.name)
        .first()
    )
    if checkout is None:
        raise Http404("No such test checkout.")
    if request.method == "POST":
        outcome = request.POST.get("outcome")
        if outcome not in OUTCOMES:
            return _page(request, checkout, error=_("Choose “Pay” or “Decline”."), status=400)
        with transaction.atomic():
            locked = Checkout.objects.select_for_update().get(pk=checkout.pk)
            if locked.status == Checkout.Status.OPEN and not _already_answered(locked):
                provider.complete(locked, outcome)
        if outcome == FAILED:
            messages.error(request, _("The payment was declined (test mode): nothing was paid."))
            support = "funding:membership" if checkout.kind == Checkout.Kind.MEMBERSHIP else None
            return redirect(_back_to_support(checkout, support))
        return redirect(thanks_path(checkout))
    return _page(request, checkout)


def _back_to_support(checkout: Checkout, name: str | None) -> str:
    with translation.override(checkout.language):
        path = reverse(name or "funding:support")
    # The article the reader came from stays the place to go back to after a second try.
    return f"{path}?{urlencode({'currency': checkout.currency, 'next': checkout.return_path})}"


def _page(
    request: HttpRequest, checkout: Checkout, *, error: str = "", status: int = 200
) -> HttpResponse:
    plan = checkout.price.plan if checkout.price else None
    text = queries.plan_text(plan, translation.get_language()) if plan else None
    context = {
        "checkout": checkout,
        "amount": money.format_money(checkout.amount, checkout.currency),
        "fee": money.format_money(checkout.fee_covered, checkout.currency)
        if checkout.fee_covered
        else "",
        "plan_name": text.name if text else (plan.slug if plan else ""),
        "offer": offers.describe(checkout.offer) if checkout.offer else "",
        "answered": checkout.status != Checkout.Status.OPEN or _already_answered(checkout),
        "thanks_path": thanks_path(checkout),
        "error": error,
        "SUCCEEDED": SUCCEEDED,
        "FAILED": FAILED,
    }
    return render(request, "funding/test_checkout.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def test_manage(request: HttpRequest, membership_id: int) -> HttpResponse:
    """The test provider's "manage" page: see the membership, cancel it. Its member only."""
    provider = _local()
    reader = signed_in_reader(request)
    if reader is None:
        return redirect("audience:sign_in")
    membership = (
        Membership.objects.select_related("plan", "price")
        .prefetch_related("plan__texts")
        .filter(pk=membership_id, reader=reader, provider=provider.name)
        .first()
    )
    if membership is None:
        raise Http404("No such membership.")  # another reader's looks the same as none
    if request.method == "POST":
        if membership.ended_at is None:
            provider.cancel(membership)
            messages.success(request, _("Your membership is cancelled (test mode)."))
        return redirect("audience:account")
    text = queries.plan_text(membership.plan, translation.get_language())
    context = {
        "membership": membership,
        "plan_name": text.name if text else membership.plan.slug,
        "price": str(membership.price) if membership.price else "",
    }
    return render(request, "funding/test_manage.html", context)
