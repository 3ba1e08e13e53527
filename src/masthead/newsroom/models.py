"""What is published: pages (home, section, article), contributors and publication settings."""

from __future__ import annotations

import math
import re
from functools import partial

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    TitleFieldPanel,
)
from wagtail.admin.widgets import AdminAutoHeightTextInput
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageViewRestriction, Site, TranslatableMixin
from wagtail.search import index

from masthead.lib import pagecache
from masthead.newsroom import access, sites
from masthead.newsroom.blocks import INLINE_FEATURES, PARAGRAPH_FEATURES, ArticleBodyBlock
from masthead.newsroom.publishing import ArticlePageForm

WORDS_PER_MINUTE = 230
# The count is keyed by the live revision, so a day's lifetime only bounds the cache's size.
READING_MINUTES_SECONDS = 24 * 3600
# Publication settings in the cache: keyed by the page cache's ALL tag (a saved setting
# empties everything), so the lifetime only bounds the cache's size.
SETTINGS_SECONDS = 3600
_WORD = re.compile(r"\w+")


class Contributor(TranslatableMixin, index.Indexed, ClusterableModel):
    """A person or a collective (an editorial board) who writes, or is interviewed.

    Translatable, so each language carries its own role and bio; translations share
    a ``translation_key`` and usually the slug.
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COLLECTIVE = "collective", _("Collective")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    role = models.CharField(
        _("role"), max_length=200, blank=True, help_text=_("E.g. Editor, Philosophy teacher.")
    )
    bio = RichTextField(_("bio"), features=PARAGRAPH_FEATURES, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("role"),
        FieldPanel("bio"),
        FieldPanel("photo"),
        InlinePanel("members", label=_("Members (for a collective)")),
        InlinePanel("links", label=_("Links")),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("locale"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["locale", "slug"], name="contributor_slug_per_locale")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_collective(self) -> bool:
        return self.kind == self.Kind.COLLECTIVE

    def get_absolute_url(self) -> str:
        from django.urls import reverse
        from django.utils import translation

        with translation.override(self.locale.language_code):
            return reverse("discovery:contributor", kwargs={"slug": self.slug})


class CollectiveMember(Orderable):
    collective = ParentalKey(Contributor, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey(
        Contributor,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )

    panels = [FieldPanel("member")]

    def clean(self) -> None:
        if self.member_id and self.member_id == self.collective_id:
            raise ValidationError({"member": _("A collective cannot be its own member.")})


class ContributorLink(Orderable):
    contributor = ParentalKey(Contributor, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(_("label"), max_length=100)
    url = models.URLField(_("URL"))

    panels = [FieldRowPanel([FieldPanel("label"), FieldPanel("url")])]


class RoutedPage(Page):
    """A page that ``routing.route`` may find: its view restrictions in one query.

    Wagtail's ``get_view_restrictions`` first loads the ancestors to resolve aliases, then
    their restrictions. A page the shortcut routed has no alias on its path (it checked),
    so the restrictions are those of the pages whose path is a prefix of its own: the same
    rows in one query, for every uncached article.
    """

    class Meta:
        abstract = True

    def get_view_restrictions(self):  # noqa: ANN201 (Wagtail signature)
        if not getattr(self, "_routed_without_aliases", False):
            return super().get_view_restrictions()
        paths = [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]
        return PageViewRestriction.objects.filter(page__path__in=paths)

    def serve_preview(self, request: HttpRequest, mode_name: str) -> HttpResponse:
        """The page as a reader sees it, framable by the admin's own preview panel only.

        Wagtail renders a preview through the whole middleware chain with the page's own
        path, so the CSP middleware gives it the reader pages' ``frame-ancestors 'none'``
        (the /admin/ exclusion does not apply) and the panel stays blank. Only a preview
        response is relaxed, to the same origin; reader pages keep refusing every frame.
        """
        response = super().serve_preview(request, mode_name)
        response._csp_replace = {"frame-ancestors": ["'self'"]}  # read by django-csp
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response


class HomePage(RoutedPage):
    """The front page of one language: a root under Wagtail's root page."""

    intro = models.TextField(_("intro"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["newsroom.SectionPage"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):  # noqa: ANN001, ANN201 (Wagtail signature)
        from masthead.newsroom import queries

        context = super().get_context(request, *args, **kwargs)
        context["lead_articles"], context["sections"] = queries.home_listings(home=self)
        return context


class SectionPage(RoutedPage):
    """A section such as Interviews or Latin America; lists its articles, newest first."""

    intro = models.TextField(_("intro"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["newsroom.HomePage"]
    subpage_types = ["newsroom.ArticlePage"]

    class Meta:
        verbose_name = _("section")

    def get_context(self, request, *args, **kwargs):  # noqa: ANN001, ANN201 (Wagtail signature)
        from masthead.newsroom import queries

        context = super().get_context(request, *args, **kwargs)
        context["page_obj"] = queries.paginate_cards(
            partial(queries.section_articles, self),
            page=request.GET.get("page"),
            count_key=f"section:{self.pk}",
            tags=[pagecache.list_tag(self.path)],
            count=partial(queries.section_count, self),
        )
        return context


class ArticleTopic(TaggedItemBase):
    content_object = ParentalKey(
        "newsroom.ArticlePage", on_delete=models.CASCADE, related_name="topic_items"
    )


class ArticlePage(RoutedPage):
    """An article, essay, report or long interview."""

    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("Interview")
        ESSAY = "essay", _("Essay")
        REPORT = "report", _("Report")
        ANALYSIS = "analysis", _("Analysis")
        NEWS = "news", _("News")
        OPINION = "opinion", _("Opinion")

    standfirst = models.TextField(
        _("standfirst"), max_length=1500, help_text=_("The paragraph under the headline.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NEWS)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_alt = models.CharField(
        _("hero image alternative text"),
        max_length=250,
        blank=True,
        help_text=_("Required with a hero image: describe it for readers who cannot see it."),
    )
    hero_credit = models.CharField(_("hero image credit"), max_length=200, blank=True)
    hero_caption = models.CharField(_("hero image caption"), max_length=500, blank=True)
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"), blank=True)
    topics = ClusterTaggableManager(through=ArticleTopic, blank=True, verbose_name=_("topics"))
    updated_at = models.DateTimeField(
        _("last updated"),
        null=True,
        blank=True,
        help_text=_("Set when the article has been substantively updated; shown to readers."),
    )
    syndication_name = models.CharField(
        _("first published by"),
        max_length=200,
        blank=True,
        help_text=_("The partner publication that first published this piece."),
    )
    syndication_url = models.URLField(
        _("original URL"),
        blank=True,
        help_text=_("Emitted as the canonical link, so search engines credit the original."),
    )
    subject_note = RichTextField(
        _("note on the interviewee"),
        features=INLINE_FEATURES,
        blank=True,
        help_text=_("Optional extra line under the interviewee's bio."),
    )
    members_only = models.BooleanField(
        _("members only"),
        default=False,
        help_text=_(
            "Only members read the body. Everyone else, and every feed, search result, "
            "newsletter and card, gets the headline, standfirst, byline and hero image, "
            "with an invitation to become a member."
        ),
    )

    # Read by masthead.channels on the first publish; an edit or re-publish never posts.
    post_to_channels = models.BooleanField(
        _("post to channels"),
        default=True,
        help_text=_(
            "Post this article to the publication's Telegram channels when it is first "
            "published. Turn off to publish it quietly; you can still post it by hand."
        ),
    )

    content_panels = [
        # An article's title is its headline, and a long one stays whole in view: it wraps
        # (issue 13 §4), which only a textarea can do.
        TitleFieldPanel(
            "title",
            heading=_("Headline"),
            placeholder=_("Headline*"),
            help_text=_("The headline as readers will see it."),
            widget=AdminAutoHeightTextInput(),
        ),
        FieldPanel("standfirst"),
        FieldPanel("kind"),
        InlinePanel("bylines", label=_("Byline"), min_num=0),
        InlinePanel("subjects", label=_("Interviewees")),
        MultiFieldPanel(
            [
                FieldPanel("hero_image"),
                FieldPanel("hero_alt"),
                FieldPanel("hero_credit"),
                FieldPanel("hero_caption"),
            ],
            heading=_("Hero image"),
        ),
        FieldPanel("body"),
        # Beside the body: what the piece is about is decided while writing it.
        FieldPanel("topics"),
        FieldPanel("subject_note"),
    ]
    promote_panels = [
        *Page.promote_panels,
        FieldPanel("updated_at"),
        MultiFieldPanel(
            [FieldPanel("syndication_name"), FieldPanel("syndication_url")],
            heading=_("Syndication"),
        ),
    ]
    settings_panels = [
        *Page.settings_panels,
        FieldPanel("members_only"),
        FieldPanel("post_to_channels"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("standfirst"),
        index.SearchField("body"),
        index.RelatedFields(
            "bylines", [index.RelatedFields("contributor", [index.SearchField("name")])]
        ),
        index.RelatedFields(
            "subjects", [index.RelatedFields("contributor", [index.SearchField("name")])]
        ),
        index.FilterField("kind"),
        index.FilterField("first_published_at"),
    ]
    parent_page_types = ["newsroom.SectionPage"]
    subpage_types: list[str] = []
    # Publishing now or at a time, and what apps above add to a publish (publishing.py).
    base_form_class = ArticlePageForm
    # The class of the wrapper around a members-only body, which only members receive; the
    # JSON-LD names it as the part that is not free (discovery/structured_data.py).
    members_body_class = "article__body--members"

    class Meta:
        verbose_name = _("article")

    def clean(self) -> None:
        super().clean()
        if self.hero_image_id and not self.hero_alt.strip():
            raise ValidationError({"hero_alt": _("A hero image needs alternative text.")})
        if self.syndication_url and not self.syndication_name.strip():
            raise ValidationError(
                {"syndication_name": _("Name the publication the original URL belongs to.")}
            )

    @property
    def body_text(self) -> str:
        """The body as plain text, for counting words.

        Protected text when the article is members-only: never show it to readers without
        asking ``reader_may_read`` first (snippets and summaries use the standfirst).
        """
        parts = [self.standfirst]
        for block in self.body:
            if block.block_type == "exchange":
                for pair in block.value["pairs"]:
                    parts.extend((str(pair["question"]), str(pair["answer"])))
            elif block.block_type == "paragraph":
                parts.append(str(block.value))
            elif block.block_type == "pull_quote":
                parts.append(block.value["quote"])
            elif block.block_type == "heading":
                parts.append(block.value["text"])
        return strip_tags(" ".join(parts))

    @property
    def reading_minutes(self) -> int:
        # Counting words means walking the whole body: remember it per published revision.
        key = f"reading-minutes:{self.pk}:{self.live_revision_id}"
        return cache.get_or_set(key, self._count_reading_minutes, READING_MINUTES_SECONDS)

    def _count_reading_minutes(self) -> int:
        return max(1, math.ceil(len(_WORD.findall(self.body_text)) / WORDS_PER_MINUTE))

    @property
    def members_only_heading(self) -> str:
        """The invitation's headline: "This interview is for members", by kind."""
        return str(_MEMBERS_ONLY_HEADINGS.get(self.kind, _MEMBERS_ONLY_HEADINGS[None]))

    def reader_may_read(self, request: HttpRequest | None) -> bool:
        """Whether the body may go out in the response to ``request``.

        A free article: always, without asking anything (its page stays cacheable). A
        members-only one: to members, and to editors previewing it in the admin (Wagtail
        marks those requests; readers cannot).
        """
        if not self.members_only:
            return True
        if getattr(request, "is_preview", False):
            return True
        return access.has_member_access(request)

    def serve(self, request, *args, **kwargs):  # noqa: ANN001, ANN201 (Wagtail signature)
        response: HttpResponse = super().serve(request, *args, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if self.members_only and context.get("full_access", True):
            # A member's copy carries the protected text: no page cache, proxy or CDN may
            # keep it, whatever cookie rules they have (lib/pagecache.py honours this too).
            # A response whose context is unknown is treated as a member's.
            patch_cache_control(response, private=True, no_store=True)
        return response

    def get_context(self, request, *args, **kwargs):  # noqa: ANN001, ANN201 (Wagtail signature)
        from masthead.newsroom import queries

        context = super().get_context(request, *args, **kwargs)
        # Asked of members-only articles only: the check may open the reader's session.
        context["full_access"] = self.reader_may_read(request)
        if not context["full_access"]:
            context["membership_url"] = access.membership_url(
                language=self.locale.language_code, next_path=request.path
            )
        details = queries.article_details(self, preview=getattr(request, "is_preview", False))
        context["bylines"] = details.bylines
        context["subjects"] = details.subjects
        context["topics"] = details.topics  # for the JSON-LD and the topic links
        # Callables: the template calls them only when its cached fragment is missing.
        context["related"] = partial(queries.related_articles, self, limit=queries.RELATED_COUNT)
        context["latest"] = partial(
            queries.latest_articles, locale=self.locale, limit=queries.LATEST_COUNT, exclude=self
        )
        context["translations"] = details.translations or queries.page_translations(self)
        return context


# Whole sentences per kind, so each language can agree them ("Esta entrevista", "Este ensayo").
_MEMBERS_ONLY_HEADINGS = {
    ArticlePage.Kind.INTERVIEW: _("This interview is for members"),
    ArticlePage.Kind.ESSAY: _("This essay is for members"),
    ArticlePage.Kind.REPORT: _("This report is for members"),
    ArticlePage.Kind.ANALYSIS: _("This analysis is for members"),
    ArticlePage.Kind.NEWS: _("This story is for members"),
    ArticlePage.Kind.OPINION: _("This opinion piece is for members"),
    None: _("This article is for members"),
}


class ArticleByline(Orderable):
    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="bylines")
    contributor = models.ForeignKey(
        Contributor, verbose_name=_("contributor"), on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldPanel("contributor")]


class ArticleSubject(Orderable):
    """An interviewee: named apart from the byline, with their bio boxed under the article."""

    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="subjects")
    contributor = models.ForeignKey(
        Contributor, verbose_name=_("interviewee"), on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldPanel("contributor")]


@register_setting(icon="site")
class PublicationSettings(BaseSiteSetting):
    """Name, logo and the links of the page furniture.

    The texts readers see live in ``PublicationText``, one per language, because Wagtail's
    site settings are not translatable.
    """

    name = models.CharField(_("publication name"), max_length=120, default="Masthead")
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    patron_url = models.URLField(_("patron link"), blank=True)
    donate_url = models.URLField(_("donation link"), blank=True)
    telegram_url = models.URLField(_("Telegram channel"), blank=True)
    whatsapp_url = models.URLField(_("WhatsApp channel"), blank=True)
    subscription_url = models.URLField(_("annual subscription link"), blank=True)
    campaign_url = models.URLField(_("fund-raising campaign link"), blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("logo"),
        MultiFieldPanel(
            [
                FieldPanel("patron_url"),
                FieldPanel("donate_url"),
                FieldPanel("subscription_url"),
                FieldPanel("campaign_url"),
            ],
            heading=_("Support"),
        ),
        MultiFieldPanel(
            [FieldPanel("telegram_url"), FieldPanel("whatsapp_url")],
            heading=_("Channels"),
        ),
    ]

    class Meta:
        verbose_name = _("publication settings")

    @classmethod
    def for_request(cls, request: HttpRequest) -> PublicationSettings:
        """Wagtail's, but read from the cache: every page shows them (name, logo, links),
        and they change only when an editor saves them, which empties the page cache (its
        ALL tag), or edits the logo (SHARED); an article's publish leaves them kept."""
        name = cls.get_cache_attr_name()
        if hasattr(request, name):
            return getattr(request, name)
        site = sites.for_request(request)
        if site is None:
            return super().for_request(request)  # Wagtail's error for a request without one
        key = f"publication-settings:{site.pk}"
        # Saved settings empty everything (ALL); an edited logo image moves SHARED.
        compute = partial(cls._with_logo, site)
        instance = pagecache.remembered(key, compute, SETTINGS_SECONDS, tags=[pagecache.SHARED])
        instance._request = request  # as Wagtail's, for its page URL helpers
        setattr(request, name, instance)
        return instance

    @classmethod
    def _with_logo(cls, site: Site) -> PublicationSettings:
        instance = cls.for_site(site)
        if instance.logo_id:
            instance.logo  # noqa: B018 (loaded now, so that it is cached with the rest)
        return instance


class PublicationText(TranslatableMixin, models.Model):
    """The publication's furniture texts in one language (name, tagline, appeals, blurbs)."""

    name = models.CharField(
        _("publication name in this language"),
        max_length=120,
        blank=True,
        help_text=_("Leave empty to use the name in the publication settings."),
    )
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    support_heading = models.CharField(_("support heading"), max_length=120, blank=True)
    support_appeal = models.TextField(_("support appeal"), blank=True)
    patron_label = models.CharField(_("patron link label"), max_length=120, blank=True)
    newsletter_heading = models.CharField(_("newsletter heading"), max_length=120, blank=True)
    newsletter_blurb = models.TextField(_("newsletter blurb"), blank=True)
    channels_heading = models.CharField(_("channels heading"), max_length=120, blank=True)
    channels_blurb = models.TextField(_("channels blurb"), blank=True)
    subscription_heading = models.CharField(_("subscription heading"), max_length=120, blank=True)
    subscription_text = models.TextField(_("annual subscription text"), blank=True)
    campaign_heading = models.CharField(_("campaign heading"), max_length=120, blank=True)
    campaign_text = models.TextField(_("fund-raising campaign text"), blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("tagline"),
        MultiFieldPanel(
            [
                FieldPanel("support_heading"),
                FieldPanel("support_appeal"),
                FieldPanel("patron_label"),
            ],
            heading=_("Support appeal"),
        ),
        MultiFieldPanel(
            [FieldPanel("newsletter_heading"), FieldPanel("newsletter_blurb")],
            heading=_("Newsletter"),
        ),
        MultiFieldPanel(
            [FieldPanel("channels_heading"), FieldPanel("channels_blurb")], heading=_("Channels")
        ),
        MultiFieldPanel(
            [FieldPanel("subscription_heading"), FieldPanel("subscription_text")],
            heading=_("Annual subscription"),
        ),
        MultiFieldPanel(
            [FieldPanel("campaign_heading"), FieldPanel("campaign_text")],
            heading=_("Fund-raising campaign"),
        ),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("publication texts")
        verbose_name_plural = _("publication texts")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} ({self.locale})"
