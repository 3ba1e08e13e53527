"""Reads: how readers find articles (latest, related, by section, topic and contributor).

Every listing is live, public and in one locale, newest first, and prefetches what a card
shows (bylines, hero image) so a page's query count does not grow with its length.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page as PaginatorPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from wagtail.models import Locale, Page

from masthead.newsroom.models import (
    ArticleByline,
    ArticlePage,
    ArticleSubject,
    CollectiveMember,
    Contributor,
    HomePage,
    SectionPage,
)

PER_PAGE = 20
# Page numbers above this are refused before any query: no listing here is that long.
MAX_PAGE_NUMBER = 10_000


def _with_card_data(queryset: QuerySet[ArticlePage]) -> QuerySet[ArticlePage]:
    return queryset.select_related("hero_image", "locale").prefetch_related(
        Prefetch("bylines", queryset=ArticleByline.objects.select_related("contributor"))
    )


def published_articles(*, locale: Locale | None = None) -> QuerySet[ArticlePage]:
    """Live, public articles (optionally of one locale), newest first."""
    queryset = ArticlePage.objects.live().public()
    if locale is not None:
        queryset = queryset.filter(locale=locale)
    return queryset.order_by("-first_published_at", "-pk")


def latest_articles(
    *, locale: Locale, limit: int = 5, exclude: Page | None = None
) -> list[ArticlePage]:
    queryset = published_articles(locale=locale)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return list(_with_card_data(queryset)[:limit])


def related_articles(article: ArticlePage, *, limit: int = 4) -> list[ArticlePage]:
    """Articles sharing a topic or a contributor with ``article``, newest first, never itself."""
    topic_ids = list(article.topic_items.values_list("tag_id", flat=True))
    contributor_ids = list(article.bylines.values_list("contributor_id", flat=True))
    contributor_ids += list(article.subjects.values_list("contributor_id", flat=True))
    if not topic_ids and not contributor_ids:
        return []
    shared = Q(topic_items__tag_id__in=topic_ids) | Q(bylines__contributor_id__in=contributor_ids)
    shared |= Q(subjects__contributor_id__in=contributor_ids)
    ids = (
        published_articles(locale=article.locale)
        .filter(shared)
        .exclude(pk=article.pk)
        .values_list("pk", flat=True)
        .distinct()
    )
    return list(_with_card_data(published_articles().filter(pk__in=list(ids[: limit * 4])))[:limit])


def sections_with_latest(*, home: HomePage, per_section: int = 4) -> list[tuple[SectionPage, list]]:
    """Each live section under ``home`` with its newest articles (one query per section)."""
    sections = SectionPage.objects.child_of(home).live().public().order_by("path")
    return [
        (section, list(_with_card_data(section_articles(section))[:per_section]))
        for section in sections
    ]


def section_articles(section: SectionPage) -> QuerySet[ArticlePage]:
    return _with_card_data(published_articles().child_of(section))


def topic_articles(*, slug: str, locale: Locale) -> QuerySet[ArticlePage]:
    return _with_card_data(published_articles(locale=locale).filter(topic_items__tag__slug=slug))


def contributor_articles(contributor: Contributor) -> QuerySet[ArticlePage]:
    """Pieces a contributor wrote, or was interviewed in, or co-signed as part of a collective."""
    collectives = CollectiveMember.objects.filter(member=contributor).values("collective_id")
    byline = Q(bylines__contributor=contributor) | Q(bylines__contributor__in=collectives)
    ids = (
        published_articles(locale=contributor.locale)
        .filter(byline | Q(subjects__contributor=contributor))
        .values("pk")
    )
    return _with_card_data(published_articles().filter(pk__in=ids))


def contributor_by_slug(*, slug: str, locale: Locale) -> Contributor:
    contributor = (
        Contributor.objects.filter(slug=slug, locale=locale)
        .select_related("photo", "locale")
        .prefetch_related("links", _members_prefetch())
        .first()
    )
    if contributor is None:
        raise Http404("No such contributor")
    return contributor


def _members_prefetch() -> Prefetch:
    return Prefetch("members", queryset=CollectiveMember.objects.select_related("member"))


def byline_contributors(article: ArticlePage) -> list[Contributor]:
    """The byline in order, each collective with its members (three queries in all)."""
    return [
        byline.contributor
        for byline in article.bylines.select_related("contributor").prefetch_related(
            Prefetch("contributor__members", queryset=CollectiveMember.objects.select_related("member"))
        )
    ]


def subject_contributors(article: ArticlePage) -> list[Contributor]:
    return [
        subject.contributor
        for subject in ArticleSubject.objects.filter(page=article).select_related(
            "contributor", "contributor__photo"
        )
    ]


def page_translations(page: Page) -> list[Page]:
    """Live translations of ``page`` in every locale, itself included, in LANGUAGES order."""
    pages = list(page.get_translations(inclusive=True).live().public().select_related("locale"))
    return sorted(pages, key=lambda p: p.locale.language_code)


def paginate(queryset: QuerySet, *, page: str | None, per_page: int = PER_PAGE) -> PaginatorPage:
    """One page of ``queryset``; a page number that is not a positive integer in range is a 404."""
    raw = page or "1"
    if not raw.isdigit() or len(raw) > len(str(MAX_PAGE_NUMBER)) or int(raw) > MAX_PAGE_NUMBER:
        raise Http404("Invalid page number")
    try:
        return Paginator(queryset, per_page, allow_empty_first_page=True).page(int(raw))
    except (EmptyPage, PageNotAnInteger):
        raise Http404("Invalid page number") from None


def articles_for_cards(ids: list[int]) -> dict[int, ArticlePage]:
    """Articles by id with what a card shows, for ids found elsewhere (search)."""
    return _with_card_data(ArticlePage.objects.filter(pk__in=ids)).in_bulk()
