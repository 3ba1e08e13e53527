"""What readers do on the site: give once, become a member, come back, manage their plan.

Thin, like discovery/views.py: parse the form, call one service (funding.checkout.begin),
redirect to the provider or render. Nothing here grants access or writes money: only a
verified provider event does (funding.ledger). Every page carries a CSRF token or is about
one reader, so every one is ``never_cache`` (private, no-store), and the full-page cache
(lib/pagecache.py) never stores it.
"""

from __future__ import annotations

import logging
import uuid
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from masthead.audience.models import Reader
from masthead.audience.sessions import signed_in_reader
from masthead.funding import checkout as checkouts
from masthead.funding import links, offers, providers, queries
from masthead.funding.forms import GiveForm, JoinForm
from masthead.funding.models import Checkout, Interval, Membership, Payment, PlanPrice
from masthead.funding.providers.base import ReturnUrls
from masthead.lib import money, ratelimit
from masthead.lib.tokens import BadToken

log = logging.getLogger(__name__)

HOUR = 3600
SUCCEEDED, PENDING, FAILED = "succeeded", "pending", "failed"


def _unreachable() -> str:
    return _("We could not reach the payment provider. Try again in a few minutes.")


def _home() -> str:
    return f"/{translation.get_language()}/"


def _absolute(path: str) -> str:
    # The address providers send readers back to and post to: MASTHEAD_BASE_URL, as emails.
    return f"{settings.BASE_URL}{path}"


def _currency(request: HttpRequest) -> str:
    """The currency the page shows: the form's, the link's (?currency=), else the first."""
    offered = providers.currencies()
    chosen = (request.POST.get("currency") or request.GET.get("currency") or "").upper()
    return chosen if chosen in offered else (offered[0] if offered else "")


def thanks_path(checkout: Checkout) -> str:
    token = links.THANKS.make(links.ThanksLink(checkout_id=str(checkout.pk)))
    with translation.override(checkout.language):
        return reverse("funding:thanks", args=[token])


