"""Full-page cache for anonymous readers, invalidated by a generation counter.

Why not Django's cache middleware: its keys hash the URL with the request's headers, so
there is no way to drop "every page that shows this article" when an editor publishes.
Here every key carries the current *generation*; publishing, unpublishing, deleting or
editing anything a reader sees bumps the generation, and every cached page is stale at
once (DESIGN.md: anonymous pages are cached and invalidated when their content changes).
A magazine publishes a few times a day, so a whole-site refill is cheap; staleness is not.

What is never cached: requests with a session or messages cookie, the admin, query strings
other than ``?page=N``, non-200 responses, responses that set a cookie, that vary on
Cookie (the session was read) or that used the CSRF token. Nothing per-reader can leak.

Holes (lib/holes.py): every HTML response this middleware returns, hit or miss, stored or
not, has its ``{% hole %}`` markers filled on the way out. The stored page keeps its markers,
and the ETag is computed on the filled body, so a fragment that changed gives a new ETag
(a browser's 304 would otherwise keep showing the old one). The admin is left alone.

Tracking parameters (``utm_*``, ``fbclid``...) are removed from the request before any view
sees it: they do not split the cache, so nothing rendered may depend on them either, or the
first visitor's parameters would be served to everyone (issue 8).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from urllib.parse import unquote_plus

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property

from masthead.lib import holes

GENERATION_KEY = "pagecache:generation"
LOCK_SECONDS = 10
LOCK_WAIT_SECONDS = 2.0
_PAGE_QUERY = re.compile(r"^(page=\d{1,6})?$")
# Campaign and click-tracking parameters that aggregators and newsletters append: the page
# is the same with or without them, so they must not split (or bypass) the cache.
_TRACKING = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|ref|_ga)$")
# Headers set by middleware *inside* this one; those outside it (security headers, CSP,
# Permissions-Policy, frame options) run on every response, hits included.
_STORED_HEADERS = ("Content-Type", "Content-Language", "Link", "Vary")


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def current_generation() -> int:
    generation = _cache().get(GENERATION_KEY)
    if generation is None:
        # add() so that two processes starting together agree on the first value.
        _cache().add(GENERATION_KEY, 1, timeout=None)
        generation = _cache().get(GENERATION_KEY) or 1
    return generation


def invalidate_all() -> None:
    """Make every cached page stale (on publish, unpublish, delete, settings change)."""
    cache = _cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: nothing cached can be current
        cache.set(GENERATION_KEY, 2, timeout=None)


def _is_cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_ENABLED:
        return False
    if request.path.startswith(settings.PAGE_CACHE_EXCLUDED_PREFIXES):
        return False
    if _is_personal(request):
        return False
    return bool(_PAGE_QUERY.match(_cache_query(request)))


def _without_tracking(query: str) -> str:
    """``query`` with its tracking parameters dropped, the others kept byte for byte."""
    if not query:
        return ""
    # Matched on the decoded name, so that "utm%5Fsource" is dropped like "utm_source".
    kept = [
        part
        for part in query.split("&")
        if not _TRACKING.match(unquote_plus(part.partition("=")[0]))
    ]
    return "&".join(kept)


def _cache_query(request: HttpRequest) -> str:
    """The query string as far as the page is concerned: tracking parameters dropped."""
    return _without_tracking(request.META.get("QUERY_STRING", ""))


def strip_tracking_parameters(request: HttpRequest) -> None:
    """Remove tracking parameters from ``request`` (QUERY_STRING and GET) in place.

    Afterwards ``get_full_path()``, ``build_absolute_uri()`` and ``GET`` all describe the
    cleaned URL, so canonical and language links render the same for every visitor who
    shares the cached page. The admin and files are left as they came.
    """
    if request.path.startswith(settings.PAGE_CACHE_EXCLUDED_PREFIXES):
        return
    raw = request.META.get("QUERY_STRING", "")
    cleaned = _without_tracking(raw)
    if cleaned != raw:
        request.META["QUERY_STRING"] = cleaned
        if isinstance(getattr(type(request), "GET", None), cached_property):
            # Django's WSGI and ASGI requests parse GET from META on first use: let them
            # parse the cleaned string, with their own rules for its encoding.
            request.__dict__.pop("GET", None)
        else:
            request.GET = QueryDict(cleaned, encoding=request.encoding)


def _is_personal(request: HttpRequest) -> bool:
    return any(name in request.COOKIES for name in settings.PAGE_CACHE_BYPASS_COOKIES)


def _key(request: HttpRequest, generation: int) -> str:
    url = f"{request.scheme}://{request.get_host()}{request.path}?{_cache_query(request)}"
    digest = hashlib.sha256(url.encode()).hexdigest()
    return f"pagecache:{generation}:{digest}"


def _wait_for(key: str) -> tuple[bytes, dict[str, str]] | None:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        stored = _cache().get(key)
        if stored is not None or _cache().get(f"{key}:pass"):
            return stored
    return None  # the other render is slow or failed: render this one ourselves


def _is_storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page holds a CSRF token
        return False
    vary = response.get("Vary", "").lower()
    cache_control = response.get("Cache-Control", "").lower()
    return "cookie" not in vary and "private" not in cache_control and "no-" not in cache_control


def _shared_cache_headers(response: HttpResponse) -> None:
    # Browsers revalidate every time (ETag → 304); nginx or a CDN may keep a page a few
    # seconds, so a publish shows everywhere within PAGE_CACHE_SHARED_SECONDS. No
    # "Vary: Cookie": proxies bypass on the session cookie instead, so that unrelated
    # cookies (analytics, consent) do not split the shared cache.
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=settings.PAGE_CACHE_SHARED_SECONDS,
        stale_while_revalidate=30,
    )


class PageCacheMiddleware:
    """Serve anonymous pages from the cache; store the ones that are safe to share."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        strip_tracking_parameters(request)
        if not _is_cacheable_request(request):
            response = self.get_response(request)
            if _is_personal(request) and "Cache-Control" not in response:
                # A signed-in reader's page must never be stored by a proxy or CDN.
                patch_cache_control(response, private=True, no_cache=True)
            if request.path.startswith(settings.PAGE_CACHE_EXCLUDED_PREFIXES):
                return response
            return holes.fill(request, response)
        response = holes.fill(request, self._cached(request))
        if "X-Cache" in response:  # stored or served by this cache: tag the body as sent
            response["ETag"] = holes.etag(response.content)
        return response

    def _cached(self, request: HttpRequest) -> HttpResponse:
        key = _key(request, current_generation())
        stored = _cache().get(key)
        if stored is not None:
            return self._rebuild(stored)
        if _cache().get(f"{key}:pass"):  # recently found unstorable: nothing to wait for
            return self.get_response(request)
        # One render per page when many readers miss at once (a publish during a spike):
        # the first takes a lock, the others wait briefly for its result.
        lock = f"{key}:lock"
        if _cache().add(lock, 1, timeout=LOCK_SECONDS):
            try:
                return self._render_and_store(request, key)
            finally:
                _cache().delete(lock)
        stored = _wait_for(key)
        if stored is not None:
            return self._rebuild(stored)
        return self._render_and_store(request, key)

    def _render_and_store(self, request: HttpRequest, key: str) -> HttpResponse:
        response = self.get_response(request)
        if not _is_storable(request, response):
            # Tell readers waiting on the lock not to wait for a page that won't come.
            _cache().set(f"{key}:pass", 1, timeout=LOCK_SECONDS)
        else:
            # Stored with its hole markers, and without an ETag: that describes the body as
            # sent, holes filled (see __call__).
            _shared_cache_headers(response)
            headers = {name: response[name] for name in _STORED_HEADERS if name in response}
            _cache().set(key, (response.content, headers), settings.PAGE_CACHE_SECONDS)
            response["X-Cache"] = "MISS"
        return response

    @staticmethod
    def _rebuild(stored: tuple[bytes, dict[str, str]]) -> HttpResponse:
        content, headers = stored
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        _shared_cache_headers(response)
        response["X-Cache"] = "HIT"
        return response
