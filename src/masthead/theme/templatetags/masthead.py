"""Template tags for the page furniture and for bylines."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext as _

from masthead.newsroom.bylines import join_names
from masthead.newsroom.models import Contributor
from masthead.theme import furniture
from masthead.theme.sanitize import clean_html

register = template.Library()


def _link(contributor: Contributor) -> SafeString:
    # A page's contributors share its language, so the active language builds the URL
    # without a query for each contributor's locale.
    url = reverse("discovery:contributor", kwargs={"slug": contributor.slug})
    return format_html('<a href="{}" rel="author">{}</a>', url, contributor.name)


@register.simple_tag
def byline(contributors: list[Contributor]) -> SafeString:
    """"By A and B", where a collective reads "the Board: A, B and C" (members linked)."""
    parts = []
    for contributor in contributors:
        if contributor.is_collective:
            members = [_link(m.member) for m in contributor.members.all()]
            if members:
                parts.append(format_html("{}: {}", _link(contributor), mark_safe(join_names(members))))  # noqa: S308 (parts are escaped by format_html)
                continue
        parts.append(_link(contributor))
    if not parts:
        return mark_safe("")
    return format_html(_("By {names}"), names=mark_safe(join_names(parts)))  # noqa: S308


@register.simple_tag
def byline_text(contributors: list[Contributor]) -> str:
    """The byline as plain text, for feeds and metadata."""
    return ", ".join(c.name for c in contributors)


@register.filter
def sanitize(value: object) -> SafeString:
    """Render rich text through an allow-list, whatever path stored it."""
    return clean_html(str(value))


@register.simple_tag(takes_context=True)
def publication_text(context: template.Context) -> object:
    return furniture.texts_for(get_language())


@register.simple_tag(takes_context=True)
def other_language_url(context: template.Context, language: str) -> str:
    """The same page in ``language``: the page's translation, or the same path otherwise."""
    translations = context.get("translations") or []
    for page in translations:
        if page.locale.language_code == language:
            return page.get_url(context.get("request"))
    request: HttpRequest | None = context.get("request")
    if request is None:
        return f"/{language}/"
    return translate_url(request.get_full_path(), language)


@register.simple_tag
def page_links(page_obj: object, base: str = "") -> SafeString:
    if page_obj is None or page_obj.paginator.num_pages < 2:
        return mark_safe("")
    items = []
    if page_obj.has_previous():
        items.append((f"?page={page_obj.previous_page_number()}", _("Newer"), "prev"))
    if page_obj.has_next():
        items.append((f"?page={page_obj.next_page_number()}", _("Older"), "next"))
    links = format_html_join(" ", '<a href="{}" rel="{}">{}</a>', ((h, r, t) for h, t, r in items))
    label = _("Page %(number)s of %(total)s") % {
        "number": page_obj.number,
        "total": page_obj.paginator.num_pages,
    }
    return format_html('<nav class="pager" aria-label="{}">{} <span>{}</span></nav>', _("Pagination"), links, label)


@register.simple_tag(takes_context=True)
def section_menu(context: template.Context) -> list:
    """Live sections of the current language's home page, for the navigation bar."""
    return furniture.sections_for(get_language())