def start(
    request: HttpRequest,
    form: forms.Form,
    *,
    success_path: str | None = None,
    cancel_path: str | None = None,
    **choice: object,
) -> HttpResponse | None:
    """Create the checkout (funding.checkout.begin) and send the reader to the provider.

    The one door of every checkout form (give, join, gift). Counted per client address
    before anything is created at the provider; a refusal from the service or a provider
    that cannot be reached becomes a form error. Returns None when the form should be shown
    again. The provider sends the reader back to ``success_path`` (default: the thanks page
    of this checkout) or, on cancelling, ``cancel_path`` (default: the form they left).
    """
    if not ratelimit.hit(
        "checkout-ip",
        ratelimit.client_ip(request),
        limit=settings.CHECKOUT_LIMIT_PER_IP,
        window_seconds=HOUR,
    ):
        return render(request, "funding/too_many.html", status=429)
    data = form.cleaned_data
    reader = signed_in_reader(request)
    checkout_id = uuid.uuid4()
    return_path = checkouts.safe_return_path(data.get("next"), default=_home())
    try:
        provider = checkouts.pick_provider(data["currency"], data.get("provider") or None)
        # Cancelling at the provider comes back to the form the reader left.
        if cancel_path is None:
            joining = choice.get("kind") == Checkout.Kind.MEMBERSHIP
            support = reverse("funding:membership" if joining else "funding:support")
            cancel_path = f"{support}?{urlencode({'next': return_path})}"
        if success_path is None:
            token = links.THANKS.make(links.ThanksLink(checkout_id=str(checkout_id)))
            success_path = reverse("funding:thanks", args=[token])
        urls = ReturnUrls(
            success=_absolute(success_path),
            cancel=_absolute(cancel_path),
            notification=_absolute(
                reverse("funding_webhooks:payment_notification", args=[provider.name])
            ),
        )
        _checkout, where = checkouts.begin(
            checkout_id=checkout_id,
            currency=data["currency"],
            email=data.get("email", ""),
            reader=reader,
            language=translation.get_language(),
            urls=urls,
            return_path=return_path,
            provider_name=provider.name,
            **choice,
        )
    except checkouts.CheckoutError as refusal:
        form.add_error(None, str(refusal))
        return None
    except Exception:  # the provider is down or refused: a sentence for the reader, not a 500
        # begin() is atomic: the Checkout row went with the failure, nothing is half-written.
        log.exception("starting a %s checkout failed", data["currency"])
        form.add_error(None, _unreachable())
        return None
    return redirect(where.url)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def give(request: HttpRequest) -> HttpResponse:
    """Give once: a preset or typed amount, in one of the publication's currencies."""
    currency = _currency(request)
    if not currency:
        raise Http404("This publication takes no payments.")
    campaign = queries.current_campaign()
    signed_in = signed_in_reader(request) is not None
    form = GiveForm(
        request.POST if request.method == "POST" else None,
        currency=currency,
        campaign=campaign,
        signed_in=signed_in,
        initial={"currency": currency, "next": request.GET.get("next", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = start(
            request,
            form,
            kind=Checkout.Kind.DONATION,
            amount=data["amount_minor"],
            cover_fees=data["cover_fees"],
            toward_campaign=data.get("toward_campaign", False),
            anonymous=data["anonymous"],
            name=data["name"].strip(),
        )
        if response is not None:
            return response
    context = {
        "form": form,
        "currency": currency,
        "currencies": providers.currencies(),
        "campaign": campaign,
        "campaign_text": queries.campaign_text(campaign, translation.get_language())
        if campaign
        else None,
        "fee": _fee_example(form, currency),
        "bounds": [
            money.format_money(limit, currency) for limit in checkouts.donation_bounds(currency)
        ],
        "signed_in": signed_in,
        "next": form["next"].value() or "",
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "funding/give.html", context, status=status)


def _fee_example(form: GiveForm, currency: str) -> dict:
    """What "cover the fees" adds: the provider's schedule and the fee on the chosen amount."""
    provider = providers.for_currency(currency)[0]
    percent, fixed = provider.fee_schedule(currency)
    amount = form.cleaned_data.get("amount_minor") if form.is_bound else None
    if amount is None:
        chosen = form["amount"].value() if form.is_bound else None
        presets = [str(preset) for preset in settings.DONATION_PRESETS]
        preset = chosen if chosen in presets else (presets[0] if presets else "0")
        amount = money.to_minor(preset, currency)
    return {
        "percent": percent,
        "fixed": money.format_money(fixed, currency) if fixed else "",
        "amount": money.format_money(amount, currency),
        "fee": money.format_money(provider.fee(amount, currency), currency),
    }


def _plans(language: str, currency: str) -> list[dict]:
    """Offered plans, each with its text in ``language`` and its prices in ``currency``."""
    rows = []
    for plan in queries.offered_plans():
        prices = sorted(
            (price for price in plan.prices.all() if price.currency == currency),
            key=lambda price: price.interval != Interval.MONTH,  # monthly, then annual
        )
        if not prices:
            continue
        text = queries.plan_text(plan, language)
        rows.append(
            {
                "plan": plan,
                "name": text.name if text else plan.slug,
                "benefits": [line.strip() for line in text.benefits.splitlines() if line.strip()]
                if text
                else [],
                "prices": prices,
                "options": [
                    {
                        "pk": str(price.pk),
                        "annual": price.interval == Interval.YEAR,
                        "amount": money.format_money(price.amount, price.currency),
                    }
                    for price in prices
                ],
            }
        )
    return rows


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def membership(request: HttpRequest) -> HttpResponse:
    """The plans, monthly and annual (the annual subscription), and the form to join one."""
    currency = _currency(request)
    if not currency:
        raise Http404("This publication takes no payments.")
    language = translation.get_language()
    reader = signed_in_reader(request)
    plans = _plans(language, currency)
    prices = [price for row in plans for price in row["prices"]]
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        prices=prices,
        signed_in=reader is not None,
        initial={"currency": currency, "next": request.GET.get("next", "")},
    )
    current = queries.current_membership(reader) if reader is not None else None
    if request.method == "POST" and form.is_valid():
        if current is not None:
            form.add_error(
                None, _("You are already a member: manage your plan from your account.")
            )
        else:
            price: PlanPrice = form.cleaned_data["plan_price"]
            response = start(
                request,
                form,
                kind=Checkout.Kind.MEMBERSHIP,
                price=price,
                offer=form.offer,
                # The local provider charges this; Stripe and Mercado Pago apply the Offer.
                amount=_first_amount(form, price),
            )
            if response is not None:
                return response
    context = {
        "form": form,
        "plans": plans,
        "currency": currency,
        "currencies": providers.currencies(),
        "current": current,
        "chosen_price": str(form["price"].value() or ""),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "funding/membership.html", context, status=status)


def _first_amount(form: JoinForm, price: PlanPrice) -> int:
    return offers.first_amount(form.offer, price.amount)


def _outcome(checkout: Checkout) -> tuple[str, Payment | None]:
    """Where the checkout stands in the ledger: (succeeded | pending | failed, its payment).

    A membership with a free trial has no payment yet: the provider completing the checkout
    is its success.
    """
    payments = list(Payment.objects.filter(checkout=checkout).order_by("-paid_at", "pk"))
    paid = next((p for p in payments if p.status == Payment.Status.SUCCEEDED), None)
    if paid is not None:
        return SUCCEEDED, paid
    if checkout.kind == Checkout.Kind.MEMBERSHIP and checkout.status == Checkout.Status.COMPLETE:
        return SUCCEEDED, None
    if checkout.status == Checkout.Status.FAILED or any(
        p.status == Payment.Status.FAILED for p in payments
    ):
        return FAILED, None
    return PENDING, None


def _upsell(checkout: Checkout, state: str) -> PlanPrice | None:
    """The monthly option to offer after a one-off gift, once per checkout, or None.

    Never to a member, never pre-ticked (it is a link), and claimed with one conditional
    UPDATE, so a reload or a second tab does not show it again.
    """
    if checkout.kind != Checkout.Kind.DONATION or state != SUCCEEDED:
        return None
    if checkout.upsell_shown_at is not None or queries.has_access(checkout.reader):
        return None
    monthly = (
        PlanPrice.objects.filter(
            plan__active=True, interval=Interval.MONTH, currency=checkout.currency
        )
        .order_by("amount")
        .first()
    )
    if monthly is None:
        return None
    claimed = Checkout.objects.filter(pk=checkout.pk, upsell_shown_at__isnull=True).update(
        upsell_shown_at=timezone.now()
    )
    return monthly if claimed else None


@never_cache
@require_safe
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    """Where the provider sends the reader back: the checkout's state, from the ledger."""
    try:
        link = links.THANKS.read(token)
        checkout_id = uuid.UUID(link.checkout_id)
    except (BadToken, ValueError):
        return render(request, "funding/link_refused.html", status=400)
    checkout = (
        Checkout.objects.select_related("price__plan", "campaign", "reader")
        .prefetch_related("price__plan__texts")
        .filter(pk=checkout_id)
        .first()
    )
    if checkout is None:
        raise Http404("No such checkout.")
    state, payment = _outcome(checkout)
    reader = signed_in_reader(request)
    plan = checkout.price.plan if checkout.price else None
    upsell = _upsell(checkout, state)
    context = {
        "checkout": checkout,
        "state": state,
        "payment": payment,
        "amount": money.format_money(
            payment.amount if payment else checkout.amount, checkout.currency
        ),
        "fee": money.format_money(checkout.fee_covered, checkout.currency)
        if checkout.fee_covered
        else "",
        "plan_name": _plan_name(plan, translation.get_language()),
        "upsell": upsell,
        "upsell_amount": money.format_money(upsell.amount, upsell.currency) if upsell else "",
        # An address typed at checkout proves nothing: access takes the emailed sign-in link.
        "must_sign_in": reader is None
        or (checkout.reader_id is not None and reader.pk != checkout.reader_id),
        "return_path": checkouts.safe_return_path(checkout.return_path, default=_home()),
    }
    return render(request, "funding/thanks.html", context)


def _plan_name(plan: object, language: str) -> str:
    if plan is None:
        return ""
    text = queries.plan_text(plan, language)
    return text.name if text else plan.slug


def _managed_membership(reader: Reader) -> Membership | None:
    """The reader's recurring membership at a provider, still running (past due included)."""
    return (
        Membership.objects.filter(
            reader=reader, source=Membership.Source.PAID, ended_at__isnull=True
        )
        .exclude(reference="")
        .order_by("-started_at")
        .first()
    )


@never_cache
@require_POST
def manage(request: HttpRequest) -> HttpResponse:
    """ "Change card or cancel": off to the provider's own page (Stripe's Customer Portal)."""
    reader = signed_in_reader(request)
    if reader is None:
        return redirect("audience:sign_in")
    membership = _managed_membership(reader)
    if membership is None:
        messages.info(request, _("You have no membership paid by card to change."))
        return redirect("audience:account")
    try:
        provider = providers.get(membership.provider)
        url = provider.manage_url(membership, return_url=_absolute(reverse("audience:account")))
    except providers.UnknownProvider:
        messages.error(request, _("Your membership cannot be changed here now; write to us."))
        return redirect("audience:account")
    except Exception:  # the provider's own errors: the reader gets a sentence, not a 500
        log.exception("manage_url failed for membership %s", membership.pk)
        messages.error(request, _unreachable())
        return redirect("audience:account")
    return redirect(url)
