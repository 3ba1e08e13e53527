"""Wagtail's search backend: the scale path, when SEARCH_URL names OpenSearch or
Elasticsearch (docs/scale.md). Wagtail indexes articles itself on publish (its own task);
this adapter only asks it, with the same filters as the embedded engines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wagtail.models import Locale, Page

from masthead.discovery.search_engines import Hits, Query
from masthead.newsroom.models import ArticleByline, ArticleSubject
from masthead.newsroom.queries import published_articles

if TYPE_CHECKING:
    from masthead.discovery.models import SearchDocument


def search(query: Query) -> Hits:
    # order_by() drops the newest-first order, so the backend ranks by relevance.
    articles = published_articles().order_by()
    if query.languages is not None:
        locales = Locale.objects.filter(language_code__in=query.languages)
        articles = articles.filter(locale_id__in=list(locales.values_list("pk", flat=True)))
    if query.section_id is not None:
        section = Page.objects.filter(pk=query.section_id).first()
        if section is None:
            return Hits(ids=[], total=0)
        articles = articles.child_of(section)
    if query.kind:
        articles = articles.filter(kind=query.kind)
    if query.published_from is not None:
        articles = articles.filter(first_published_at__gte=query.published_from)
    if query.published_before is not None:
        articles = articles.filter(first_published_at__lt=query.published_before)
    if query.contributor_ids:
        ids = {
            *ArticleByline.objects.filter(contributor_id__in=query.contributor_ids).values_list(
                "page_id", flat=True
            ),
            *ArticleSubject.objects.filter(contributor_id__in=query.contributor_ids).values_list(
                "page_id", flat=True
            ),
        }
        articles = articles.filter(id__in=sorted(ids))
    results = articles.search(" ".join(query.terms), operator="and")
    page = list(results[query.offset : query.offset + query.limit])
    return Hits(ids=[article.pk for article in page], total=results.count())


def after_write(documents: list[SearchDocument]) -> None:
    """Nothing: Wagtail's own task indexes the page in the backend."""


def rebuild() -> None:
    """Nothing: ``masthead manage update_index`` rebuilds Wagtail's index."""
