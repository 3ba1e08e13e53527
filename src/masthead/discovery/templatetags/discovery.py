"""Template tags for what the article page tells search engines and social networks, and the
search page's filters."""

from __future__ import annotations

import hashlib

from django import template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from masthead.discovery import structured_data
from masthead.discovery.forms import SearchForm
from masthead.lib import pagecache

register = template.Library()

# Kept until the article or a name, picture or topic on it changes; this bounds the size.
METADATA_SECONDS = 3600


@register.simple_tag(takes_context=True)
def article_metadata(context: template.Context) -> SafeString:
    """JSON-LD, Open Graph and Twitter tags for ``page``, from what its context has loaded.

    Kept as HTML under the article's page tag and SHARED, per language and per host (the
    tags carry absolute URLs): building them was a fifth of an uncached article's render.
    A preview's are drawn every time from the page in memory.
    """
    page = context["page"]
    request = context["request"]
    if getattr(request, "is_preview", False):
        return _metadata(context)
    key = (
        f"article-metadata:{page.pk}:{translation.get_language()}:"
        f"{request.scheme}://{request.get_host()}"
    )
    tags = (pagecache.page_tag(page.pk), pagecache.SHARED)
    html = pagecache.remembered(key, lambda: _metadata(context), METADATA_SECONDS, tags=tags)
    return mark_safe(html)  # noqa: S308 (our template's output, escaped there)


def _metadata(context: template.Context) -> str:
    page = context["page"]
    request = context["request"]
    bylines = context.get("bylines") or []
    tags = context.get("topics")  # the article page's context has read them already
    topics = [tag.name for tag in (page.topics.all() if tags is None else tags)]
    data = structured_data.article_json_ld(
        page,
        request=request,
        bylines=bylines,
        subjects=context.get("subjects") or [],
        topics=topics,
    )
    meta_tags = structured_data.open_graph(
        page,
        request=request,
        bylines=bylines,
        translations=context.get("translations") or [],
        topics=topics,
    )
    return render_to_string(
        "discovery/article_meta.html",
        {"json_ld": structured_data.json_ld_script(data), "meta_tags": meta_tags},
    )


# Kept until anything changes (sections are in the choices); this bounds the size.
FILTERS_SECONDS = 3600


@register.simple_tag
def search_filters(form: SearchForm) -> SafeString:
    """The search page's filters, kept per language and chosen values when they are valid.

    Django draws each select from templates, option by option: a third of a search page's
    render, the same for nearly every search. A form with errors is drawn every time.
    """

    def render() -> str:
        return render_to_string("discovery/includes/search_filters.html", {"form": form})

    if form.errors:
        return mark_safe(render())  # noqa: S308 (our template's output)
    chosen = repr(tuple(form[name].value() for name in form.fields))
    digest = hashlib.sha256(chosen.encode()).hexdigest()[:32]
    key = f"search-filters:{translation.get_language()}:{digest}"
    # Sections are listed, and any page but an article changes them: that moves ALL.
    html = pagecache.remembered(key, render, FILTERS_SECONDS, tags=())
    return mark_safe(html)  # noqa: S308 (our template's output, escaped there)
