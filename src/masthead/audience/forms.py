"""The sign-up form: the dedicated page and the newsletter box on every page post to it."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from masthead.newsletter.models import Newsletter

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    newsletters = forms.ModelMultipleChoiceField(
        label=_("Newsletters"),
        queryset=Newsletter.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # Optional: the box on every page leaves it out and gets the page's (the URL's) language.
    language = forms.ChoiceField(
        label=_("Language of the emails"), choices=settings.LANGUAGES, required=False
    )
    # The box has no newsletter checkboxes: it signs up for the page language's defaults.
    box = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # Honeypot: hidden from people (CSS, aria-hidden, no tab stop), filled by naive bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: object, language: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        public = Newsletter.objects.filter(is_public=True)
        self.fields["newsletters"].queryset = public
        self.fields["language"].initial = language
        if not self.is_bound:
            self.fields["newsletters"].initial = [n.pk for n in public if n.language == language]

    def clean_email(self) -> str:
        # EmailField already strips and validates; refuse control characters outright so a
        # CR/LF can never reach a mail header (ASVS 1.3.11).
        raw = self.data.get(self.add_prefix("email"), "")
        if _CONTROL.search(raw.strip()):
            raise forms.ValidationError(_("Enter a valid email address."), code="invalid")
        return self.cleaned_data["email"]

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or self.language

    def is_bot(self) -> bool:
        return bool(self.data.get(self.add_prefix("website")))

    def clean(self) -> dict:
        cleaned = super().clean()
        if "newsletters" in cleaned and not cleaned["newsletters"]:
            chosen = list(
                Newsletter.objects.filter(is_public=True, language=cleaned.get("language"))
            )
            if not cleaned.get("box") or not chosen:
                self.add_error("newsletters", _("Choose at least one newsletter."))
            else:
                cleaned["newsletters"] = chosen
        return cleaned
