"""The contributor chooser: besides searching, it creates a contributor on the spot, so an
editor names a new interviewee or writer without leaving the article (issue 13 §4).

The modal is opened with the page's language (Wagtail adds ``?locale=`` from the editor's
active content locale), and the new contributor is made in that language: an English
article's interviewee is an English contributor, found by the English chooser and bylines.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale
from wagtail.snippets.views.chooser import (
    ChooseView,
    SnippetChooserViewSet,
    SnippetCreateView,
)

from masthead.newsroom import services
from masthead.newsroom.models import Contributor

_SLUG_LENGTH = Contributor._meta.get_field("slug").max_length


class ContributorCreationForm(forms.Form):
    """The fields a byline or an interview needs; bio, photo and links wait for the
    contributor's own page. The slug is made from the name unless one is given."""

    # The modal opens over the page's own form, which has a slug too: ids stay unique.
    prefix = "new-contributor"

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Contributor.Kind.choices, initial=Contributor.Kind.PERSON
    )
    role = forms.CharField(
        label=_("Role"),
        max_length=200,
        required=False,
        help_text=_("E.g. Editor, Philosophy teacher."),
    )
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=_SLUG_LENGTH,
        required=False,
        help_text=_("The contributor's address. Left empty, it is made from the name."),
    )

    def __init__(self, *args: object, locale: Locale | None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.locale = locale
        if locale is not None:
            self.fields["name"].help_text = gettext(
                "The new contributor is created in %(language)s, the language of this page."
            ) % {"language": locale.get_display_name()}

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.locale is None:
            raise ValidationError(
                _("This page's language is unknown, so no contributor can be created here.")
            )
        name = cleaned.get("name", "")
        if "name" in cleaned and not cleaned.get("slug"):
            cleaned["slug"] = slugify(name)[:_SLUG_LENGTH].strip("-")
            if not cleaned["slug"]:
                self.add_error(
                    "slug", _("The name has no letters or digits to make a slug from: give one.")
                )
                return cleaned
        slug = cleaned.get("slug")
        if slug:
            existing = Contributor.objects.filter(locale=self.locale, slug=slug).first()
            if existing is not None:
                self.add_error(
                    "slug",
                    gettext(
                        "“%(slug)s” is already the address of %(name)s in %(language)s. If this "
                        "is the same contributor, choose them in the Search tab; if not, give "
                        "this one a different slug."
                    )
                    % {
                        "slug": slug,
                        "name": existing.name,
                        "language": self.locale.get_display_name(),
                    },
                )
        return cleaned


class _LocaleOfThePage:
    """The language the modal was opened in, kept on the creation form's address."""

    request: HttpRequest

    @cached_property
    def creation_locale(self) -> Locale | None:
        code = self.request.GET.get("locale")
        if not code:
            try:
                return Locale.get_default()
            except Locale.DoesNotExist:
                return None
        return Locale.objects.filter(language_code=code).first()

    def get_create_url(self) -> str:
        url = super().get_create_url()
        code = self.request.GET.get("locale")
        if code:
            url += ("&" if "?" in url else "?") + urlencode({"locale": code})
        return url

    def get_creation_form_kwargs(self) -> dict:
        return {**super().get_creation_form_kwargs(), "locale": self.creation_locale}


class ContributorChooseView(_LocaleOfThePage, ChooseView):
    pass


class ContributorCreateView(_LocaleOfThePage, SnippetCreateView):
    def post(self, request: HttpRequest) -> HttpResponse:
        self.form = self.get_creation_form()
        if self.form.is_valid():
            data = self.form.cleaned_data
            try:
                contributor = services.create_contributor(
                    name=data["name"],
                    slug=data["slug"],
                    kind=data["kind"],
                    role=data["role"],
                    locale=self.creation_locale,
                )
            except ValidationError as error:
                # What the form could not foresee (a slug taken meanwhile): said, not a 500.
                self.form.add_error(None, error.messages)
            else:
                return self.get_chosen_response(contributor)
        return self.get_reshow_creation_form_response()


class ContributorChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ContributorChooseView
    create_view_class = ContributorCreateView
    creation_form_class = ContributorCreationForm
    creation_tab_label = _("Create")
    create_action_label = _("Create and choose")
