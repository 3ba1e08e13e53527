"""Template tags for the page furniture, bylines, language switching and pagination."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.models import Page

from masthead.discovery import links, sharing
from masthead.lib import holes, pagecache
from masthead.lib.sanitize import clean_html
from masthead.newsroom import queries, renditions
from masthead.newsroom.bylines import join_names
from masthead.newsroom.credits import credit_name as _credit_name
from masthead.newsroom.models import Contributor, PublicationText
from masthead.theme import cards, furniture

register = template.Library()


def _link(contributor: Contributor) -> SafeString:
    # A page's contributors share its language, so the active language builds the URL
    # without a query for each contributor's locale.
    url = reverse("discovery:contributor", kwargs={"slug": contributor.slug})
    return format_html('<a href="{}" rel="author">{}</a>', url, contributor.name)


def _conjunction_before(name: str) -> str:
    """The word ``join_names`` puts before ``name`` ("and", "y", or "e" before "Irene")."""
    # join_names owns the language rules but reads the last name's first letters, which
    # for a linked name would be "<a"; so it is asked about the plain name.
    joined = join_names(["-", name])
    return joined[2 : len(joined) - len(name) - 1]


def join_html(parts: Sequence[SafeString], names: Sequence[str]) -> SafeString:
    """Join escaped HTML ``parts`` like ``join_names`` joins their plain ``names``."""
    if not parts:
        return mark_safe("")
    if len(parts) == 1:
        return conditional_escape(parts[0])
    head = mark_safe(", ".join(conditional_escape(part) for part in parts[:-1]))  # noqa: S308 (each part is escaped)
    return format_html("{} {} {}", head, _conjunction_before(names[-1]), parts[-1])


@register.simple_tag
def responsive_image(image: object, role: str, **attrs: object) -> SafeString:
    """``{% responsive_image page.hero_image "hero" alt=page.hero_alt %}``: a ``<picture>``
    with the renditions, ``sizes`` and loading that ``role`` names (newsroom/renditions.py);
    nothing when there is no image."""
    if not image:
        return mark_safe("")
    return renditions.picture(image, role, **attrs)


@register.simple_tag(takes_context=True)
def card(
    context: template.Context,
    article: object,
    *,
    lead: bool = False,
    show_image: bool = False,
    show_standfirst: bool = False,
    heading: str = "h3",
) -> SafeString:
    """``{% card article show_standfirst=True heading="h2" %}``: the article's card, kept
    (theme/cards.py)."""
    return cards.card_html(
        article,
        context.get("request"),
        lead=bool(lead),
        show_image=bool(show_image),
        show_standfirst=bool(show_standfirst),
        heading=heading,
    )


@register.simple_tag(takes_context=True)
def search_result(context: template.Context, result: object) -> SafeString:
    """``{% search_result result %}``: one search result, its frame kept (theme/cards.py)."""
    return cards.result_html(
        result.article_id,
        context.get("request"),
        facts=result.facts,
        headline=result.headline,
        snippet=result.snippet,
    )


@register.simple_tag
def byline(contributors: Iterable[Contributor]) -> SafeString:
    """The linked byline: "By A and B"; a collective reads "By the Board: A, B and C"."""
    parts, names = [], []
    for contributor in contributors:
        members = (
            [m.member for m in contributor.members.all()] if contributor.is_collective else []
        )
        if members:
            linked = join_html([_link(m) for m in members], [m.name for m in members])
            parts.append(format_html("{}: {}", _link(contributor), linked))
        else:
            parts.append(_link(contributor))
        names.append(contributor.name)
    if not parts:
        return mark_safe("")
    return format_html(_("By {names}"), names=join_html(parts, names))


@register.simple_tag
def byline_text(contributors: Iterable[Contributor]) -> str:
    """The byline as plain text, for feeds and metadata."""
    return join_names([c.name for c in contributors])


@register.filter
def byline_names(bylines: Iterable[object]) -> str:
    """Names on a card: ``article.bylines.all`` joined in the active language."""
    return join_names([b.contributor.name for b in bylines])


@register.filter
def credit_name(credit: str) -> str:
    """An image credit without the "Photo:" the editor typed: the template prints its own."""
    return _credit_name(credit or "")


@register.filter
def sanitize(value: object) -> SafeString:
    """Render rich text through an allow-list, whatever path stored it."""
    return clean_html(str(value))


@register.simple_tag(takes_context=True)
def publication_text(context: template.Context) -> PublicationText:
    """The furniture texts of the active language, read once per request.

    base.html and both furniture includes ask for them on every page.
    """
    request = context.get("request")
    cache = getattr(request, "_theme_texts", None)
    if cache is None:
        cache = {}
        if request is not None:
            request._theme_texts = cache
    language = get_language()
    if language not in cache:
        cache[language] = furniture.texts_for(language)
    return cache[language]


@register.simple_tag(takes_context=True)
def publication_name(context: template.Context) -> str:
    """The publication's name in the active language (its texts' name, else the settings')."""
    name = publication_text(context).name
    if name:
        return name
    request = context.get("request")
    return queries.publication_name(request) if request is not None else settings.WAGTAIL_SITE_NAME


