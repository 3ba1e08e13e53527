"""The publication's furniture texts for a language, falling back to the default locale."""

from __future__ import annotations

from wagtail.models import Locale

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
    return list(
        SectionPage.objects.live()
        .public()
        .filter(locale__language_code=language or Locale.get_default().language_code)
        .order_by("path")
        .only("id", "title", "slug", "url_path", "path", "depth", "locale_id")
    )
