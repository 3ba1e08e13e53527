"""RSS 2.0 and Atom feeds with full content: whole site, section, topic and contributor.

Subclasses Django's syndication ``Feed`` (STYLE.md); the item body is the article's
rendered HTML, passed through the same allow-list as the page, with its links made
absolute. Every byline name is an author; a collective's members are contributors.

A feed is public and shared, so a members-only article's item carries its standfirst,
hero image and an invitation, never its body (issue 9): feed readers are not members.
"""

from __future__ import annotations

import copy

from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from taggit.models import Tag
from wagtail.models import Locale

from masthead.discovery import links
from masthead.lib.sanitize import clean_html
from masthead.newsroom import access, queries
from masthead.newsroom.models import (
    ArticleByline,
    ArticlePage,
    CollectiveMember,
    Contributor,
    SectionPage,
)

ITEMS_PER_FEED = 30
# An item's HTML is cached under its live revision, so publishing a change replaces it at
# once; the lifetime bounds how long a renamed speaker or contributor stays stale.
ITEM_CACHE_SECONDS = 60 * 60
ITEM_CACHE_VERSION = 2
_DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


class FullContentRss(Rss201rev2Feed):
    """RSS 2.0 with ``content:encoded`` (full text) and one ``dc:creator`` per author."""

    def rss_attributes(self) -> dict:
        attrs = super().rss_attributes()
        attrs["xmlns:content"] = "http://purl.org/rss/1.0/modules/content/"
        attrs["xmlns:dc"] = _DUBLIN_CORE
        return attrs

    def add_item_elements(self, handler, item) -> None:  # noqa: ANN001 (Django's signature)
        super().add_item_elements(handler, item)
        for author in item.get("authors", ()):
            handler.addQuickElement("dc:creator", author["name"])
        for member in item.get("members", ()):
            handler.addQuickElement("dc:contributor", member["name"])
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class FullContentAtom(Atom1Feed):
    """Atom with ``content`` (full text), an ``author`` per byline name and members as
    ``contributor`` elements."""

    def add_item_elements(self, handler, item) -> None:  # noqa: ANN001 (Django's signature)
        super().add_item_elements(handler, item)
        for element, people in (
            ("author", item.get("authors", ())),
            ("contributor", item.get("members", ())),
        ):
            for person in people:
                handler.startElement(element, {})
                handler.addQuickElement("name", person["name"])
                handler.addQuickElement("uri", person["url"])
                handler.endElement(element)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class ArticleFeed(Feed):
    """The whole site's feed in the active language."""

    feed_type = FullContentRss

    def __call__(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # Feed instances live in the URLconf and are shared by every request (and thread):
        # keep the request on a copy, never on the shared instance.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> object:
        return None

    def _publication_name(self) -> str:
        return queries.publication_name(self.request)

    def _absolute(self, url: str) -> str:
        return links.absolute_url(url, request=self.request)

    def title(self, obj: object) -> str:
        return self._publication_name()

    def link(self, obj: object) -> str:
        return self._absolute(f"/{get_language()}/")

    def description(self, obj: object) -> str:
        return _("Latest articles from %(name)s") % {"name": self._publication_name()}

    def author_name(self, obj: object) -> str:
        # Atom wants an author on every entry; the publication stands in for unsigned ones.
        return self._publication_name()

    def articles(self, obj: object) -> QuerySet[ArticlePage]:
        return queries.published_articles(locale=Locale.get_active())

    def items(self, obj: object) -> list[ArticlePage]:
        bylines = ArticleByline.objects.select_related("contributor").prefetch_related(
            Prefetch(
                "contributor__members",
                queryset=CollectiveMember.objects.select_related("member"),
            )
        )
        items = list(
            self.articles(obj)
            .select_related("locale", "hero_image")
            .prefetch_related(Prefetch("bylines", queryset=bylines), "topics")[:ITEMS_PER_FEED]
        )
        # Rendering a body costs queries of its own (interview speakers, images, page
        # links), one set per article: fetched from the cache in one call, rendered only
        # when the article has changed since.
        self._cached_html = cache.get_many([self._cache_key(item) for item in items])
        return items

    def item_title(self, item: ArticlePage) -> str:
        return item.title

    def item_description(self, item: ArticlePage) -> str:
        return item.standfirst

    def item_link(self, item: ArticlePage) -> str:
        return item.get_full_url(self.request)

    def item_guid(self, item: ArticlePage) -> str:
        return item.get_full_url(self.request)

    def item_pubdate(self, item: ArticlePage):  # noqa: ANN201 (a datetime or None)
        return item.first_published_at

    def item_updateddate(self, item: ArticlePage):  # noqa: ANN201 (a datetime or None)
        return item.updated_at or item.last_published_at

    def item_categories(self, item: ArticlePage) -> list[str]:
        return [tag.name for tag in item.topics.all()]

    def item_extra_kwargs(self, item: ArticlePage) -> dict:
        language = item.locale.language_code
        authors, members = [], []
        for byline in item.bylines.all():
            authors.append(self._person(byline.contributor, language=language))
            members += [
                self._person(m.member, language=language) for m in byline.contributor.members.all()
            ]
        return {"authors": authors, "members": members, "content_html": self._content_html(item)}

    def _cache_key(self, item: ArticlePage) -> str:
        # The site root is in the key because the HTML carries absolute URLs.
        root = links.site_root_url(self.request)
        published = item.last_published_at.timestamp() if item.last_published_at else 0
        # members_only in the key as well as in the revision: an item rendered in full must
        # never be served for an article that has since become members-only.
        return (
            f"discovery:feed-item:{ITEM_CACHE_VERSION}:{item.pk}:{item.live_revision_id}:"
            f"{published}:{int(item.members_only)}:{root}"
        )

    def _content_html(self, item: ArticlePage) -> str:
        key = self._cache_key(item)
        html = getattr(self, "_cached_html", {}).get(key)
        if html is None:
            context = {"page": item, "request": self.request}
            if item.members_only:
                context["membership_url"] = self._absolute(
                    access.membership_url(
                        language=item.locale.language_code, next_path=item.get_url(self.request)
                    )
                )
            rendered = render_to_string("discovery/feed_item.html", context, self.request)
            html = links.absolutize_html(str(clean_html(rendered)), request=self.request)
            cache.set(key, html, ITEM_CACHE_SECONDS)
        return html

    def _person(self, contributor: Contributor, *, language: str) -> dict:
        path = links.contributor_path(contributor, language=language)
        return {"name": contributor.name, "url": self._absolute(path)}


class AtomMixin:
    feed_type = FullContentAtom

    def subtitle(self, obj: object) -> str:
        return self.description(obj)


class SiteAtomFeed(AtomMixin, ArticleFeed):
    pass


class SectionFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> SectionPage:
        section = (
            SectionPage.objects.live()
            .public()
            .filter(slug=slug, locale=Locale.get_active())
            .first()
        )
        if section is None:
            raise Http404("No such section")
        return section

    def title(self, obj: SectionPage) -> str:
        return f"{obj.title} · {self._publication_name()}"

    def link(self, obj: SectionPage) -> str:
        return obj.get_full_url(self.request)

    def articles(self, obj: SectionPage) -> QuerySet[ArticlePage]:
        return queries.published_articles().child_of(obj)


class TopicFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Tag:
        return queries.topic_by_slug(slug=slug, locale=Locale.get_active())

    def title(self, obj: Tag) -> str:
        return f"{obj.name} · {self._publication_name()}"

    def link(self, obj: Tag) -> str:
        return self._absolute(links.topic_path(obj.slug, language=get_language()))

    def articles(self, obj: Tag) -> QuerySet[ArticlePage]:
        return queries.published_articles(locale=Locale.get_active()).filter(topic_items__tag=obj)


class ContributorFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Contributor:
        person = queries.contributor_by_slug(slug=slug, locale=Locale.get_active())
        if not queries.contributor_articles(person).exists():
            raise Http404("No such contributor")  # as their page: nothing published yet
        return person

    def title(self, obj: Contributor) -> str:
        return f"{obj.name} · {self._publication_name()}"

    def link(self, obj: Contributor) -> str:
        return self._absolute(links.contributor_path(obj, language=get_language()))

    def articles(self, obj: Contributor) -> QuerySet[ArticlePage]:
        return queries.published_articles().filter(
            pk__in=queries.contributor_articles(obj).values("pk")
        )


class SectionAtomFeed(AtomMixin, SectionFeed):
    pass


class TopicAtomFeed(AtomMixin, TopicFeed):
    pass


class ContributorAtomFeed(AtomMixin, ContributorFeed):
    pass