@register.inclusion_tag("theme/admin/page_language.html")
def page_language(page: Page | None, parent: Page | None = None) -> dict:
    """The editor header's note of a page's language, and of its source for a translation.

    A page being created has no locale yet: it will be in its parent's.
    """
    locale_of = page if getattr(page, "locale_id", None) is not None else parent
    if locale_of is None or getattr(locale_of, "locale_id", None) is None:
        return {"language": None, "source": None}
    source = queries.translation_source(page) if locale_of is page else None
    return {
        "language": locale_of.locale.get_display_name(),
        "source": source.locale.get_display_name() if source else None,
        "source_url": reverse("wagtailadmin_pages:edit", args=[source.pk]) if source else None,
    }


@register.simple_tag(takes_context=True)
def page_translations(context: template.Context) -> list[Page]:
    """Live translations of the current page, itself included; [] outside Wagtail pages."""
    if context.get("translations") is not None:
        return list(context["translations"])
    page = context.get("page")
    if not isinstance(page, Page) or not page.pk:
        return []
    # Asked for the <head> alternates and once per language in the switcher: query once.
    if not hasattr(page, "_theme_translations"):
        page._theme_translations = queries.page_translations(page)
    return page._theme_translations


@register.simple_tag
def default_translation(translations: list[Page]) -> Page | None:
    """The one in the site's default language: the ``x-default`` alternate (for readers in
    any other language); None when the page has none in that language."""
    return next(
        (page for page in translations if page.locale.language_code == settings.LANGUAGE_CODE),
        None,
    )


@register.simple_tag(takes_context=True)
def other_translations(context: template.Context) -> list[Page]:
    """Live translations of the current page, itself left out ("Also available in...")."""
    page = context.get("page")
    return [other for other in page_translations(context) if other.pk != getattr(page, "pk", None)]


@register.simple_tag(takes_context=True)
def other_language_url(context: template.Context, language: str) -> str:
    """The same page in ``language``: its translation, that language's home page when a
    Wagtail page has none (or a view's ``languages_shown`` leaves it out: a topic with no
    article in it), or the same path for other views (search, the newsletters page)."""
    request: HttpRequest | None = context.get("request")
    for page in page_translations(context):
        if page.locale.language_code == language:
            return page.get_url(request)
    shown = context.get("languages_shown")
    if (
        request is None
        or isinstance(context.get("page"), Page)
        or (shown and language not in shown)
    ):
        with translation.override(language):
            try:
                return reverse("wagtail_serve", args=[""])
            except NoReverseMatch:
                return f"/{language}/"
    # Keep a short query string (a search), but never echo a huge one into every link.
    full_path = request.get_full_path()
    return translate_url(full_path if len(full_path) <= 256 else request.path, language)


