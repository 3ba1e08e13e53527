"""The read-only content API (issue 11 §3): Wagtail's API v2 at /api/v2/, docs/api.md.

Three endpoints: ``pages`` (published, public articles and sections), ``contributors`` and
nothing else: no images, documents or drafts. What each model exposes is declared here in
``PAGE_FIELDS`` rather than as ``api_fields`` on the models, so the whole public contract
is one module to review.

The exposure rules, each tested in tests/discovery/test_api.py:

- only live pages with no view restriction (a private or password page is absent, even to
  a signed-in editor: the API authenticates nobody);
- only articles and sections (home pages carry nothing a client needs);
- a members-only article's body comes out as ``null`` whoever asks: its headline,
  standfirst, byline and link are public, as in the feeds;
- the body can be neither filtered, ordered nor searched on (an exact-match filter or a
  search would answer "does the locked text contain X?"), so ``search`` is refused and
  the body is kept out of the filterable fields.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import Throttled
from rest_framework.fields import CharField
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from wagtail.api import APIField
from wagtail.api.v2 import filters, serializers
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import BaseAPIViewSet, PagesAPIViewSet
from wagtail.images.api.fields import ImageRenditionField

from masthead.lib import ratelimit
from masthead.newsroom import queries
from masthead.newsroom.models import ArticlePage, Contributor, SectionPage

# Never filterable, orderable or searchable: see the module docstring.
_PROTECTED = frozenset({"body"})


class ArticleBodyField(serializers.StreamField):
    """The body as Wagtail's StreamField JSON, or ``null`` for a members-only article."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(source="*", **kwargs)

    def to_representation(self, article: ArticlePage) -> object:
        if article.members_only:
            return None
        return super().to_representation(article.body)


class ContributorListField(serializers.Field):
    """Byline or interviewees as ``[{id, name, slug}]``, in the article's order."""

    def __init__(self, *, role: str, **kwargs: object) -> None:
        self.role = role
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, article: ArticlePage) -> list[dict]:
        bylines, subjects = queries.article_people(article)
        people = bylines if self.role == "bylines" else subjects
        return [{"id": c.pk, "name": c.name, "slug": c.slug} for c in people]


class ContributorURLField(serializers.Field):
    """The contributor's page on the site, absolute like the pages' ``html_url``."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, contributor: Contributor) -> str:
        return settings.BASE_URL + contributor.get_absolute_url()


PAGE_FIELDS: dict[type, list[APIField]] = {
    ArticlePage: [
        APIField("standfirst"),
        APIField("kind"),
        APIField("members_only"),
        APIField("updated_at"),
        APIField("authors", serializer=ContributorListField(role="bylines")),
        APIField("interviewees", serializer=ContributorListField(role="subjects")),
        APIField("hero_image", serializer=ImageRenditionField("width-1200")),
        APIField("hero_alt"),
        APIField("hero_credit"),
        APIField("hero_caption"),
        APIField("body", serializer=ArticleBodyField()),
    ],
    SectionPage: [APIField("intro")],
}


class _Public:
    """What every endpoint shares: anonymous, JSON only, rate limited per client address."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        super().initial(request, *args, **kwargs)
        # The shared fixed-window counter (lib/ratelimit.py), so every process agrees.
        if not ratelimit.hit(
            "content-api",
            ratelimit.client_ip(request._request),
            limit=settings.CONTENT_API_RATE_LIMIT,
            window_seconds=60,
        ):
            raise Throttled(wait=60)


class ArticlesAndSectionsViewSet(_Public, PagesAPIViewSet):
    # Wagtail's filters minus SearchFilter (see the module docstring).
    filter_backends = [
        filters.FieldsFilter,
        filters.ChildOfFilter,
        filters.AncestorOfFilter,
        filters.DescendantOfFilter,
        filters.OrderingFilter,
        filters.TranslationOfFilter,
        filters.LocaleFilter,
    ]
    known_query_parameters = PagesAPIViewSet.known_query_parameters - {
        "search",
        "search_operator",
    }
    listing_default_fields = [*PagesAPIViewSet.listing_default_fields, "standfirst"]

    @classmethod
    def get_body_fields(cls, model: type) -> list[APIField]:
        return cls._convert_api_fields(cls.body_fields + PAGE_FIELDS.get(model, []))

    @classmethod
    def get_available_fields(cls, model: type, db_fields_only: bool = False) -> list[str]:
        fields = super().get_available_fields(model, db_fields_only=db_fields_only)
        if db_fields_only:
            return [name for name in fields if name not in _PROTECTED]
        return fields

    def get_base_queryset(self):  # noqa: ANN201 (Wagtail signature)
        # Wagtail's base lets a request that passes a view restriction (a signed-in user,
        # a page password in the session) see restricted pages; this API shows only what
        # anyone may read, and only the two page types it documents.
        return super().get_base_queryset().public().type(ArticlePage, SectionPage)


class ContributorsViewSet(_Public, BaseAPIViewSet):
    model = Contributor
    filter_backends = [filters.FieldsFilter, filters.OrderingFilter, filters.LocaleFilter]
    known_query_parameters = (BaseAPIViewSet.known_query_parameters - {"search"}) | {"locale"}
    body_fields = [
        *BaseAPIViewSet.body_fields,
        "name",
        "slug",
        "kind",
        "role",
        APIField("bio", serializer=serializers.RichTextFieldSerializer()),
    ]
    meta_fields = [
        *BaseAPIViewSet.meta_fields,
        APIField("locale", serializer=CharField(source="locale.language_code")),
        APIField("html_url", serializer=ContributorURLField()),
    ]
    listing_default_fields = [
        *BaseAPIViewSet.listing_default_fields,
        "name",
        "slug",
        "role",
        "locale",
    ]
    name = "contributors"

    def get_queryset(self):  # noqa: ANN201 (Wagtail signature)
        # Only people the site shows with a piece (newsroom.queries): a draft's interviewee
        # or a restricted article's author is not public yet.
        return queries.contributors_with_pieces().select_related("locale").order_by("name", "id")


api_router = WagtailAPIRouter("content_api")
api_router.register_endpoint("pages", ArticlesAndSectionsViewSet)
api_router.register_endpoint("contributors", ContributorsViewSet)
