"""The reader's entry to Wagtail pages: Wagtail's serve view, routed in one query."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from wagtail import views as wagtail_views

from masthead.newsroom import routing


def serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's ``serve`` (its hooks, view restrictions and 404s), with the page found by
    ``routing.route`` when it can: Wagtail then uses the route it was given (the
    ``request._wagtail_route_for_request`` cache that ``Page.route_for_request`` documents)."""
    try:
        found = routing.route(request, path)
    except Http404:  # found, but not live: Wagtail's answer too
        found = None
        request._wagtail_route_for_request = None
    if found is not None:
        request._wagtail_route_for_request = found
    return wagtail_views.serve(request, path)
