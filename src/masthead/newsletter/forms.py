"""Editors' forms in the Wagtail admin: an edition from an article, a digest, a schedule,
and the email sent with an article's publish."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.widgets import AdminDateTimeInput

from masthead.audience.models import Newsletter
from masthead.newsletter import queries
from masthead.newsletter.models import Edition

# What an article's email holds (Edition.full_piece).
TEASER, FULL = "teaser", "full"


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


class _NewsletterSelect(forms.Select):
    """Each option carries its newsletter's language, for the dialog's mismatch warning."""

    def create_option(self, name: str, value: object, *args: object, **kwargs: object) -> dict:
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-language"] = instance.language
        return option


class _NewsletterChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Newsletter) -> str:
        return ngettext(
            "%(name)s (%(count)d confirmed reader)",
            "%(name)s (%(count)d confirmed readers)",
            obj.subscribers_count,
        ) % {"name": obj.name, "count": obj.subscribers_count}


class EmailOnPublishForm(forms.Form):
    """The publish dialog's "Also send by email" (publishing.py); checked only when ticked.

    Refuses, next to the field concerned: a newsletter that does not exist or has no
    confirmed reader (nothing would be sent), a newsletter in another language than the
    article's unless the editor confirms it, and a second send of one article by one
    newsletter through its publish.
    """

    prefix = "email"

    send = forms.BooleanField(label=_("Also send by email"), required=False)
    newsletter = _NewsletterChoice(
        label=_("Newsletter"),
        queryset=Newsletter.objects.none(),
        required=False,
        empty_label=None,
        widget=_NewsletterSelect,
    )
    subject = _subject_field(required=False)
    content = forms.ChoiceField(
        label=_("What the email holds"),
        choices=[
            (TEASER, _("The teaser: headline, standfirst and a link")),
            (FULL, _("The full piece: byline, hero image and body")),
        ],
        initial=TEASER,
        required=False,  # the teaser, as before the choice existed
        widget=forms.RadioSelect,
        help_text=_("A members-only body goes only to members; others get the teaser."),
    )
    intro = forms.CharField(
        label=_("Intro line"),
        required=False,
        max_length=Edition._meta.get_field("intro").max_length,
        validators=list(Edition._meta.get_field("intro").validators),
        help_text=_("Optional: a line above the headline, for this email only."),
    )
    confirm_language = forms.BooleanField(label=_("Send it anyway"), required=False)

    def __init__(
        self, data: object = None, *, article: object, language: str, **kwargs: object
    ) -> None:
        super().__init__(data, **kwargs)
        self.article = article
        self.language = language
        self.fields["newsletter"].queryset = queries.newsletters_with_counts().order_by(
            "name", "pk"
        )
        self.fields["subject"].help_text = _("Leave empty for the article's headline.")
        if data is None:
            self.initial["newsletter"] = queries.default_newsletter(language)
        self.sent_already = queries.publish_editions(article) if article is not None else []

    def language_name(self, code: str) -> str:
        return str(dict(settings.LANGUAGES).get(code, code))

    def language_article(self) -> str:
        """The article's language, by name."""
        return self.language_name(self.language)

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("send"):
            return cleaned
        newsletter = cleaned.get("newsletter")
        if newsletter is None:
            if "newsletter" not in self.errors:
                self.add_error("newsletter", _("Choose the newsletter to send it by."))
            return cleaned
        if newsletter.subscribers_count == 0:
            self.add_error(
                "newsletter",
                _("%(newsletter)s has no confirmed readers yet: nobody would get it.")
                % {"newsletter": newsletter.name},
            )
        if any(edition.newsletter_id == newsletter.pk for edition in self.sent_already):
            self.add_error(
                "send",
                _(
                    "This article was already sent by email to %(newsletter)s with a "
                    "publish: untick this to publish without sending it again."
                )
                % {"newsletter": newsletter.name},
            )
        if newsletter.language != self.language and not cleaned.get("confirm_language"):
            self.add_error(
                "confirm_language",
                _(
                    "This article is in %(article)s and %(newsletter)s is sent in "
                    "%(language)s: tick “Send it anyway” to confirm."
                )
                % {
                    "article": self.language_name(self.language),
                    "newsletter": newsletter.name,
                    "language": self.language_name(newsletter.language),
                },
            )
        return cleaned
