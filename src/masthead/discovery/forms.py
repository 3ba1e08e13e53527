"""The search page's filters: what a reader may narrow results by, checked before use.

Every value arrives as a query string anyone can write; a bad one gets a message naming
it (DESIGN.md: bad input never is a 500), never a silently wider search.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from masthead.newsroom import queries as newsroom_queries
from masthead.newsroom.models import ArticlePage, Contributor

ANY_LANGUAGE = "all"


class SearchForm(forms.Form):
    # The query itself is cleaned by search.clean_query: any text is a query, never an error.
    section = forms.ChoiceField(label=_("Section"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    lang = forms.ChoiceField(label=_("Language"), required=False)
    by = forms.SlugField(label=_("Contributor"), required=False, allow_unicode=True)

    def __init__(self, data: dict, *, locale: Locale) -> None:
        super().__init__(data)
        self.locale = locale
        self.sections = {
            section.slug: section
            for section in newsroom_queries.navigation_sections(locale.language_code)
        }
        self.fields["section"].choices = [
            ("", _("All sections")),
            *((slug, section.title) for slug, section in self.sections.items()),
        ]
        self.fields["kind"].choices = [("", _("All kinds")), *ArticlePage.Kind.choices]
        self.fields["lang"].choices = [
            ("", _("This language")),
            (ANY_LANGUAGE, _("Every language")),
            # Each language in its own name, as the language switcher shows them.
            *((code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES),
        ]
        # "from" and "to" are Python keywords: declared here rather than as attributes.
        for name, label in (("from", _("From")), ("to", _("To"))):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                input_formats=["%Y-%m-%d"],
                widget=forms.DateInput(attrs={"type": "date"}),
                error_messages={"invalid": _("Enter a date as YYYY-MM-DD, such as 2026-03-31.")},
            )

    def clean_by(self) -> Contributor | None:
        slug = self.cleaned_data.get("by")
        if not slug:
            return None
        person = Contributor.objects.filter(slug=slug, locale=self.locale).first()
        if person is None:
            raise ValidationError(_("There is no contributor with that name."))
        return person

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date is before the start date."))
        return cleaned

    def languages(self) -> tuple[str, ...] | None:
        """The languages to search: this page's by default, None for any."""
        chosen = self.cleaned_data.get("lang") or self.locale.language_code
        return None if chosen == ANY_LANGUAGE else (chosen,)

    def section_id(self) -> int | None:
        slug = self.cleaned_data.get("section")
        return self.sections[slug].pk if slug else None

    def contributor_ids(self) -> tuple[int, ...]:
        """The contributor and their translations: their articles in every language."""
        person = self.cleaned_data.get("by")
        if person is None:
            return ()
        return tuple(
            Contributor.objects.filter(translation_key=person.translation_key)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def date_range(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """From the start of "from" to the end of "to", in the site's time zone."""
        from django.utils import timezone

        start, end = self.cleaned_data.get("from"), self.cleaned_data.get("to")
        begin = timezone.make_aware(dt.datetime.combine(start, dt.time.min)) if start else None
        before = None
        if end and end < dt.date.max:
            before = timezone.make_aware(
                dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
            )
        return begin, before

    def filter_key(self) -> str:
        """The filters as a stable string, for the results cache."""
        data = self.cleaned_data
        person = data.get("by")
        return "|".join(
            [
                ",".join(self.languages() or ("*",)),
                str(self.section_id() or ""),
                data.get("kind") or "",
                str(person.pk if person else ""),
                str(data.get("from") or ""),
                str(data.get("to") or ""),
            ]
        )
