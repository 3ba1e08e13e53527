"""What search engines and social networks read about an article: JSON-LD and Open Graph.

Built in Python from what the article page has already loaded (its bylines with their
members, its interviewees, its translations), so the metadata costs no query per person.

Neither carries body text (there is no ``articleBody``), so a members-only article's
metadata is the same for members and everyone else; it says the article is not free, and
which part of the members' page is the protected one, as Google documents for paywalled
content (developers.google.com/search/docs/appearance/structured-data/paywalled-content).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from wagtail.images.models import AbstractImage, SourceImageIOError
from wagtail.models import Page

from masthead.discovery import links
from masthead.newsroom import queries, renditions
from masthead.newsroom.models import ArticlePage, Contributor, PublicationSettings

# Open Graph and schema.org: a JPEG 1,200 pixels wide, as the networks expect; made by the
# publish task with the page's own renditions (newsroom/renditions.py).
IMAGE_SPEC = renditions.SOCIAL_SPEC
LOGO_SPEC = renditions.LOGO_DATA_SPEC
# Open Graph wants language_TERRITORY; these are the territories a bare code implies.
_OG_TERRITORY = {"en": "en_US", "es": "es_ES"}
# What django.utils.html.json_script escapes, so "</script>" in a headline cannot close
# the element; U+2028/2029 too, which some JavaScript parsers read as line ends.
_JSON_SCRIPT_ESCAPES = {
    ord(">"): "\\u003E",
    ord("<"): "\\u003C",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def _image(image: AbstractImage | None, spec: str, *, request: HttpRequest | None) -> dict | None:
    if image is None:
        return None
    try:
        rendition = image.get_rendition(spec)
    except SourceImageIOError:
        # The file is gone from storage: the page still renders, without the image.
        return None
    return {
        "url": links.absolute_url(rendition.url, request=request),
        "width": rendition.width,
        "height": rendition.height,
    }


def _date(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _person(contributor: Contributor, *, language: str, request: HttpRequest | None) -> dict:
    data = {
        "@type": "Organization" if contributor.is_collective else "Person",
        "name": contributor.name,
        "url": links.absolute_url(
            links.contributor_path(contributor, language=language), request=request
        ),
    }
    if contributor.role and not contributor.is_collective:
        data["jobTitle"] = contributor.role
    return data


def authors(
    bylines: Sequence[Contributor], *, language: str, request: HttpRequest | None
) -> list[dict]:
    """Every byline name; a collective as an Organization listing its members.

    The members are authors too (the byline names them all), so each is also listed in its
    own right after the collective.
    """
    result = []
    for contributor in bylines:
        entry = _person(contributor, language=language, request=request)
        result.append(entry)
        if contributor.is_collective:
            members = [
                _person(m.member, language=language, request=request)
                for m in contributor.members.all()
            ]
            if members:
                entry["member"] = members
                result.extend(members)
    return result


def publisher(*, request: HttpRequest) -> dict:
    settings = PublicationSettings.for_request(request)
    data = {
        "@type": "Organization",
        "name": queries.publication_name(request),
        "url": links.site_root_url(request) + "/",
    }
    logo = _image(settings.logo, LOGO_SPEC, request=request)
    if logo:
        data["logo"] = {"@type": "ImageObject", **logo}
    return data


def article_json_ld(
    article: ArticlePage,
    *,
    request: HttpRequest,
    bylines: Sequence[Contributor],
    subjects: Sequence[Contributor] = (),
    topics: Sequence[str] = (),
) -> dict:
    """A schema.org NewsArticle (interviews too: one type keeps consumers simple)."""
    language = article.locale.language_code
    # This page's own address, even when the canonical link credits a syndication source:
    # the data describes this copy, and isBasedOn names the original.
    url = article.get_full_url(request)
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.standfirst,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url} if url else None,
        "inLanguage": language,
        "datePublished": _date(article.first_published_at),
        "dateModified": _date(
            article.updated_at or article.last_published_at or article.first_published_at
        ),
        "author": authors(bylines, language=language, request=request) or None,
        "publisher": publisher(request=request),
    }
    image = _image(article.hero_image, IMAGE_SPEC, request=request)
    if image:
        data["image"] = {"@type": "ImageObject", **image}
    if subjects:
        data["about"] = [_person(s, language=language, request=request) for s in subjects]
    if topics:
        data["keywords"] = list(topics)
    if article.syndication_url:
        data["isBasedOn"] = article.syndication_url
    if article.members_only:
        data["isAccessibleForFree"] = False
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            # The wrapper only members receive (newsroom/templates/newsroom/article_page.html).
            "cssSelector": f".{ArticlePage.members_body_class}",
        }
    return {key: value for key, value in data.items() if value is not None}


def json_ld_script(data: dict) -> SafeString:
    """``<script type="application/ld+json">`` with the escaping of Django's json_script."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),  # noqa: S308 (escaped just above)
    )


def og_locale(language: str) -> str:
    return _OG_TERRITORY.get(language, f"{language}_{language.upper()}")


def open_graph(
    article: ArticlePage,
    *,
    request: HttpRequest,
    bylines: Sequence[Contributor],
    translations: Sequence[Page] = (),
    topics: Sequence[str] = (),
) -> list[tuple[str, str]]:
    """Open Graph and Twitter card tags as (property, content) pairs, in document order."""
    language = article.locale.language_code
    description = article.search_description or article.standfirst
    tags = [
        ("og:type", "article"),
        ("og:site_name", PublicationSettings.for_request(request).name),
        ("og:title", article.seo_title or article.title),
        ("og:description", description),
        ("og:url", article.get_full_url(request)),
        ("og:locale", og_locale(language)),
    ]
    tags += [
        ("og:locale:alternate", og_locale(page.locale.language_code))
        for page in translations
        if page.locale.language_code != language
    ]
    image = _image(article.hero_image, IMAGE_SPEC, request=request)
    if image:
        tags += [
            ("og:image", image["url"]),
            ("og:image:width", str(image["width"])),
            ("og:image:height", str(image["height"])),
            ("og:image:alt", article.hero_alt),
        ]
    tags += [
        ("article:published_time", _date(article.first_published_at)),
        ("article:modified_time", _date(article.updated_at or article.last_published_at)),
    ]
    tags += [
        ("article:author", person["url"])
        for person in authors(bylines, language=language, request=request)
    ]
    tags += [("article:tag", topic) for topic in topics]
    tags += [
        ("twitter:card", "summary_large_image" if image else "summary"),
        ("twitter:title", article.seo_title or article.title),
        ("twitter:description", description),
    ]
    if image:
        tags += [("twitter:image", image["url"]), ("twitter:image:alt", article.hero_alt)]
    return [(name, value) for name, value in tags if value]
