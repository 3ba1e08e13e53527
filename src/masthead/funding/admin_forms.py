"""Editors' forms in the Wagtail admin: amounts typed in major units, converted here.

People think in 25.50, not 2550. Every amount field below is text that ``lib.money.to_minor``
turns into minor units of the row's currency once the currency is known (in ``clean``), so
"abc", "-5" and "10.555" are form errors naming the problem and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from masthead.audience.models import ONE_LINE
from masthead.funding.models import CURRENCY_CHOICES, Campaign, Plan
from masthead.lib import money

MAJOR_HELP = gettext_lazy("In the currency's usual units: 25 or 25.50.")


def major_field(label: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=20,
        help_text=MAJOR_HELP,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def to_minor(form: forms.Form, field: str, currency: str | None) -> int | None:
    """The typed amount of ``field`` in minor units, or None with an error on the field."""
    text = form.cleaned_data.get(field)
    if text in (None, ""):
        return None
    if not currency:
        return None  # the currency field carries its own error
    try:
        amount = money.to_minor(text, currency)
    except money.MoneyError as error:
        form.add_error(field, _money_message(error, currency))
        return None
    if amount <= 0:
        form.add_error(field, _("Enter an amount above zero."))
        return None
    return amount


def _money_message(error: money.MoneyError, currency: str) -> str:
    # lib.money's messages are English sentences; the editor gets translated ones.
    if "decimal places" in str(error):
        return _("%(currency)s amounts have at most %(places)s decimal places.") % {
            "currency": currency,
            "places": money.exponent(currency),
        }
    return _("Enter an amount such as 25 or 25.50.")


class MajorUnitsModelForm(WagtailAdminModelForm):
    """A model form whose ``amount_fields`` {form field: model field} are typed in major
    units of the currency in ``currency_field`` (or given by ``fixed_currency``)."""

    amount_fields: dict[str, str] = {}
    currency_field = "currency"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        currency = getattr(self.instance, self.currency_field, "")
        for name, model_field in self.amount_fields.items():
            value = getattr(self.instance, model_field, None)
            if value is not None and currency:
                self.initial[name] = str(money.to_major(value, currency))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        currency = cleaned.get(self.currency_field)
        for name, model_field in self.amount_fields.items():
            typed = cleaned.get(name)
            amount = to_minor(self, name, currency)
            if name in self.errors:
                continue  # add_error took it out of cleaned_data: the row is not saved
            if amount is None and typed:
                self.add_error(name, _("Choose a currency to read this amount in."))
                continue
            cleaned[model_field] = amount
        return cleaned


class PlanPriceForm(MajorUnitsModelForm):
    amount = major_field(gettext_lazy("amount"))
    amount_fields = {"amount": "amount"}


class CampaignForm(MajorUnitsModelForm):
    goal = major_field(gettext_lazy("goal"))
    amount_fields = {"goal": "goal"}


class OfferForm(MajorUnitsModelForm):
    amount_off = major_field(gettext_lazy("amount off"), required=False)
    amount_fields = {"amount_off": "amount_off"}


# --- offline gifts and complimentary memberships ------------------------------------------


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class OfflineGiftForm(forms.Form):
    amount = major_field(gettext_lazy("Amount"))
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), choices=CURRENCY_CHOICES)
    received = forms.DateField(label=gettext_lazy("Received on"), widget=AdminDateInput)
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.all(),
        required=False,
        label=gettext_lazy("Campaign"),
        help_text=gettext_lazy("Counts toward this campaign's total (its currency only)."),
    )
    name = forms.CharField(
        label=gettext_lazy("Name for the supporters list"),
        max_length=120,
        required=False,
        validators=[ONE_LINE],
    )
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        required=False,
        help_text=gettext_lazy("Optional: ties the gift to this reader's record."),
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("Hide from the public supporters list"), required=False
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example: bank transfer reference."),
    )

    def clean_received(self) -> dt.datetime:
        day = self.cleaned_data["received"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future."))
        return _local_midnight(day)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        currency = cleaned.get("currency")
        amount = to_minor(self, "amount", currency)
        if amount is not None:
            cleaned["amount"] = amount
        campaign = cleaned.get("campaign")
        if campaign is not None and currency and campaign.currency != currency:
            self.add_error(
                "campaign",
                _("This campaign counts %(campaign)s only; the gift is in %(gift)s.")
                % {"campaign": campaign.currency, "gift": currency},
            )
        return cleaned


class GrantForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Reader's email"))
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), label=gettext_lazy("Plan"))
    until = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        widget=AdminDateInput,
        help_text=gettext_lazy("Access ends at the start of this day."),
    )
    forever = forms.BooleanField(label=gettext_lazy("No end date"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        until, forever = cleaned.get("until"), cleaned.get("forever")
        if until and forever:
            self.add_error("until", _("Give an end date or tick “No end date”, not both."))
        elif not until and not forever and "until" not in self.errors:
            self.add_error("until", _("Give an end date, or tick “No end date”."))
        elif until and until <= timezone.localdate():
            self.add_error("until", _("The end date must be after today."))
        else:
            cleaned["until_at"] = _local_midnight(until) if until else None
        return cleaned


class ExportForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=AdminDateInput)
    end = forms.DateField(label=gettext_lazy("To"), widget=AdminDateInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date comes before the start date."))
        return cleaned
