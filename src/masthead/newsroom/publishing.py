"""An article's publish, in one dialog: now or at a time, and what apps above add to it.

The dialog (wagtail_hooks.PublishDialogItem, the article's main action) asks "when": now,
or a time in the publication's time zone, which becomes Wagtail's ``go_live_at``. Newsroom
stands below the apps that send an article out (DESIGN.md: Layers), so it cannot name a
newsletter: such an app registers an ``Option`` in its ``ready()``, a form shown in the
dialog and checked with the article's form when the editor publishes. Any error stops the
publish before anything is written, and the dialog shows it next to its field.

Every part is a plain form bound to the edit view's POST data under its own prefix, so the
dialog can show what the editor typed, errors and all, when the page comes back invalid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

# The name of Wagtail's publish button, and what the "when" field holds.
PUBLISH_ACTION = "action-publish"
NOW, AT = "now", "at"


def is_publishing(data: object) -> bool:
    """Whether the submitted ``data`` is a publish (not a draft, not a submission)."""
    return bool(data and data.get(PUBLISH_ACTION))


@dataclass(frozen=True)
class Option:
    """Something an app above offers with a publish ("also send by email").

    ``form(data, article, language, user)`` returns the option's form, bound to ``data``
    (the edit view's POST) or unbound when ``data`` is None, or None when the option is not
    offered to this user. ``article`` is None while the article is being created;
    ``language`` is its language code. ``template_name`` renders it in the dialog with ``form``.
    """

    form: Callable[[object, object, str, AbstractBaseUser | None], forms.Form | None]
    template_name: str


_options: list[Option] = []


def register(option: Option) -> None:
    if option not in _options:
        _options.append(option)


def options() -> list[Option]:
    return list(_options)


class WhenForm(forms.Form):
    """Now, or at a time still to come (the publication's time zone)."""

    prefix = "publish"

    when = forms.ChoiceField(
        label=_("Publish"),
        choices=[(NOW, _("Now")), (AT, _("At a time"))],
        initial=NOW,
        widget=forms.RadioSelect,
    )
    at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=format_lazy(_("Time zone: {}"), settings.TIME_ZONE),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("when") != AT or "at" in self.errors:
            return cleaned
        at = cleaned.get("at")
        if at is None:
            self.add_error("at", _("Choose the time to publish at."))
        elif at <= timezone.now():
            self.add_error(
                "at",
                _("Choose a time in the future: %(at)s has already passed.")
                % {"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")},
            )
        return cleaned

    def moment(self) -> dt.datetime | None:
        """When the article goes live: None for now (valid forms only)."""
        return self.cleaned_data["at"] if self.cleaned_data["when"] == AT else None


def when_form(data: object, article: object) -> WhenForm:
    """The dialog's "when", bound to ``data``, or showing the article's schedule if any.

    A schedule already set (here or in Wagtail's "Schedule" dialog) is what the dialog
    offers again: reopening the editor never drops it.
    """
    if data is not None:
        return WhenForm(data)
    go_live_at = getattr(article, "go_live_at", None)
    if go_live_at and go_live_at > timezone.now():
        return WhenForm(initial={"when": AT, "at": timezone.localtime(go_live_at)})
    return WhenForm()


class ArticlePageForm(WagtailAdminPageForm):
    """The article's edit form: a publish also checks the dialog's parts (module's doc).

    A new article starts as the kind its section usually publishes (issue 13 §4).
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound or self.instance.pk or self.parent_page is None:
            return
        if "kind" in self.fields:
            from masthead.newsroom import queries  # queries imports the models, which import us

            kind = queries.usual_kind(self.parent_page)
            if kind:
                self.initial["kind"] = kind

    def clean_title(self) -> str:
        # The headline's box wraps (a textarea): a pasted line break is a space, not part
        # of the headline.
        return " ".join((self.cleaned_data.get("title") or "").split())

    def clean(self) -> dict:
        cleaned = super().clean()
        # Only the dialog's publish carries its fields: a publish from elsewhere (Wagtail's
        # "Schedule" dialog, a script) keeps Wagtail's go_live_at as it was submitted.
        if not is_publishing(self.data) or f"{WhenForm.prefix}-when" not in self.data:
            return cleaned
        when = WhenForm(self.data)
        if when.is_valid():
            if "go_live_at" in self.fields:
                # "Now" means now, even when an earlier schedule was left in the form.
                cleaned["go_live_at"] = when.moment()
        else:
            self.add_error(None, _("Check when to publish, in the Publish dialog."))
        article = self.instance if self.instance.pk else None
        language = self.instance.locale.language_code
        for option in _options:
            form = option.form(self.data, article, language, self.for_user)
            if form is not None and not form.is_valid():
                self.add_error(None, _("Check the publishing options in the Publish dialog."))
        return cleaned
