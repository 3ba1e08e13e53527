"""sitemap.xml: an index of three sitemaps (pages, contributors, topics), every language.

Subclasses Django's ``Sitemap`` (STYLE.md). Django's i18n mode assumes one object per URL
in every language; Wagtail's translations are separate pages, so the hreflang alternates
come from ``translation_key`` instead, fetched in one query per sitemap page. Each
sitemap page costs a fixed number of queries however many URLs it lists.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from wagtail.models import Page, Site

from masthead.discovery import links
from masthead.newsroom import queries
from masthead.newsroom.models import (
    ArticleTopic,
    Contributor,
)

# Google accepts 50,000 URLs a file; fewer keeps each response quick to build.
URLS_PER_SITEMAP = 5_000
_PAGE_FIELDS = (
    "id",
    "path",
    "depth",
    "url_path",
    "translation_key",
    "locale",
    "last_published_at",
)


class _AbsoluteSitemap(Sitemap):
    """A sitemap whose ``location`` is already absolute (the canonical URL)."""

    limit = URLS_PER_SITEMAP

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def alternates_for(self, items: list) -> list[list[dict]]:
        """For each item, its hreflang alternates (itself included), or [] if it has none."""
        return [[] for _item in items]

    def get_urls(
        self, page: int | str = 1, site: object = None, protocol: str | None = None
    ) -> list[dict]:
        # Public API (django.contrib.sitemaps.views calls get_urls): our locations are
        # absolute canonical URLs already, so Django's site and protocol are not used, and
        # each item carries its own hreflang alternates. tests/discovery/test_sitemaps.py
        # parses the real XML, so a Django that stops calling this fails there.
        items = list(self.paginator.page(page).object_list)
        alternates = self.alternates_for(items)
        urls = []
        for item, item_alternates in zip(items, alternates, strict=True):
            urls.append(
                {
                    "item": item,
                    "location": self.location(item),
                    "lastmod": self.lastmod(item),
                    "changefreq": None,
                    "priority": "",
                    "alternates": item_alternates,
                }
            )
        lastmods = [url["lastmod"] for url in urls]
        if lastmods and None not in lastmods:
            # Django sends this as the Last-Modified header.
            self.latest_lastmod = max(lastmods)
        return urls


class PageSitemap(_AbsoluteSitemap):
    """Every live, public page of the site in every language: homes, sections, articles."""

    def items(self) -> QuerySet[Page]:
        site = Site.find_for_request(self.request)  # falls back to the default site
        if site is None:
            return Page.objects.none()
        # Each language's home is a translation of the site root, beside it rather than
        # under it, so every one of them is a tree to walk.
        roots = site.root_page.get_translations(inclusive=True)
        in_site = Q()
        for root in roots.only("path"):
            in_site |= Q(path__startswith=root.path)
        return (
            Page.objects.live()
            .public()
            .filter(in_site, alias_of__isnull=True)
            .select_related("locale")
            .only(*_PAGE_FIELDS, "locale__language_code")
            .order_by("path")
        )

    def location(self, item: Page) -> str:
        return item.get_full_url(self.request)

    def lastmod(self, item: Page):  # noqa: ANN201 (a datetime or None)
        return item.last_published_at

    def get_latest_lastmod(self):  # noqa: ANN201 (a datetime or None)
        # Django's default calls lastmod() on every item: all pages loaded for one date.
        return self.items().aggregate(latest=Max("last_published_at"))["latest"]

    def alternates_for(self, items: list[Page]) -> list[list[dict]]:
        keys = {item.translation_key for item in items}
        groups: dict[object, list[Page]] = {}
        translations = (
            Page.objects.live()
            .public()
            .filter(translation_key__in=keys, alias_of__isnull=True)
            .select_related("locale")
            .only(*_PAGE_FIELDS, "locale__language_code")
            .order_by("locale__language_code")
        )
        for page in translations:
            groups.setdefault(page.translation_key, []).append(page)
        return [self._alternates(groups.get(item.translation_key, [])) for item in items]

    def _alternates(self, group: list[Page]) -> list[dict]:
        if len(group) < 2:
            return []
        return [
            {"lang_code": page.locale.language_code, "location": self.location(page)}
            for page in group
        ]


class ContributorSitemap(_AbsoluteSitemap):
    """Contributors whose page exists: at least one published piece of their language that
    they signed, co-signed as a collective's member or were interviewed in (the rule of
    their page and of the content API, ``queries.contributors_with_pieces``)."""

    def items(self) -> QuerySet[Contributor]:
        return (
            queries.contributors_with_pieces()
            .select_related("locale")
            .only("id", "slug", "translation_key", "locale__language_code")
            .order_by("slug", "locale__language_code", "pk")
        )

    def location(self, item: Contributor) -> str:
        path = links.contributor_path(item, language=item.locale.language_code)
        return links.absolute_url(path, request=self.request)

    def lastmod(self, item: Contributor) -> None:
        return None

    def get_latest_lastmod(self) -> None:
        return None

    def alternates_for(self, items: list[Contributor]) -> list[list[dict]]:
        # Translations of a contributor sort together (same slug), so they share a page
        # of the sitemap nearly always; one on another page just loses its alternate.
        groups: dict[object, list[Contributor]] = {}
        for item in items:
            groups.setdefault(item.translation_key, []).append(item)
        return [
            [
                {"lang_code": c.locale.language_code, "location": self.location(c)}
                for c in groups[item.translation_key]
            ]
            if len(groups[item.translation_key]) > 1
            else []
            for item in items
        ]


class TopicSitemap(_AbsoluteSitemap):
    """Topic pages: one per topic and language that has a published article."""

    def items(self) -> QuerySet:
        return (
            ArticleTopic.objects.filter(
                content_object__in=queries.published_articles().values("pk")
            )
            .values("tag__slug", "content_object__locale__language_code")
            .annotate(lastmod=Max("content_object__last_published_at"))
            .order_by("content_object__locale__language_code", "tag__slug")
        )

    def location(self, item: dict) -> str:
        path = links.topic_path(
            item["tag__slug"], language=item["content_object__locale__language_code"]
        )
        return links.absolute_url(path, request=self.request)

    def lastmod(self, item: dict):  # noqa: ANN201 (a datetime or None)
        return item["lastmod"]

    def get_latest_lastmod(self):  # noqa: ANN201 (a datetime or None)
        return (
            queries.published_articles()
            .filter(topic_items__isnull=False)
            .aggregate(latest=Max("last_published_at"))["latest"]
        )


SITEMAPS = {"pages": PageSitemap, "contributors": ContributorSitemap, "topics": TopicSitemap}


def _sitemaps(request: HttpRequest) -> dict[str, Sitemap]:
    # A fresh instance per request: the sitemaps keep the request for absolute URLs.
    return {name: sitemap_class(request) for name, sitemap_class in SITEMAPS.items()}


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return sitemap_views.index(request, _sitemaps(request), sitemap_url_name="sitemap_section")


@require_safe
def section(request: HttpRequest, section: str) -> HttpResponse:
    return sitemap_views.sitemap(request, _sitemaps(request), section=section)
