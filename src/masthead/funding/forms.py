"""Reader forms of the funding app: give once, and join a plan.

The forms parse and check what the reader typed; the rules about money (bounds, currency,
campaign currency) live in funding.checkout and are called from here, so the form and the
service can never disagree. Every message is a sentence the reader can act on.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from masthead.audience.models import ONE_LINE
from masthead.funding import checkout, offers, providers, queries
from masthead.funding.models import Campaign, Offer, PlanPrice
from masthead.lib import money

OTHER = "other"
# What a person types for an amount: digits, and at most one decimal point or comma.
_AMOUNT = re.compile(r"\d{1,12}(?:[.,]\d{1,12})?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _currency_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("Choose a currency."),
            "invalid_choice": gettext_lazy(
                "This publication does not take payments in %(value)s."
            ),
        },
    )


def _email_field() -> forms.EmailField:
    return forms.EmailField(
        label=gettext_lazy("Email address"),
        max_length=254,
        help_text=gettext_lazy("For the receipt. We never share it."),
    )


class _CheckoutForm(forms.Form):
    """What both forms share: the currency, the reader's address, where to go afterwards."""

    currency = _currency_field()
    email = _email_field()
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args: object, signed_in: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Read when the form is made, not when the module is imported: settings decide.
        self.fields["currency"].choices = [(code, code) for code in providers.currencies()]
        # A signed-in reader pays as themselves; a typed address is only asked of guests.
        if signed_in:
            del self.fields["email"]

    def clean_email(self) -> str:
        # CR/LF must never reach a mail header (ASVS 1.3.11); EmailField strips the ends.
        raw = self.data.get(self.add_prefix("email"), "")
        if _CONTROL.search(raw.strip()):
            raise forms.ValidationError(_("Enter a valid email address."), code="invalid")
        return self.cleaned_data["email"]


class GiveForm(_CheckoutForm):
    """A one-off gift: a preset or a typed amount, and the reader's choices about it."""

    amount = forms.ChoiceField(
        label=gettext_lazy("Amount"), required=False, widget=forms.RadioSelect
    )
    custom_amount = forms.CharField(
        label=gettext_lazy("Another amount"), required=False, max_length=20
    )
    toward_campaign = forms.BooleanField(required=False)
    anonymous = forms.BooleanField(
        label=gettext_lazy("Hide my name from the supporters list"), required=False
    )
    name = forms.CharField(
        label=gettext_lazy("Name on the supporters list (optional)"),
        required=False,
        max_length=120,
        validators=[ONE_LINE],
    )
    cover_fees = forms.BooleanField(required=False)
    provider = forms.ChoiceField(
        label=gettext_lazy("Pay with"), required=False, widget=forms.RadioSelect
    )

    def __init__(
        self,
        *args: object,
        currency: str,
        campaign: Campaign | None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].choices = [
            (str(preset), money.format_money(money.to_minor(preset, currency), currency))
            for preset in settings.DONATION_PRESETS
        ] + [(OTHER, _("Another amount"))]
        # Ticked by default only when the gift would count: a campaign in this currency.
        if campaign is None:
            del self.fields["toward_campaign"]
        elif not self.is_bound:
            self.initial.setdefault("toward_campaign", campaign.currency == currency)
        choices = providers.for_currency(currency)
        if len(choices) > 1:
            self.fields["provider"].choices = [(p.name, p.label) for p in choices]
            self.fields["provider"].required = True
        else:
            del self.fields["provider"]

    def clean(self) -> dict:
        cleaned = super().clean()
        currency = cleaned.get("currency")
        if currency is None:
            return cleaned
        typed = (cleaned.get("custom_amount") or "").strip()
        preset = cleaned.get("amount")
        try:
            # A typed amount wins: with JavaScript off nobody picks "another amount" first.
            if typed:
                cleaned["amount_minor"] = parse_amount(typed, currency)
            elif preset and preset != OTHER:
                cleaned["amount_minor"] = money.to_minor(preset, currency)
            elif preset == OTHER:
                raise forms.ValidationError(_("Type the amount you want to give."))
            else:
                raise forms.ValidationError(_("Choose an amount or type one."))
            checkout.check_donation_amount(cleaned["amount_minor"], currency)
        except checkout.CheckoutError as error:
            self.add_error("custom_amount", str(error))
        except forms.ValidationError as error:
            self.add_error("custom_amount", error)
        return cleaned


def parse_amount(text: str, currency: str) -> int:
    """What the reader typed, in minor units; ValidationError saying what to type instead."""
    text = text.replace(" ", "")
    if not _AMOUNT.fullmatch(text):
        raise forms.ValidationError(_("Enter an amount such as 25 or 25.50."))
    try:
        return money.to_minor(text, currency)
    except money.MoneyError:
        places = money.exponent(currency)
        if places == 0:
            raise forms.ValidationError(
                _("%(currency)s amounts are whole numbers.") % {"currency": currency}
            ) from None
        raise forms.ValidationError(
            _("%(currency)s amounts have at most %(places)s decimal places.")
            % {"currency": currency, "places": places}
        ) from None


class JoinForm(_CheckoutForm):
    """Become a member: one price of one plan (monthly, or the annual subscription)."""

    price = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose a plan and how often to pay."),
            "invalid_choice": gettext_lazy("Choose a plan and how often to pay."),
        },
    )
    offer_code = forms.CharField(
        label=gettext_lazy("Offer code (optional)"), required=False, max_length=40
    )

    def __init__(self, *args: object, prices: list[PlanPrice], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price"].choices = [(price.pk, str(price)) for price in prices]

    def clean(self) -> dict:
        cleaned = super().clean()
        currency, pk = cleaned.get("currency"), cleaned.get("price")
        if currency is None or pk is None:
            return cleaned
        price = queries.price(pk)
        if price is None or price.currency != currency:
            self.add_error("price", _("Choose a plan and how often to pay."))
            return cleaned
        cleaned["plan_price"] = price
        cleaned["offer"] = None
        code = (cleaned.get("offer_code") or "").strip()
        if code:
            try:
                cleaned["offer"] = offers.find(code, currency=currency)
            except offers.OfferError as error:
                self.add_error("offer_code", str(error))
        return cleaned

    @property
    def offer(self) -> Offer | None:
        return self.cleaned_data.get("offer")
