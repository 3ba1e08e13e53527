"""The account page's WhatsApp form: a number, how often, and an explicit consent box."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from masthead.channels.whatsapp.models import WhatsAppFollower

# The version of the consent text beside the box (channels/whatsapp/account_section.html),
# kept with every consent row: change it whenever that wording changes.
CONSENT_WORDING = "whatsapp account v1 (2026-11)"

# E.164: "+", a country code that does not start with 0, at most 15 digits in all. Fewer
# than 8 is no real subscriber number anywhere. Spaces, dots, dashes and brackets, which
# people type to group digits, are dropped first; nothing else is.
_E164 = re.compile(r"\+[1-9]\d{7,14}")
_GROUPING = re.compile(r"[ \u00a0.\-()]")


def normalise_phone(raw: str) -> str | None:
    """``raw`` as E.164 ("+5491123456789"), or None when it is not a full international
    number."""
    number = _GROUPING.sub("", raw or "")
    if number.startswith("00"):  # the international prefix many countries dial
        number = "+" + number[2:]
    return number if _E164.fullmatch(number) else None


class WhatsAppForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number on WhatsApp"),
        max_length=32,
        help_text=_("With the country code, such as +54 9 11 2345 6789."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=WhatsAppFollower.Frequency.choices,
        initial=WhatsAppFollower.Frequency.EVERY_ARTICLE,
        widget=forms.RadioSelect,
    )
    # Unticked by default and required: consent is the reader's act, never a default.
    consent = forms.BooleanField(
        label=_(
            "I agree to receive WhatsApp messages from this publication with its new "
            "articles. I can stop them at any time here or by replying STOP."
        ),
        required=True,
        error_messages={"required": _("Tick the box to agree to receive WhatsApp messages.")},
    )

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(
                _(
                    "Enter the full international number: a + and the country code, then "
                    "the number, such as +54 9 11 2345 6789."
                ),
                code="invalid",
            )
        return phone


class FrequencyForm(forms.Form):
    """Change how often, for a reader who already opted in (no new consent needed)."""

    frequency = forms.ChoiceField(
        label=_("How often"), choices=WhatsAppFollower.Frequency.choices, widget=forms.RadioSelect
    )
