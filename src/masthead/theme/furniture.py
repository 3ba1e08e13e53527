"""The publication's furniture texts for a language, falling back to the default locale."""

from __future__ import annotations

from wagtail.models import Locale

from masthead.newsroom import queries
from masthead.newsroom.models import PublicationText, SectionPage


def texts_for(language: str | None) -> PublicationText:
    return queries.publication_texts(language)


def sections_for(language: str | None) -> list[SectionPage]:
    """The navigation's sections (newsroom.queries keeps them until a page other than an
    article changes)."""
    return queries.navigation_sections(language or Locale.get_default().language_code)
