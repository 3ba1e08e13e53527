"""The publication's furniture texts for a language, falling back to the default locale."""

from __future__ import annotations

from django.core.cache import cache
from wagtail.models import Locale

from masthead.lib import pagecache
from masthead.newsroom import queries
from masthead.newsroom.models import PublicationText, SectionPage


def texts_for(language: str | None) -> PublicationText:
    texts = {
        text.locale.language_code: text
        for text in PublicationText.objects.select_related("locale")
    }
    if language in texts:
        return texts[language]
    default = Locale.get_default().language_code
    return texts.get(default) or PublicationText()


def sections_for(language: str | None) -> list[SectionPage]:
    """The navigation's sections, kept until the next publish (pagecache generation).

    Every page shows them, and SQLite's plan for this join scans the whole page table, so
    on a large archive the query cost more than the rest of an article page's SQL.
    """
    language = language or Locale.get_default().language_code
    key = f"sections:{pagecache.current_generation()}:{language}"
    return cache.get_or_set(key, lambda: _sections(language), timeout=queries.LISTING_SECONDS)


def _sections(language: str) -> list[SectionPage]:
    return list(
        SectionPage.objects.live()
        .public()
        .filter(locale__language_code=language)
        .order_by("path")
        .only("id", "title", "slug", "url_path", "path", "depth", "locale_id")
    )
