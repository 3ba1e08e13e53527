"""Reads for the translations report: what lacks a translation, and what is out of date.

Why not wagtail-localize: its per-segment workflow is built for translation services and
PO files, and replaces Wagtail's editor for translated pages; the board translates whole
interviews by hand in the ordinary editor, which Wagtail's own ``simple_translation``
("Translate" in a page's menu) gives. What it lacks is the overview, which this builds.

A translation group is the pages (or contributors) sharing a ``translation_key``. Its
*source* is the one created first (the lowest id): Wagtail's "Translate" copies an existing
page, so the copy always has the higher id. A translation is *out of date* when its source
was published after the translation was last edited: the editor translated an older text.

Each list is one query with ``Exists`` subqueries, so the report costs the same at a
hundred articles as at a hundred thousand; only the rows shown (``limit``) are read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from wagtail.models import Locale

from masthead.newsroom.models import ArticlePage, Contributor

LIMIT = 100  # rows shown per list; the counts are of all of them


@dataclass(frozen=True)
class Listed:
    count: int
    items: list


@dataclass(frozen=True)
class TranslationReport:
    locale: Locale
    articles_missing: Listed
    articles_outdated: Listed
    contributors_missing: Listed


def _sources(queryset: QuerySet, model: type) -> QuerySet:
    older = model.objects.filter(
        translation_key=OuterRef("translation_key"), pk__lt=OuterRef("pk")
    )
    return queryset.exclude(Exists(older))


def _missing_in(queryset: QuerySet, model: type, locale: Locale) -> QuerySet:
    translated = model.objects.filter(translation_key=OuterRef("translation_key"), locale=locale)
    return _sources(queryset, model).exclude(locale=locale).exclude(Exists(translated))


def missing_in_any(
    queryset: QuerySet, model: type, locales: list[Locale]
) -> tuple[QuerySet, dict[int, str]]:
    """Sources in ``queryset`` lacking a translation into at least one of ``locales``, in
    one query; each row carries a boolean per locale (``flags``: locale pk → attribute)
    saying whether that translation exists."""
    flags = {locale.pk: f"has_locale_{locale.pk}" for locale in locales}
    exists = {
        flags[locale.pk]: Exists(
            model.objects.filter(translation_key=OuterRef("translation_key"), locale=locale)
        )
        for locale in locales
    }
    if len(locales) < 2:
        return queryset.none(), flags
    lacking = Q()
    for locale in locales:
        lacking |= ~Q(locale=locale) & Q(**{flags[locale.pk]: False})
    return _sources(queryset, model).annotate(**exists).filter(lacking), flags


def _outdated(queryset: QuerySet[ArticlePage]) -> QuerySet[ArticlePage]:
    source = ArticlePage.objects.filter(
        translation_key=OuterRef("translation_key"), pk__lt=OuterRef("pk")
    ).order_by("pk")
    return queryset.annotate(
        source_changed_at=Subquery(source.values("last_published_at")[:1]),
        source_id=Subquery(source.values("pk")[:1]),
    ).filter(source_changed_at__gt=F("latest_revision_created_at"))


def _listed(queryset: QuerySet, limit: int) -> Listed:
    return Listed(count=queryset.count(), items=list(queryset[:limit]))


def translation_report(locale: Locale, *, limit: int = LIMIT) -> TranslationReport:
    """Live articles and contributors with no translation into ``locale`` (articles newest
    first), and article translations into ``locale`` whose source was published after they
    were last edited."""
    articles = ArticlePage.objects.live().select_related("locale")
    newest = ("-first_published_at", "-pk")
    return TranslationReport(
        locale=locale,
        articles_missing=_listed(
            _missing_in(articles, ArticlePage, locale).order_by(*newest), limit
        ),
        articles_outdated=_listed(
            _outdated(ArticlePage.objects.filter(locale=locale).select_related("locale")).order_by(
                "-source_changed_at", "-pk"
            ),
            limit,
        ),
        contributors_missing=_listed(
            _missing_in(
                Contributor.objects.select_related("locale"), Contributor, locale
            ).order_by("name", "pk"),
            limit,
        ),
    )
