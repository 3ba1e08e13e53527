"""Reader forms: sign-up (the page and the newsletter box on every page post to it),
sign-in, and the account page's preferences, email change and erasure."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from masthead.audience.models import Newsletter

# The version of the consent text a reader sees, kept with each consent event (the consent
# log, models.ConsentEvent). Change it whenever the wording of the sign-up form or box
# (templates audience/signup.html, theme furniture) or of the account page's newsletter
# choice changes, so every consent says which text it was given to.
SIGN_UP_WORDING = "sign-up form v1 (2026-11)"
ACCOUNT_WORDING = "account page v1 (2026-11)"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clean_address(form: forms.Form, name: str) -> str:
    # EmailField already strips and validates; refuse control characters outright so a
    # CR/LF can never reach a mail header (ASVS 1.3.11).
    raw = form.data.get(form.add_prefix(name), "")
    if _CONTROL.search(raw.strip()):
        raise forms.ValidationError(_("Enter a valid email address."), code="invalid")
    return form.cleaned_data[name]


def _honeypot() -> forms.CharField:
    # Hidden from people (CSS, aria-hidden, no tab stop), filled by naive bots.
    return forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


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
    website = _honeypot()

    def __init__(self, *args: object, language: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        public = Newsletter.objects.filter(is_public=True)
        self.fields["newsletters"].queryset = public
        self.fields["language"].initial = language
        if not self.is_bound:
            self.fields["newsletters"].initial = [n.pk for n in public if n.language == language]

    def clean_email(self) -> str:
        return _clean_address(self, "email")

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


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    website = _honeypot()  # the same honeypot as the sign-up form

    def clean_email(self) -> str:
        return _clean_address(self, "email")

    def is_bot(self) -> bool:
        return bool(self.data.get(self.add_prefix("website")))


class PreferencesForm(forms.Form):
    """Which public newsletters a signed-in reader receives, and in which language."""

    newsletters = forms.ModelMultipleChoiceField(
        label=_("Newsletters"),
        queryset=Newsletter.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)

    def __init__(
        self, *args: object, subscribed: list[int], language: str, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].queryset = Newsletter.objects.filter(is_public=True)
        self.fields["newsletters"].initial = subscribed
        self.fields["language"].initial = language


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(
        label=_("New email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_new_email(self) -> str:
        return _clean_address(self, "new_email")


class EraseForm(forms.Form):
    """Deleting an account cannot be undone, so the reader types their address to confirm."""

    email = forms.CharField(label=_("Type your email address to confirm"), max_length=254)

    def __init__(self, *args: object, expected: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_email(self) -> str:
        typed = self.cleaned_data["email"].strip()
        if typed.lower() != self.expected.lower():
            raise forms.ValidationError(
                _("That is not the address of this account."), code="mismatch"
            )
        return typed
