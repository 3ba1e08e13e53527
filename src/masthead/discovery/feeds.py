"""RSS 2.0 and Atom feeds with full content: whole site, section, topic and contributor.

Subclasses Django's syndication ``Feed`` (STYLE.md); the item body is the article's
rendered HTML, passed through the same allow-list as the page.
"""

from __future__ import annotations

import copy

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import get_language, gettext as _
from taggit.models import Tag
from wagtail.models import Locale, Site

from masthead.discovery import queries
from masthead.newsroom.models import ArticlePage, Contributor, PublicationSettings, SectionPage
from masthead.theme.sanitize import clean_html

ITEMS_PER_FEED = 30


class FullContentRss(Rss201rev2Feed):
    """RSS 2.0 with ``content:encoded``, the element readers use for full text."""

    def rss_attributes(self) -> dict:
        attrs = super().rss_attributes()
        attrs["xmlns:content"] = "http://purl.org/rss/1.0/modules/content/"
        return attrs

    def add_item_elements(self, handler, item) -> None:  # noqa: ANN001 (Django's signature)
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class FullContentAtom(Atom1Feed):
    def add_item_elements(self, handler, item) -> None:  # noqa: ANN001 (Django's signature)
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class ArticleFeed(Feed):
    """The whole site's feed in the active language."""

    feed_type = FullContentRss

    def __call__(self, request: HttpRequest, *args: object, **kwargs: object):  # noqa: ANN204
        # Feed instances live in the URLconf and are shared by every request (and thread):
        # keep the request on a copy, never on the shared instance.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> object:
        return None

    def _publication_name(self) -> str:
        site = Site.find_for_request(self.request)
        return PublicationSettings.for_site(site).name if site else ""

    def title(self, obj: object) -> str:
        return self._publication_name()

    def link(self, obj: object) -> str:
        return f"/{get_language()}/"

    def description(self, obj: object) -> str:
        return _("Latest articles from %(name)s") % {"name": self._publication_name()}

    def feed_extra_kwargs(self, obj: object) -> dict:
        return {"language": get_language()}

    def articles(self, obj: object):  # noqa: ANN201
        return queries.published_articles(locale=Locale.get_active())

    def items(self, obj: object) -> list[ArticlePage]:
        return list(
            self.articles(obj).select_related("locale").prefetch_related("bylines__contributor")[
                :ITEMS_PER_FEED
            ]
        )

    def item_title(self, item: ArticlePage) -> str:
        return item.title

    def item_description(self, item: ArticlePage) -> str:
        return item.standfirst

    def item_link(self, item: ArticlePage) -> str:
        return item.get_url(self.request)

    def item_guid(self, item: ArticlePage) -> str:
        return item.get_full_url(self.request)

    def item_pubdate(self, item: ArticlePage):  # noqa: ANN201
        return item.first_published_at

    def item_updateddate(self, item: ArticlePage):  # noqa: ANN201
        return item.updated_at or item.last_published_at

    def item_author_name(self, item: ArticlePage) -> str:
        return ", ".join(byline.contributor.name for byline in item.bylines.all())

    def item_categories(self, item: ArticlePage) -> list[str]:
        return [tag.name for tag in item.topics.all()]

    def item_extra_kwargs(self, item: ArticlePage) -> dict:
        html = render_to_string(
            "discovery/feed_item.html", {"page": item, "request": self.request}, self.request
        )
        return {"content_html": str(clean_html(html))}


class AtomMixin:
    feed_type = FullContentAtom

    def subtitle(self, obj: object) -> str:
        return self.description(obj)


class SiteAtomFeed(AtomMixin, ArticleFeed):
    pass


class SectionFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> SectionPage:  # noqa: D102
        section = (
            SectionPage.objects.live().public().filter(slug=slug, locale=Locale.get_active()).first()
        )
        if section is None:
            raise Http404("No such section")
        return section

    def title(self, obj: SectionPage) -> str:
        return f"{obj.title} · {self._publication_name()}"

    def link(self, obj: SectionPage) -> str:
        return obj.get_url(self.request)

    def articles(self, obj: SectionPage):  # noqa: ANN201
        return queries.published_articles().child_of(obj)


class TopicFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Tag:  # noqa: D102
        tag = Tag.objects.filter(slug=slug).first()
        if tag is None:
            raise Http404("No such topic")
        return tag

    def title(self, obj: Tag) -> str:
        return f"{obj.name} · {self._publication_name()}"

    def link(self, obj: Tag) -> str:
        from django.urls import reverse

        return reverse("discovery:topic", kwargs={"slug": obj.slug})

    def articles(self, obj: Tag):  # noqa: ANN201
        return queries.published_articles(locale=Locale.get_active()).filter(
            topic_items__tag=obj
        )


class ContributorFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Contributor:  # noqa: D102
        return queries.contributor_by_slug(slug=slug, locale=Locale.get_active())

    def title(self, obj: Contributor) -> str:
        return f"{obj.name} · {self._publication_name()}"

    def link(self, obj: Contributor) -> str:
        return obj.get_absolute_url()

    def articles(self, obj: Contributor):  # noqa: ANN201
        return queries.published_articles().filter(
            pk__in=queries.contributor_articles(obj).values("pk")
        )


class SectionAtomFeed(AtomMixin, SectionFeed):
    pass


class TopicAtomFeed(AtomMixin, TopicFeed):
    pass


class ContributorAtomFeed(AtomMixin, ContributorFeed):
    pass
