"""Reads on the page tree: latest, related, by section, topic and contributor.

The page models' ``get_context()`` call these (STYLE.md), and discovery builds feeds,
search and sitemaps on them, so they live on the lower floor (DESIGN.md: Layers).

Every listing is live, public and in one locale, newest first, and prefetches what a card
shows (bylines, hero image) so a page's query count does not grow with its length.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.core.paginator import Page as PaginatorPage
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from taggit.models import Tag
from wagtail.models import Locale, Page

from masthead.lib import pagecache
from masthead.newsroom.models import (
    ArticleByline,
    ArticlePage,
    ArticleSubject,
    ArticleTopic,
    CollectiveMember,
    Contributor,
    HomePage,
    SectionPage,
)

PER_PAGE = 20
# How many cards each listing of the page furniture shows.
HOME_LEAD_COUNT = 7  # the home page's lead stories
SECTION_CARD_COUNT = 4  # per section on the home page
LATEST_COUNT = 5  # "Latest news" beside a section or an article
RELATED_COUNT = 4  # "Related posts" under an article
LISTING_SECONDS = 3600
# Page numbers above this are refused before any query: no listing here is that long.
MAX_PAGE_NUMBER = 10_000
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def _with_card_data(queryset: QuerySet[ArticlePage]) -> QuerySet[ArticlePage]:
    return queryset.select_related("hero_image", "locale").prefetch_related(
        Prefetch("bylines", queryset=ArticleByline.objects.select_related("contributor"))
    )


def published_articles(*, locale: Locale | None = None) -> QuerySet[ArticlePage]:
    """Live, public articles (optionally of one locale), newest first."""
    queryset = ArticlePage.objects.live().public()
    if locale is not None:
        queryset = queryset.filter(locale=locale)
    return queryset.order_by("-first_published_at", "-id")


def _cards_by_ids(ids: list[int]) -> list[ArticlePage]:
    """Articles for cards in the order of ``ids`` (one query, plus bylines)."""
    found = _with_card_data(ArticlePage.objects.filter(pk__in=ids)).in_bulk()
    return [found[pk] for pk in ids if pk in found]


def _remembered_ids(key: str, compute: Callable[[], list[int]]) -> list[int]:
    """Ids of a listing, kept until the next publish (the page cache's generation).

    Latest and related lists are on every article page and only change when something
    is published, so an article rendered without the page cache need not sort the archive.
    """
    return cache.get_or_set(f"{key}:{pagecache.current_generation()}", compute, LISTING_SECONDS)


def latest_articles(
    *, locale: Locale, limit: int = 5, exclude: Page | None = None
) -> list[ArticlePage]:
    ids = _remembered_ids(
        f"latest:{locale.pk}:{limit + 1}",
        lambda: list(published_articles(locale=locale).values_list("pk", flat=True)[: limit + 1]),
    )
    ids = [pk for pk in ids if exclude is None or pk != exclude.pk][:limit]
    return _cards_by_ids(ids)


# Where the related lists stored by discovery's engine are read (issue 12 §1): discovery
# sets it at start-up, since newsroom may not import a higher floor (DESIGN.md: Layers).
_stored_related_ids: Callable[[int], list[int] | None] | None = None


def read_related_ids_from(reader: Callable[[int], list[int] | None]) -> None:
    global _stored_related_ids
    _stored_related_ids = reader


def related_articles(article: ArticlePage, *, limit: int = 4) -> list[ArticlePage]:
    """The stored related list of ``article``: live, public, never itself, best first.

    Until the engine has stored one (a new article, before the worker has run): articles
    sharing a topic or a contributor, newest first. Either way, only ``article``'s
    language: a reader of the Spanish page is not sent to English ones.
    """
    stored = _stored_related_ids(article.pk) if _stored_related_ids else None
    if stored is not None:
        # The list may lag an unpublish by the worker's delay: keep what is still public.
        wanted = [pk for pk in stored if pk != article.pk]
        live = published_articles(locale=article.locale).filter(pk__in=wanted)
        cards = _with_card_data(live).in_bulk()
        return [cards[pk] for pk in wanted if pk in cards][:limit]
    return _cards_by_ids(
        _remembered_ids(f"related:{article.pk}:{limit}", lambda: _related_ids(article, limit))
    )


def _related_ids(article: ArticlePage, limit: int) -> list[int]:
    topics = ArticleTopic.objects.filter(content_object_id=article.pk).values("tag_id")
    writers = ArticleByline.objects.filter(page_id=article.pk).values("contributor_id")
    subjects = ArticleSubject.objects.filter(page_id=article.pk).values("contributor_id")
    shares_person = Q(contributor_id__in=writers) | Q(contributor_id__in=subjects)
    # Subqueries rather than joins: OR-ing three multi-valued joins multiplies rows, and the
    # whole selection stays one query.
    shared = (
        Q(pk__in=ArticleTopic.objects.filter(tag_id__in=topics).values("content_object_id"))
        | Q(pk__in=ArticleByline.objects.filter(shares_person).values("page_id"))
        | Q(pk__in=ArticleSubject.objects.filter(shares_person).values("page_id"))
    )
    queryset = published_articles(locale=article.locale).filter(shared).exclude(pk=article.pk)
    return list(queryset.values_list("pk", flat=True)[:limit])


def sections_with_latest(
    *, home: HomePage, per_section: int = 4
) -> list[tuple[SectionPage, list]]:
    """Each live section under ``home`` with its newest articles (cards in one query)."""
    sections = list(SectionPage.objects.child_of(home).live().public().order_by("path"))
    ids = {
        section.pk: _remembered_ids(
            f"section-latest:{section.pk}:{per_section}",
            partial(_section_ids, section, per_section),
        )
        for section in sections
    }
    cards = {card.pk: card for card in _cards_by_ids([pk for ids in ids.values() for pk in ids])}
    return [
        (section, [cards[pk] for pk in ids[section.pk] if pk in cards]) for section in sections
    ]


def _section_ids(section: SectionPage, limit: int) -> list[int]:
    return list(published_articles().child_of(section).values_list("pk", flat=True)[:limit])


def section_articles(section: SectionPage) -> QuerySet[ArticlePage]:
    return _with_card_data(published_articles().child_of(section))


def topic_articles(*, slug: str, locale: Locale) -> QuerySet[ArticlePage]:
    return _with_card_data(published_articles(locale=locale).filter(topic_items__tag__slug=slug))


def topic_by_slug(*, slug: str, locale: Locale) -> Tag:
    """The topic, if it has a published article in ``locale``; a 404 otherwise.

    Topics are shared by every language, but a Spanish topic page listing nothing (because
    only English articles carry the tag) is a page not worth having.
    """
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None or not published_articles(locale=locale).filter(topic_items__tag=tag).exists():
        raise Http404("No such topic")
    return tag


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
            Prefetch(
                "contributor__members", queryset=CollectiveMember.objects.select_related("member")
            )
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
    # A regex, not str.isdigit(): "²" is a digit to Python but not to int().
    if not _PAGE_NUMBER.fullmatch(raw) or int(raw) > MAX_PAGE_NUMBER:
        raise Http404("Invalid page number")
    try:
        return Paginator(queryset, per_page, allow_empty_first_page=True).page(int(raw))
    except (EmptyPage, PageNotAnInteger):
        raise Http404("Invalid page number") from None


def articles_for_cards(ids: list[int]) -> dict[int, ArticlePage]:
    """Articles by id with what a card shows, for ids found elsewhere (search)."""
    return _with_card_data(ArticlePage.objects.filter(pk__in=ids)).in_bulk()
