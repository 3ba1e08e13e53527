"""Editors' forms in the Wagtail admin: an edition from an article, a digest, a schedule."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput

from masthead.audience.models import Newsletter
from masthead.newsletter.models import Edition


def _subject_field(*, required: bool = True) -> forms.Field:
    # The model's field and its single-line rule (no header injection), checked here so the
    # editor sees the error on the form rather than a crash in the service's full_clean().
    model_field = Edition._meta.get_field("subject")
    field = model_field.formfield(required=required)
    field.validators.extend(v for v in model_field.validators if isinstance(v, RegexValidator))
    if not required:
        field.help_text = _("Leave empty for the newsletter's name and today's date.")
    return field


class ArticleEditionForm(forms.Form):
    """Which newsletter sends one article, and under what subject."""

    newsletter = forms.ModelChoiceField(
        label=_("Newsletter"), queryset=Newsletter.objects.all(), empty_label=None
    )
    subject = _subject_field()


class DigestForm(forms.Form):
    """A digest of one newsletter: the articles since its last edition."""

    newsletter = forms.ModelChoiceField(
        label=_("Newsletter"), queryset=Newsletter.objects.all(), empty_label=None
    )
    subject = _subject_field(required=False)


class ScheduleForm(forms.Form):
    """When to send an edition: a moment still to come."""

    at = forms.DateTimeField(
        label=_("Send at"),
        # Wagtail's picker writes this format, and Django reads it back whatever the language.
        widget=AdminDateTimeInput(format="%Y-%m-%d %H:%M"),
        help_text=format_lazy(
            _("Pick a date, or type it as {format} (24-hour clock). Time zone: {zone}."),
            format=_("YYYY-MM-DD HH:MM"),
            zone=settings.TIME_ZONE,
        ),
    )

    def clean_at(self) -> object:
        at = self.cleaned_data["at"]
        if at <= timezone.now():
            raise forms.ValidationError(
                _("Choose a time in the future: %(at)s has already passed."),
                code="past",
                params={"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")},
            )
        return at
