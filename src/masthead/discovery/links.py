"""Absolute URLs for what leaves the site: feeds, sitemaps, JSON-LD and Open Graph.

Everything is made absolute against the Wagtail site's root URL, the same base
``Page.get_full_url`` uses, so a feed entry, a sitemap ``<loc>`` and the page's canonical
link always name the same address.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from wagtail.models import Site

from masthead.newsroom.models import Contributor

# src and href values that are site-relative ("/media/..."), not protocol-relative ("//cdn").
_RELATIVE_ATTRIBUTE = re.compile(r'(\s(?:src|href)=")(/(?!/)[^"]*)"')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')


def site_root_url(request: HttpRequest | None) -> str:
    """``https://host`` of the site serving ``request`` (the default site otherwise)."""
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    return site.root_url if site is not None else settings.BASE_URL


def absolute_url(url: str, *, request: HttpRequest | None) -> str:
    if not url or "://" in url or url.startswith("//"):
        return url
    return site_root_url(request) + url


def absolutize_html(html: str, *, request: HttpRequest | None) -> str:
    """Site-relative links and images made absolute: feed readers show HTML out of context."""
    root = site_root_url(request)

    def srcset(match: re.Match) -> str:
        candidates = [c.strip() for c in match.group(2).split(",")]
        fixed = [
            root + c if c.startswith("/") and not c.startswith("//") else c for c in candidates
        ]
        return f'{match.group(1)}{", ".join(fixed)}"'

    html = _RELATIVE_ATTRIBUTE.sub(lambda m: f'{m.group(1)}{root}{m.group(2)}"', html)
    return _SRCSET.sub(srcset, html)


def contributor_path(contributor: Contributor, *, language: str) -> str:
    # The language is passed in because a page's contributors share its language: reading
    # contributor.locale would cost a query per contributor.
    with translation.override(language):
        return reverse("discovery:contributor", kwargs={"slug": contributor.slug})


def topic_path(slug: str, *, language: str) -> str:
    with translation.override(language):
        return reverse("discovery:topic", kwargs={"slug": slug})
