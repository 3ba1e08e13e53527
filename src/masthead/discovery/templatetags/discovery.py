"""Template tags for what the article page tells search engines and social networks."""

from __future__ import annotations

from django import template

from masthead.discovery import structured_data

register = template.Library()


@register.inclusion_tag("discovery/article_meta.html", takes_context=True)
def article_metadata(context: template.Context) -> dict:
    """JSON-LD, Open Graph and Twitter tags for ``page``, from what its context has loaded."""
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
    tags = structured_data.open_graph(
        page,
        request=request,
        bylines=bylines,
        translations=context.get("translations") or [],
        topics=topics,
    )
    return {"json_ld": structured_data.json_ld_script(data), "meta_tags": tags}