@register.simple_tag(takes_context=True)
def view_translations(context: template.Context) -> list[tuple[str, str]]:
    """``(language, absolute URL)`` of the current view in every language, query dropped.

    The canonical and hreflang links of a page that is one Django view in every language
    (the newsletters page); Wagtail pages use their translations instead. Absolute against
    the site's root URL, like ``Page.full_url`` and the sitemap. Last comes ``x-default``,
    the default language's URL, for readers of any other language.
    """
    request: HttpRequest = context["request"]
    urls = [
        (code, links.absolute_url(translate_url(request.path, code), request=request))
        for code, _name in settings.LANGUAGES
    ]
    default = dict(urls).get(settings.LANGUAGE_CODE)
    return [*urls, ("x-default", default)] if default else urls


@register.simple_tag
def page_links(page_obj: object, base: str = "") -> SafeString:
    """Newer/older links and "Page n of m" for a paginated listing."""
    if page_obj is None or page_obj.paginator.num_pages < 2:
        return mark_safe("")
    newer = older = mark_safe("")
    if page_obj.has_previous():
        newer = format_html(
            '<a class="pager__link pager__link--prev" href="{}?page={}" rel="prev">{}</a>',
            base,
            page_obj.previous_page_number(),
            _("Newer"),
        )
    if page_obj.has_next():
        older = format_html(
            '<a class="pager__link pager__link--next" href="{}?page={}" rel="next">{}</a>',
            base,
            page_obj.next_page_number(),
            _("Older"),
        )
    label = _("Page %(number)s of %(total)s") % {
        "number": page_obj.number,
        "total": page_obj.paginator.num_pages,
    }
    return format_html(
        '<nav class="pager" aria-label="{}">{} <span class="pager__status">{}</span> {}</nav>',
        _("Pagination"),
        newer,
        label,
        older,
    )


@register.simple_tag(takes_context=True)
def section_menu(context: template.Context) -> list:
    """Live sections of the current language's home page, for the navigation bar."""
    return furniture.sections_for(get_language())


@register.simple_tag
def kept_version(page_id: int | None = None, *, shared: bool = False) -> str:
    """A ``{% cache %}`` key part that moves when what the fragment shows changes: the
    page's own tag (given its id), SHARED (names, pictures, topic names) when asked, and
    ALL (settings, texts, sections) always; another article's publish leaves it as it is."""
    tags = [] if page_id is None else [pagecache.page_tag(page_id)]
    if shared:
        tags.append(pagecache.SHARED)
    return pagecache.version(tags)


@register.simple_tag
def hole(name: str, argument: object = None) -> SafeString:
    """Where a page-cache hole goes (lib/holes.py): filled on the way out, on every request,
    so a cached page shows fresh furniture (the campaign bar, latest news, related posts)
    without a re-render. ``argument``: the page's id, for holes that depend on the page."""
    # A fixed comment; the name and argument are checked.
    return mark_safe(holes.marker(name, argument))  # noqa: S308


@register.simple_tag
def payments_test_mode() -> bool:
    """Whether payments go to the local test provider (the same for every reader)."""
    return bool(settings.PAYMENTS_TEST_MODE)


@register.simple_tag(takes_context=True)
def support_url(context: template.Context, part: str = "") -> str:
    """The funding pages the furniture links to, in the active language.

    ``part`` "" is giving once, with ``next`` = this page's path, so the reader comes back
    to the article; the path is the same for everyone who shares the cached page, so it is
    safe to render into it. "membership" is the plans page. Paths, not ``reverse()``: the
    routes are stable for outside callers (issue 9, §5).
    """
    base = f"/{get_language() or settings.LANGUAGE_CODE}/support/"
    if part == "membership":
        return f"{base}membership/"
    request: HttpRequest | None = context.get("request")
    if request is None:
        return base
    return f"{base}?{urlencode({'next': request.path})}"


@register.simple_tag
def campaign_url() -> str:
    """The current campaign's page in the active language."""
    return reverse("funding:campaign")


@register.simple_tag
def share_links(page: Page) -> list[sharing.ShareLink]:
    """The article's share links (discovery/sharing.py): the same for every reader."""
    return sharing.share_links(url=page.full_url, title=page.title)
