"""Gift membership pages: buy one (``/<lang>/support/gift/``) and redeem one from the email.

Thin: parse, call one service (funding.checkout.begin, funding.gifts.redeem), render.
Every page with a form carries a CSRF token and is ``never_cache``; none is CSRF-exempt.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from masthead.audience import sessions
from masthead.audience.forms import SignInForm
from masthead.audience.models import ONE_LINE
from masthead.funding import emails, gifts, providers, queries, support_views
from masthead.funding.models import Checkout, Gift
from masthead.lib import money


class GiftForm(forms.Form):
    plan = forms.ChoiceField(label=gettext_lazy("Membership"))
    months = forms.TypedChoiceField(
        label=gettext_lazy("Length"),
        coerce=int,
        choices=[(m, m) for m in gifts.GIFT_MONTHS],
    )
    currency = forms.ChoiceField(label=gettext_lazy("Currency"))
    recipient_email = forms.EmailField(
        label=gettext_lazy("Their email address"),
        max_length=254,
        help_text=gettext_lazy("We email them the gift as soon as you have paid."),
    )
    message = forms.CharField(
        label=gettext_lazy("A message for them"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    name = forms.CharField(
        label=gettext_lazy("Your name, as they will see it"),
        max_length=120,
        required=False,
        validators=[ONE_LINE],
    )
    email = forms.EmailField(
        label=gettext_lazy("Your email address, for the receipt"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: object, signed_in: bool, language: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.plans = {plan.slug: plan for plan in queries.offered_plans()}
        self.fields["plan"].choices = [
            (slug, emails.plan_name(plan, language)) for slug, plan in self.plans.items()
        ]
        self.fields["months"].choices = [
            (m, _("%(months)s months") % {"months": m}) for m in gifts.GIFT_MONTHS
        ]
        self.fields["currency"].choices = [(c, c) for c in providers.currencies()]
        if signed_in:
            del self.fields["email"]  # the receipt goes to the signed-in reader

    def clean(self) -> dict:
        data = super().clean()
        plan = self.plans.get(data.get("plan"))
        if plan is None or not data.get("months") or not data.get("currency"):
            return data
        priced = gifts.gift_price(plan, months=data["months"], currency=data["currency"])
        if priced is None:
            raise forms.ValidationError(
                _("This membership is not sold for %(months)s months in %(currency)s.")
                % {"months": data["months"], "currency": data["currency"]}
            )
        data["amount"], data["price"] = priced
        return data


def price_table(form: GiftForm) -> list[dict]:
    """Every plan's gift prices per currency, for the table beside the form."""
    rows = []
    for plan in form.plans.values():
        for currency in providers.currencies():
            amounts = []
            for months in gifts.GIFT_MONTHS:
                priced = gifts.gift_price(plan, months=months, currency=currency)
                amounts.append(money.format_money(priced[0], currency) if priced else "")
            if any(amounts):
                name = dict(form.fields["plan"].choices)[plan.slug]
                rows.append({"plan": name, "currency": currency, "amounts": amounts})
    return rows


def _form_page(request: HttpRequest, form: GiftForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "prices": price_table(form), "gift_months": gifts.GIFT_MONTHS}
    return render(request, "funding/gift_buy.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def buy(request: HttpRequest) -> HttpResponse:
    reader = sessions.signed_in_reader(request)
    language = get_language()
    if request.method != "POST":
        return _form_page(request, GiftForm(signed_in=reader is not None, language=language))
    form = GiftForm(request.POST, signed_in=reader is not None, language=language)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    data = form.cleaned_data
    response = support_views.start(
        request,
        form,
        # The buyer comes back to a page for buyers; the recipient gets the email.
        success_path=reverse("funding:gift_sent"),
        cancel_path=reverse("funding:gift"),
        kind=Checkout.Kind.GIFT,
        amount=data["amount"],
        price=data["price"],
        name=data["name"],
        gift_recipient=data["recipient_email"],
        gift_message=data["message"],
    )
    return response or _form_page(request, form, status=400)


@require_safe
def sent(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the buyer back: the same words for everyone (cacheable)."""
    return render(request, "funding/gift_sent.html")


_REFUSED_STATUS = {"invalid": 404, "expired": 410, "used": 409, "withdrawn": 410}


def _refused(request: HttpRequest, refused: gifts.GiftRefused) -> HttpResponse:
    return render(
        request,
        "funding/gift_refused.html",
        {"reason": refused.reason},
        status=_REFUSED_STATUS[refused.reason],
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def redeem(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the gift and a button, changing nothing (mail scanners follow links); the
    POST redeems it for the address it was sent to, whoever is signed in on this browser."""
    language = get_language()
    try:
        if request.method != "POST":
            gift = gifts.gift_for_redeeming(token)
            return render(
                request,
                "funding/gift_redeem.html",
                {"gift": gift, "token": token, **_about(gift, language)},
            )
        gift = gifts.redeem(token=token)
    except gifts.GiftRefused as refused:
        return _refused(request, refused)
    reader = sessions.signed_in_reader(request)
    signed_in = reader is not None and reader.email.lower() == gift.recipient_email.lower()
    return render(
        request,
        "funding/gift_redeemed.html",
        {
            "gift": gift,
            "signed_in": signed_in,
            # Not signed in by the link (gifts.py says why): the sign-in form, prefilled.
            "form": SignInForm(initial={"email": gift.recipient_email}),
            **_about(gift, language),
        },
    )


def _about(gift: Gift, language: str) -> dict:
    return {"plan": emails.plan_name(gift.plan, language), "address": gift.recipient_email}
