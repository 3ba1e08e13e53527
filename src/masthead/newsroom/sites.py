"""The Wagtail site a request is for, kept in the cache until a site or setting changes.

Wagtail asks the database on every request (``Site.find_for_request``), with a query
whose compilation alone was an eighth of an uncached article's CPU (issue 10). Sites
change only when an administrator edits them, which empties the page cache (its ``ALL``
tag moves), so the answer is kept under that tag's value; a publish leaves it kept. In the
shared cache rather than in each process: a process must not trust a site it found
before the change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from wagtail.models import Site

from masthead.lib import pagecache

SITE_SECONDS = 3600  # keyed by the ALL tag: the lifetime only bounds the cache's size


def for_request(request: HttpRequest) -> Site | None:
    """``Site.find_for_request(request)``, from the cache when it can."""
    if hasattr(request, "_wagtail_site"):  # Wagtail's own per-request cache
        return request._wagtail_site
    hostname = split_domain_port(request.get_host())[0]
    key = f"site:{hostname}:{request.get_port()}"
    # A site's change empties everything (ALL); a publish leaves it kept.
    compute = partial(Site.find_for_request, request)
    site = pagecache.remembered(key, compute, SITE_SECONDS, tags=())
    request._wagtail_site = site
    return site


class SiteMiddleware:
    """Finds the site before anything asks Wagtail for it (routing, settings, ``pageurl``),
    so that every view of a request uses the kept one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Files and providers' posts never ask for a site: no cache round trip for them.
        # (Static files and most webhooks are answered before this middleware anyway.)
        self.siteless = tuple(
            prefix for prefix in (settings.STATIC_URL, settings.MEDIA_URL, "/webhooks/") if prefix
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(self.siteless):
            return self.get_response(request)
        # Before ``migrate`` (or with the database down) a request that needs no site,
        # such as robots.txt or the health check, must still be answered; one that needs
        # it fails where it asks, as it did without this middleware.
        with contextlib.suppress(DatabaseError):
            for_request(request)
        return self.get_response(request)
