"""The publication's furniture texts for a language, falling back to the default locale."""

from __future__ import annotations

from wagtail.models import Locale

from masthead.lib import pagecache
from masthead.newsroom import queries
from masthead.newsroom.models import PublicationText, SectionPage


def texts_for(language: str | None) -> PublicationText:
    # Every page shows them and editors change them rarely: kept until a change empties the
    # page cache (a saved text does), not refetched after every publish.
    texts = pagecache.remembered("publication-texts", _all_texts, queries.LISTING_SECONDS, tags=())
    if language in texts:
        return texts[language]
    default = Locale.get_default().language_code
    return texts.get(default) or PublicationText()


def _all_texts() -> dict[str, PublicationText]:
    return {
        text.locale.language_code: text
        for text in PublicationText.objects.select_related("locale")
    }


def sections_for(language: str | None) -> list[SectionPage]:
    """The navigation's sections (newsroom.queries keeps them until a page other than an
    article changes)."""
    return queries.navigation_sections(language or Locale.get_default().language_code)
