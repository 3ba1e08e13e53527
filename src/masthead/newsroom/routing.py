"""From a reader's URL to its section or article in one query, instead of Wagtail's walk.

Wagtail routes ``/en/interviews/some-piece/`` by loading the localized home page, then
each child by slug, then each one's specific row: six queries before the page is known
(issue 10 measured routing as a large share of an uncached article). The tree here has a
fixed shape (home → section → article, ``parent_page_types``), so the same answer is one
query: the article whose slug is the last part, whose parent has the first part as slug,
under the home page Wagtail would have started from.

Only the common case takes this path: a live-or-not page found exactly where Wagtail
would find it, with no alias on the way. Anything else (another depth, an alias, a language
without a live home page, a miss) returns ``None`` and is left to Wagtail's own routing, so
its answers, 404s included, are unchanged.

The page found is kept, per site, language and path, with the page cache's tags: the
article's own (moved when it is published, unpublished, moved, renamed or deleted) and ALL
(moved by any change to a home or section page, which could change the path's meaning).
Building that one query was still a fifth of an uncached article's render; reading the
kept page back is a tenth of a millisecond.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import get_supported_language_variant
from wagtail.models import Page
from wagtail.url_routing import RouteResult

from masthead.lib import pagecache
from masthead.newsroom import queries, sites
from masthead.newsroom.models import ArticlePage, HomePage, SectionPage

STEP = Page.steplen
# Kept until one of its tags moves; this only bounds the cache's size.
ROUTE_SECONDS = 3600


def route(request: HttpRequest, path: str) -> RouteResult | None:
    """The page at ``path`` as Wagtail's ``route_for_request`` would find it, or ``None``
    when this shortcut does not apply (the caller then lets Wagtail route)."""
    parts = [part for part in path.split("/") if part]
    if len(parts) > 2:
        return None
    site = sites.for_request(request)
    if site is None:
        return None
    try:
        language = get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return None
    key = f"route:{site.pk}:{language}:{'/'.join(parts)}"
    kept = cache.get(key)
    if kept is not None:
        page, tags, rendered_at = kept
        if pagecache.state(tags, rendered_at) == pagecache.FRESH:
            return _found(_with_section(page, language), request)
    rendered_at = pagecache.clock()  # before the read: a change during it makes it stale
    page = _find(site, language, parts)
    if page is not None:
        tags = pagecache.stored_tags({pagecache.page_tag(page.pk)})
        cache.set(key, (page, tags, rendered_at), ROUTE_SECONDS)
        page = _with_section(page, language)
    return _found(page, request)


def _find(site: object, language: str, parts: list[str]) -> Page | None:
    """The home, section or article at ``parts`` under ``site``'s home in ``language``."""
    root = site.root_page  # loaded with the site (select_related)
    depth = root.depth
    # Page.localized: the root's translation in the active language when that is live,
    # else the root itself. Only the first case is matched here; the second falls back.
    homes = (
        Page.objects.filter(
            translation_key=root.translation_key,
            depth=depth,
            locale__language_code=language,
            alias_of__isnull=True,
        )
        .filter(Q(live=True) | Q(pk=root.pk))
        .values("path")
    )
    if not parts:
        return _first(HomePage.objects.filter(path__in=homes))
    sections = (
        Page.objects.annotate(home_path=Substr("path", 1, STEP * depth))
        .filter(depth=depth + 1, slug=parts[0], alias_of__isnull=True, home_path__in=homes)
        .values("path")
    )
    if len(parts) == 1:
        return _first(SectionPage.objects.filter(path__in=sections))
    return (
        ArticlePage.objects.annotate(section_path=Substr("path", 1, STEP * (depth + 1)))
        .filter(depth=depth + 2, slug=parts[1], alias_of__isnull=True)
        .filter(section_path__in=sections)
        .select_related("locale", "hero_image")
        .first()
    )


def _first(pages: QuerySet) -> Page | None:
    return pages.select_related("locale").first()


def _with_section(page: Page, language: str) -> Page:
    """An article with its section attached: the kicker links it. Taken from the
    navigation's list when it is there (live and public), as Wagtail's route() caches the
    parent it walked through."""
    if isinstance(page, ArticlePage):
        parent_path = page.path[: STEP * (page.depth - 1)]
        for section in queries.navigation_sections(language):
            if section.path == parent_path:
                page._cached_parent_obj = section
    return page


def _found(page: Page | None, request: HttpRequest) -> RouteResult | None:
    if page is None:
        return None
    # Neither it nor any page above it is an alias: its view restrictions are those of the
    # pages on its path (models.RoutedPage.get_view_restrictions).
    page._routed_without_aliases = True
    return page.route(request, [])  # Wagtail's own check: not live is a 404
