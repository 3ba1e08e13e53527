"""Reads on the page tree: latest, related, by section, topic and contributor.

The page models' ``get_context()`` call these (STYLE.md), and discovery builds feeds,
search and sitemaps on them, so they live on the lower floor (DESIGN.md: Layers).

Every listing is live, public and in one locale, newest first, and prefetches what a card
shows (bylines, hero image) so a page's query count does not grow with its length.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.core.paginator import Page as PaginatorPage
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Length, Substr
from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage
from wagtail.models import Locale, Page, PageViewRestriction, Site

from masthead.lib import pagecache
from masthead.newsroom import compiled
from masthead.newsroom.models import (
    ArticleByline,
    ArticlePage,
    ArticleSubject,
    ArticleTopic,
    CollectiveMember,
    Contributor,
    HomePage,
    PublicationSettings,
    PublicationText,
    SectionPage,
)
from masthead.newsroom.transcripts import normalize_name

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
    # Without the body: a card never shows it, and reading and decoding 3,000 words per
    # card was most of a listing's database time.
    return (
        queryset.defer("body")
        .select_related("hero_image", "locale")
        .prefetch_related(
            Prefetch("bylines", queryset=ArticleByline.objects.select_related("contributor"))
        )
    )


def published_articles(*, locale: Locale | None = None) -> QuerySet[ArticlePage]:
    """Live, public articles (optionally of one locale), newest first."""
    return _newest_first(ArticlePage.objects.live().public(), locale=locale)


def public_article(page_id: int) -> ArticlePage | None:
    """The live, public article ``page_id``, or None (one query)."""
    return public(ArticlePage.objects.live()).filter(pk=page_id).first()


def _listed_articles(*, locale: Locale | None = None) -> QuerySet[ArticlePage]:
    """``published_articles``, with the view restrictions checked inside the query rather
    than read first (one query fewer per listing); Wagtail's search backends cannot
    filter on it, so search and feeds keep ``published_articles``."""
    return _newest_first(public(ArticlePage.objects.live()), locale=locale)


def _newest_first(
    queryset: QuerySet[ArticlePage], *, locale: Locale | None
) -> QuerySet[ArticlePage]:
    if locale is not None:
        queryset = queryset.filter(locale=locale)
    return queryset.order_by("-first_published_at", "-id")


def _cards_by_ids(ids: list[int]) -> list[ArticlePage]:
    """Articles for cards in the order of ``ids``: what a card shows (theme/cards.py) and
    nothing else, in three reads compiled once (newsroom/compiled.py): the articles, their
    bylines, their pictures. Any other field is deferred: read if something asks for it.

    After a publish this is the first render's largest part, once per listing (issue 10).
    """
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    columns = compiled.columns(ArticlePage, _CARD_FIELDS)
    rows = compiled.rows_for(
        ("cards",),
        lambda pks: ArticlePage.objects.filter(pk__in=pks).values_list(*columns),
        wanted,
    )
    found = {article.pk: article for article in compiled.instances(ArticlePage, columns, rows)}
    bylines = _card_bylines(list(found))
    pictures = _card_pictures(
        list(dict.fromkeys(a.hero_image_id for a in found.values() if a.hero_image_id))
    )
    for article in found.values():
        # modelcluster's in-memory child list: ``article.bylines.all`` reads no more.
        article.bylines = bylines.get(article.pk, [])
        if article.hero_image_id is not None:
            article.hero_image = pictures.get(article.hero_image_id)
    return [found[pk] for pk in ids if pk in found]


# What theme/includes/card.html shows of an article (``pageurl`` needs the url_path only).
_CARD_FIELDS = frozenset(
    {
        "id",
        "page_ptr_id",
        "locale_id",
        "title",
        "url_path",
        "first_published_at",
        "kind",
        "members_only",
        "standfirst",
        "hero_image_id",
    }
)


def _card_bylines(page_ids: list[int]) -> dict[int, list[ArticleByline]]:
    """Each page's bylines, with the name of each contributor: all a card shows of them,
    the rest deferred."""
    if not page_ids:
        return {}
    columns = compiled.columns(ArticleByline)
    rows = compiled.rows_for(
        ("card-bylines",),
        lambda pks: ArticleByline.objects.filter(page_id__in=pks).values_list(
            *columns, "contributor__name"
        ),
        page_ids,
    )
    bylines = compiled.instances(ArticleByline, columns, [row[:-1] for row in rows])
    # The name is all a card shows of a contributor: the id, then the name (Model order).
    names = compiled.columns(Contributor, frozenset({"id", "name"}))
    found: dict[int, list[ArticleByline]] = {}
    for byline, row in zip(bylines, rows, strict=True):
        (byline.contributor,) = compiled.instances(
            Contributor, names, [(byline.contributor_id, row[-1])]
        )
        found.setdefault(byline.page_id, []).append(byline)
    return found


def _card_pictures(image_ids: list[int]) -> dict[int, AbstractImage]:
    if not image_ids:
        return {}
    image_model = get_image_model()
    columns = compiled.columns(image_model)
    rows = compiled.rows_for(
        ("card-pictures",),
        lambda pks: image_model.objects.filter(pk__in=pks).values_list(*columns),
        image_ids,
    )
    return {image.pk: image for image in compiled.instances(image_model, columns, rows)}


class CardRef:
    """An article on a listing, read from the database only if its card must be drawn.

    Cards are kept as HTML (theme/cards.py), so a listing whose cards are all kept needs
    only their ids; the first card that is not kept reads every article of the listing in
    one query (after a publish that is one new card, and the rest are kept).
    Anything else asked of it is asked of the article.
    """

    __slots__ = ("_batch", "pk")

    def __init__(self, pk: int, batch: _CardBatch) -> None:
        self.pk = pk
        self._batch = batch

    @property
    def article(self) -> ArticlePage | None:
        """The article, or None if it went away since its id was listed."""
        return self._batch.get(self.pk)

    def __getattr__(self, name: str) -> object:
        return getattr(self.article, name)

    def __eq__(self, other: object) -> bool:
        return getattr(other, "pk", None) == self.pk and isinstance(other, CardRef | Page)

    def __hash__(self) -> int:
        return hash(self.pk)


class _CardBatch:
    """Reads the articles whose cards must be drawn: the first with the next READ_AHEAD on
    the listing, then one alone, then every other.

    After a publish a listing has one to three cards to draw (the new article's, and on
    home the card of the piece it pushed out of the lead, drawn in another size) and the
    rest are kept; reading the whole listing for them was most of home's first render
    (issue 10). A card to draw past those means a cold listing: the rest come in one query.
    """

    SINGLE_READS = 2
    READ_AHEAD = 2

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        self._found: dict[int, ArticlePage] = {}
        self._read: set[int] = set()
        self._reads = 0

    def get(self, pk: int) -> ArticlePage | None:
        if pk not in self._read:
            self._reads += 1
            rest = [i for i in self.ids if i not in self._read and i != pk]
            # The first read takes the next READ_AHEAD articles on the listing along: after
            # a publish the card pushed out of the lead is the second to draw (the third,
            # in a worker that missed a publish), and reading three articles costs what
            # reading one does (2.3 ms, mostly building the query).
            wanted = [pk, *rest[: self.READ_AHEAD]] if self._reads == 1 else [pk]
            if self._reads > self.SINGLE_READS:
                wanted = [pk, *rest]
            self._read.update(wanted)
            self._found.update((article.pk, article) for article in _cards_by_ids(wanted))
        return self._found.get(pk)


def card_refs(ids: list[int]) -> list[CardRef]:
    batch = _CardBatch(list(ids))
    return [CardRef(pk, batch) for pk in ids]


def _remembered_ids(
    key: str, compute: Callable[[], list[int]], *, tags: Iterable[str] | None = None
) -> list[int]:
    """Ids of a listing, kept until the next publish (the page cache's generation), or,
    given ``tags``, until one of them moves.

    Latest and related lists are on every article page and only change when something
    is published, so an article rendered without the page cache need not sort the archive.
    A section's list keyed by its own tag is not read again after a publish in another
    section: home re-sorts one section, not all of them, on its first render (issue 10).
    """
    return pagecache.remembered(key, compute, LISTING_SECONDS, tags=tags)


def latest_articles(
    *, locale: Locale, limit: int = 5, exclude: Page | None = None
) -> list[ArticlePage]:
    """The newest live, public articles of ``locale``, for links: each read with its
    headline, address and date only, every other field deferred (reading whole pages for a
    box of links was a sixth of home's first render after a publish), by SQL compiled once
    (newsroom/compiled.py)."""
    ids = [pk for pk in _latest_ids(locale, limit) if exclude is None or pk != exclude.pk][:limit]
    if not ids:
        return []
    columns = compiled.columns(ArticlePage, _LINK_FIELDS)
    rows = compiled.rows_for(
        ("links",), lambda pks: ArticlePage.objects.filter(pk__in=pks).values_list(*columns), ids
    )
    by_id = {article.pk: article for article in compiled.instances(ArticlePage, columns, rows)}
    return [by_id[pk] for pk in ids if pk in by_id]


_LINK_FIELDS = frozenset(
    {"id", "page_ptr_id", "locale_id", "title", "url_path", "first_published_at"}
)


# One list of newest ids per language serves the latest-news box and home's lead: after a
# publish, one query sorts the language's articles instead of one per length asked.
LATEST_IDS = max(HOME_LEAD_COUNT, LATEST_COUNT + 1) + 1


def _latest_ids(locale: Locale, limit: int) -> list[int]:
    """One more than ``limit``, so that excluding the page being read still leaves enough."""
    wanted = max(limit + 1, LATEST_IDS)
    ids = _remembered_ids(
        f"latest:{locale.pk}:{wanted}",
        partial(
            compiled.ids,
            ("latest", locale.pk, wanted),
            lambda: _listed_articles(locale=locale).values_list("pk", flat=True)[:wanted],
        ),
    )
    return ids[: limit + 1]


def home_listings(
    *, home: HomePage, lead: int = HOME_LEAD_COUNT, per_section: int = SECTION_CARD_COUNT
) -> tuple[list[CardRef], list[tuple[SectionPage, list[CardRef]]]]:
    """The home page's lead stories and each section's newest: every card that is not kept
    in one query.

    The sections are the navigation's (kept until the next publish) under this home.
    """
    lead_ids = _latest_ids(home.locale, lead)[:lead]
    sections = [
        section
        for section in navigation_sections(home.locale.language_code)
        if section.depth == home.depth + 1 and section.path.startswith(home.path)
    ]
    section_ids = {
        section.pk: _remembered_ids(
            f"section-latest:{section.pk}:{per_section}",
            partial(_section_ids, section, per_section),
            tags=[pagecache.list_tag(section.path)],
        )
        for section in sections
    }
    wanted = dict.fromkeys([*lead_ids, *(pk for ids in section_ids.values() for pk in ids)])
    cards = {ref.pk: ref for ref in card_refs(list(wanted))}
    return (
        [cards[pk] for pk in lead_ids],
        [(section, [cards[pk] for pk in section_ids[section.pk]]) for section in sections],
    )


# Where the related lists stored by discovery's engine are read (issue 12 §1): discovery
# sets it at start-up, since newsroom may not import a higher floor (DESIGN.md: Layers).
_stored_related_ids: Callable[[int], list[int] | None] | None = None


def read_related_ids_from(reader: Callable[[int], list[int] | None]) -> None:
    global _stored_related_ids
    _stored_related_ids = reader


@dataclass(frozen=True)
class Related:
    """An article's related items, and whether they are the engine's stored list (else the
    fallback, which any article sharing a topic or a person can change)."""

    articles: list[ArticlePage]
    stored: bool


def related_articles(article: ArticlePage, *, limit: int = 4) -> list[ArticlePage]:
    """``related(article).articles``."""
    return related(article, limit=limit).articles


def related(article: ArticlePage, *, limit: int = 4) -> Related:
    """The stored related list of ``article``: live, public, never itself, best first.

    Until the engine has stored one (a new article, before the worker has run): articles
    sharing a topic or a contributor, newest first. Either way, only ``article``'s
    language: a reader of the Spanish page is not sent to English ones.
    """
    stored = _stored_related_ids(article.pk) if _stored_related_ids else None
    if stored is not None:
        # The list may lag an unpublish by the worker's delay: keep what is still public.
        wanted = [pk for pk in stored if pk != article.pk]
        # Unordered: ordered newest first, SQLite walked the language's whole index to
        # find these few (450 ms at 100,000 articles) instead of reading them by id.
        live = _listed_articles().filter(locale_id=article.locale_id, pk__in=wanted).order_by()
        cards = _with_card_data(live).in_bulk()
        return Related([cards[pk] for pk in wanted if pk in cards][:limit], stored=True)
    ids = _remembered_ids(f"related:{article.pk}:{limit}", lambda: _related_ids(article, limit))
    return Related(_cards_by_ids(ids), stored=False)


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
    queryset = _listed_articles(locale=article.locale).filter(shared).exclude(pk=article.pk)
    return list(queryset.values_list("pk", flat=True)[:limit])


def _section_ids(section: SectionPage, limit: int) -> list[int]:
    return compiled.ids(
        # Everything the SQL is built from: a moved section has another path.
        ("section", section.path, section.depth, section.locale_id, limit),
        lambda: _section_listing(section).values_list("pk", flat=True)[:limit],
    )


def navigation_sections(language: str) -> list[SectionPage]:
    """Live, public sections of ``language``'s home page in tree order, for the navigation
    bar and the article's kicker; kept until a page other than an article changes.

    Every page shows them, and SQLite's plan for this join scans the whole page table, so
    on a large archive the query cost more than the rest of an article page's SQL.
    """
    compute = partial(_navigation_sections, language)
    # Any page but an article changes them, and that empties everything (ALL).
    return pagecache.remembered(f"sections:{language}", compute, LISTING_SECONDS, tags=())


def _navigation_sections(language: str) -> list[SectionPage]:
    return list(
        public(SectionPage.objects.live())
        .filter(locale__language_code=language)
        .order_by("path")
        .only("id", "title", "slug", "url_path", "path", "depth", "locale_id", "live")
    )


def section_articles(section: SectionPage) -> QuerySet[ArticlePage]:
    return _with_card_data(_section_listing(section))


def section_count(section: SectionPage) -> int:
    """How many articles ``section_articles`` lists."""
    # Without the language: counting every row is faster as one scan of the page table
    # (102 ms at 100,000 articles) than through the language index (322 ms).
    return _listed_articles().child_of(section).count()


def _section_listing(section: SectionPage) -> QuerySet[ArticlePage]:
    # The section's language is implied by the tree, but naming it lets SQLite walk the
    # (language, newest first) index and stop at the page's last row; a tree path prefix
    # alone scanned and sorted the whole page table, 68 ms at 100,000 articles (issue 10).
    return _listed_articles().filter(locale_id=section.locale_id).child_of(section)


def usual_kind(section: Page) -> str | None:
    """The kind most of ``section``'s articles have (Interviews: interview), or None.

    Drafts count too: a section's first pieces are often unpublished. A new section with no
    article yet asks its translations, so a new Spanish "Entrevistas" still writes
    interviews. Ties go to the kind of the most recently created article.
    """
    sections = [section, *section.get_translations()] if section.pk else [section]
    for candidate in sections:
        counts = (
            ArticlePage.objects.child_of(candidate)
            .values("kind")
            .annotate(n=Count("pk"), newest=Max("pk"))
            .order_by("-n", "-newest")
        )
        first = counts.first()
        if first is not None:
            return first["kind"]
    return None


def topic_articles(*, slug: str, locale: Locale) -> QuerySet[ArticlePage]:
    return _with_card_data(_listed_articles(locale=locale).filter(topic_items__tag__slug=slug))


def topic_by_slug(*, slug: str, locale: Locale) -> Tag:
    """The topic, if it has a published article in ``locale``; a 404 otherwise.

    Topics are shared by every language, but a Spanish topic page listing nothing (because
    only English articles carry the tag) is a page not worth having.
    """
    return topic_and_languages(slug=slug, locale=locale)[0]


def topic_and_languages(*, slug: str, locale: Locale) -> tuple[Tag, set[str]]:
    """``topic_by_slug``, and the languages it has published articles in (the language
    switcher sends a reader to the other language's topic page only if it exists)."""
    tag = Tag.objects.filter(slug=slug).first()
    languages: set[str] = set()
    if tag is not None:
        # Kept until an article with the topic changes: finding the languages reads every
        # article of the topic, 60 ms for one on 12,000 of 100,000 articles (issue 10).
        languages = pagecache.remembered(
            f"topic-languages:{tag.pk}",
            partial(_topic_languages, tag),
            LISTING_SECONDS,
            tags=[pagecache.topic_tag(tag.slug), pagecache.SHARED],
        )
    if locale.language_code not in languages:
        raise Http404("No such topic")
    return tag, languages


def _topic_languages(tag: Tag) -> set[str]:
    return set(
        _listed_articles()
        .filter(topic_items__tag=tag)
        .order_by()
        .values_list("locale__language_code", flat=True)
        .distinct()
    )


def contributor_articles(contributor: Contributor) -> QuerySet[ArticlePage]:
    """Pieces a contributor wrote, or was interviewed in, or co-signed as part of a collective."""
    collectives = CollectiveMember.objects.filter(member=contributor).values("collective_id")
    byline = Q(bylines__contributor=contributor) | Q(bylines__contributor__in=collectives)
    ids = (
        _listed_articles(locale=contributor.locale)
        .filter(byline | Q(subjects__contributor=contributor))
        .values("pk")
    )
    return _with_card_data(_listed_articles().filter(pk__in=ids))


def contributors_with_pieces() -> QuerySet[Contributor]:
    """Contributors whose page lists at least one piece: ``contributor_articles`` is not
    empty for each (a live, public article of their language that they signed, were
    interviewed in, or that a collective they belong to signed).

    The content API lists these and no one else, so a person who appears only on a draft,
    an unpublished or a restricted article is not announced before the piece is.
    """
    listed = _listed_articles().values("pk")
    # Driven from the byline and interviewee rows, each subquery run once, rather than a
    # scan of the articles for every contributor.
    writers = ArticleByline.objects.filter(
        page__in=listed, page__locale_id=F("contributor__locale_id")
    ).values("contributor_id")
    subjects = ArticleSubject.objects.filter(
        page__in=listed, page__locale_id=F("contributor__locale_id")
    ).values("contributor_id")
    signed_by_collective = ArticleByline.objects.filter(
        contributor_id=OuterRef("collective_id"),
        page__in=listed,
        page__locale_id=OuterRef("member__locale_id"),
    )
    members = CollectiveMember.objects.filter(Exists(signed_by_collective)).values("member_id")
    return Contributor.objects.filter(Q(pk__in=writers) | Q(pk__in=subjects) | Q(pk__in=members))


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


def contributor_languages(contributor: Contributor) -> set[str]:
    """The languages ``contributor`` has a page in (theirs and their translations')."""
    return set(
        Contributor.objects.filter(translation_key=contributor.translation_key).values_list(
            "locale__language_code", flat=True
        )
    )


def contributor_page(
    *, slug: str, locale: Locale, tags: Iterable[str]
) -> tuple[Contributor, set[str]]:
    """``contributor_by_slug`` and ``contributor_languages``: what their page shows of
    them. Kept until one of ``tags`` (their page's own) or SHARED (which any change to a
    contributor, a link or a member moves) moves, as the page itself is: reading them was
    four of the page's five queries (issue 10). No such contributor is a 404, not kept.
    """
    if len(slug) > Contributor._meta.get_field("slug").max_length:
        raise Http404("No such contributor")  # and no key longer than a cache takes

    def read() -> tuple[Contributor, set[str]]:
        person = contributor_by_slug(slug=slug, locale=locale)
        return person, contributor_languages(person)

    return pagecache.remembered(
        f"contributor-page:{locale.pk}:{slug}",
        read,
        LISTING_SECONDS,
        tags=list(dict.fromkeys([*tags, pagecache.SHARED])),
    )


def active_locale() -> Locale:
    """``Locale.get_active()``, kept: Wagtail reads it from the database on every call, and
    discovery's pages ask for it on every render. A new locale empties every kept value."""
    return pagecache.remembered(
        f"locale:{get_language()}", Locale.get_active, LISTING_SECONDS, tags=()
    )


def contributors_named(names: list[str], *, locale: Locale) -> dict[str, Contributor]:
    """The contributors of ``locale`` whose name is one of ``names``, compared without case
    or accents (a pasted transcript's "JOSE PEREZ" is José Pérez); keyed by the name as
    given. A name two contributors share goes to the first by name, then by age."""
    wanted = {normalize_name(name): name for name in names if name.strip()}
    found: dict[str, Contributor] = {}
    # A locale's contributors are a few hundred names: comparing in Python is what makes the
    # accent-blind match the same on SQLite and PostgreSQL.
    for contributor in Contributor.objects.filter(locale=locale).order_by("name", "pk"):
        given = wanted.get(normalize_name(contributor.name))
        if given is not None and given not in found:
            found[given] = contributor
    return found


def _members_prefetch() -> Prefetch:
    return Prefetch("members", queryset=CollectiveMember.objects.select_related("member"))


@dataclass(frozen=True)
class ArticleDetails:
    """What an article page shows from rows other than its own."""

    bylines: list[Contributor]
    subjects: list[Contributor]
    topics: list[Tag]
    translations: list[Page]


def article_details(article: ArticlePage, *, preview: bool = False) -> ArticleDetails:
    """The byline, interviewees, topics and translations of ``article``.

    Kept per published revision until the article, a contributor, a picture or a topic name
    changes (its page tag, SHARED), so a warm render runs none of these queries, nor does
    the first render after another article's publish. A preview is read from the page in memory (its bylines may not be
    saved yet) and never kept.
    """
    if preview:
        bylines = [byline.contributor for byline in article.bylines.all()]
        subjects = [subject.contributor for subject in article.subjects.all()]
        _with_members(bylines)
        return ArticleDetails(bylines, subjects, list(article.topics.all()), [])
    key = f"article-details:{article.pk}:{article.live_revision_id}"
    compute = partial(_article_details, article)
    # Its own tag (its topics, bylines, translations) and the shared one (names, pictures):
    # another article's publish leaves it kept.
    tags = (pagecache.page_tag(article.pk), pagecache.SHARED)
    return pagecache.remembered(key, compute, LISTING_SECONDS, tags=tags)


def _article_details(article: ArticlePage) -> ArticleDetails:
    bylines, subjects = article_people(article)
    return ArticleDetails(
        bylines=bylines,
        subjects=subjects,
        topics=list(article.topics.all()),
        translations=page_translations(article),
    )


def article_people(article: ArticlePage) -> tuple[list[Contributor], list[Contributor]]:
    """The byline and the interviewees, each in order: one query, plus one for the members
    of the collectives in the byline when there are any.

    One query over contributors, each marked with its place in either list, rather than a
    query per list: these run on every uncached article.
    """
    bylines = ArticleByline.objects.filter(page_id=article.pk, contributor_id=OuterRef("pk"))
    subjects = ArticleSubject.objects.filter(page_id=article.pk, contributor_id=OuterRef("pk"))
    people = list(
        Contributor.objects.filter(Exists(bylines) | Exists(subjects))
        .annotate(
            byline_place=Subquery(bylines.order_by("sort_order", "pk").values("sort_order")[:1]),
            byline_link=Subquery(bylines.order_by("sort_order", "pk").values("pk")[:1]),
            subject_place=Subquery(subjects.order_by("sort_order", "pk").values("sort_order")[:1]),
            subject_link=Subquery(subjects.order_by("sort_order", "pk").values("pk")[:1]),
        )
        .select_related("photo")
    )
    byline = sorted(
        (p for p in people if p.byline_link is not None),
        key=lambda p: (p.byline_place is None, p.byline_place or 0, p.byline_link),
    )
    interviewees = sorted(
        (p for p in people if p.subject_link is not None),
        key=lambda p: (p.subject_place is None, p.subject_place or 0, p.subject_link),
    )
    _with_members(byline)
    return byline, interviewees


def _with_members(contributors: list[Contributor]) -> None:
    """Each collective's members in one query (none when there is no collective)."""
    collectives = [contributor for contributor in contributors if contributor.is_collective]
    if collectives:
        prefetch_related_objects(collectives, _members_prefetch())


def page_translations(page: Page) -> list[Page]:
    """Live translations of ``page`` in every locale, itself included, in LANGUAGES order."""
    pages = list(public(page.get_translations(inclusive=True).live()).select_related("locale"))
    return sorted(pages, key=lambda p: p.locale.language_code)


def publication_texts(language: str | None) -> PublicationText:
    """The furniture texts of ``language``, else of the default locale, else empty ones."""
    # Every page shows them and editors change them rarely: kept until a change empties the
    # page cache (a saved text does), not refetched after every publish.
    texts = pagecache.remembered("publication-texts", _all_texts, LISTING_SECONDS, tags=())
    if language in texts:
        return texts[language]
    return texts.get(Locale.get_default().language_code) or PublicationText()


def _all_texts() -> dict[str, PublicationText]:
    return {
        text.locale.language_code: text
        for text in PublicationText.objects.select_related("locale")
    }


def publication_name(request: HttpRequest | None = None, *, language: str | None = None) -> str:
    """The publication's name in ``language`` (the active one by default): the name its
    texts give in that language, else the one in the publication settings of the
    request's site; without a request (emails, receipts), of the default site, else
    ``WAGTAIL_SITE_NAME``."""
    texts = publication_texts(language or get_language())
    if texts.name:
        return texts.name
    if request is not None:
        return PublicationSettings.for_request(request).name
    site = Site.objects.filter(is_default_site=True).first()
    named = PublicationSettings.for_site(site).name if site is not None else ""
    return named or settings.WAGTAIL_SITE_NAME


def translation_source(page: Page) -> Page | None:
    """The page ``page`` was translated from, or None when it is the original.

    Wagtail keeps no source for a translation made without wagtail-localize; the original
    is the first of its translations to be created (``copy_for_translation`` makes a new
    row, so the smallest id).
    """
    if not page.pk:
        return None
    first = (
        Page.objects.filter(translation_key=page.translation_key)
        .select_related("locale")
        .order_by("pk")
        .first()
    )
    return None if first is None or first.pk == page.pk else first


def public(queryset: QuerySet) -> QuerySet:
    """Wagtail's ``.public()`` (no view restriction on the page or above it) in the same
    query: Wagtail's reads every restriction first, one more query per listing."""
    restricted = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef("path"), 1, Length("page__path"))
    )
    return queryset.exclude(Exists(restricted))


class _CountedPaginator(Paginator):
    """A paginator told its count instead of asking the database."""

    def __init__(self, object_list: object, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page, allow_empty_first_page=True)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


class _ListingIds:
    """A listing's ids, its queryset built only when a page of them is sliced: a kept page
    of ids never builds it (building the contributor listing's query was a seventh of
    the page's render)."""

    def __init__(self, listing: Callable[[], QuerySet[ArticlePage]]) -> None:
        self._listing = listing

    def __getitem__(self, key: slice) -> QuerySet:
        return self._listing().values_list("pk", flat=True)[key]


def paginate_cards(
    listing: Callable[[], QuerySet[ArticlePage]],
    *,
    page: str | None,
    count_key: str,
    per_page: int = PER_PAGE,
    tags: Iterable[str] | None = None,
    count: Callable[[], int] | None = None,
) -> PaginatorPage:
    """One page of the listing ``listing()`` as ``CardRef``s; a page number that is not a
    positive integer in range is a 404.

    The number of items and each page's ids are kept until the next publish (the page
    cache's generation), or, given the listing's own ``tags``, until one of them moves:
    counting a section or a topic reads every row of it, the one query on a listing whose
    cost grew with the archive, and the cards themselves are kept. ``listing`` is called
    only for what is not kept. ``count`` counts the same rows when the database does it
    faster another way than the queryset's ``count``.
    """
    number = page_number(page)
    total = pagecache.remembered(
        f"count:{count_key}",
        count or (lambda: listing().count()),
        LISTING_SECONDS,
        tags=tags,
    )
    paginator = _CountedPaginator(_ListingIds(listing), per_page, count=total)
    try:
        found = paginator.page(number)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("Invalid page number") from None
    page_ids = pagecache.remembered(
        f"page-ids:{count_key}:{per_page}:{number}",
        partial(list, found.object_list),
        LISTING_SECONDS,
        tags=tags,
    )
    found.object_list = card_refs(page_ids)
    return found


def page_number(raw: str | None) -> int:
    """The page number a query string asks for (1 when none); anything else is a 404."""
    raw = raw or "1"
    # A regex, not str.isdigit(): "²" is a digit to Python but not to int().
    if not _PAGE_NUMBER.fullmatch(raw) or int(raw) > MAX_PAGE_NUMBER:
        raise Http404("Invalid page number")
    return int(raw)
