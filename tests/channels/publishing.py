"""Publishing an article the way the newsroom does (not backdated, so it is news)."""

from __future__ import annotations

import itertools

from masthead.newsroom import services
from masthead.newsroom.models import ArticlePage, SectionPage

_slugs = itertools.count(1)


def publish(
    section: SectionPage,
    *,
    title: str = "Fresh news",
    standfirst: str = "What happened today.",
    **fields: object,
) -> ArticlePage:
    draft = services.ArticleDraft(
        title=title, slug=f"fresh-{next(_slugs)}", standfirst=standfirst, **fields
    )
    return services.create_article(section=section, draft=draft)
