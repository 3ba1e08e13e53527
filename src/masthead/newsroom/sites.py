"""The Wagtail site a request is for, remembered per process until the next publish.

Wagtail asks the database on every request (``Site.find_for_request``), with a query
whose compilation alone was an eighth of an uncached article's CPU (issue 10). Sites
change only when an administrator edits them, which moves the page cache's generation
like every change readers see, so a process keeps what it found until the generation
moves. The table is bounded: hosts come from requests, even if ALLOWED_HOSTS checked them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from wagtail.models import Site

from masthead.lib import pagecache

MAX_HOSTS = 32

_found: dict[tuple[str, int | str], tuple[int, Site | None]] = {}


def for_request(request: HttpRequest) -> Site | None:
    """``Site.find_for_request(request)``, from this process's memory when it can."""
    if hasattr(request, "_wagtail_site"):  # Wagtail's own per-request cache
        return request._wagtail_site
    key = (split_domain_port(request.get_host())[0], request.get_port())
    generation = pagecache.current_generation()
    known = _found.get(key)
    if known is not None and known[0] == generation:
        request._wagtail_site = known[1]
        return known[1]
    site = Site.find_for_request(request)
    if len(_found) >= MAX_HOSTS:
        _found.clear()
    _found[key] = (generation, site)
    return site


class SiteMiddleware:
    """Finds the site before anything asks Wagtail for it (routing, settings, ``pageurl``),
    so that every view of a request uses the remembered one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for_request(request)
        return self.get_response(request)
