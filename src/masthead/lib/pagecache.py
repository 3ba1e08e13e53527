"""Full-page cache for anonymous readers, invalidated by the tags each page depends on.

Why not Django's cache middleware: its keys hash the URL with the request's headers, so
there is no way to drop "every page that shows this article" when an editor publishes.

Dependency tags (issue 10). While a page renders, whatever draws it declares what it
depends on, ``depends_on("page:12", "topic:mining")``; the page is stored with those tags
and with the *clock* (a counter in the shared cache) read before the render began.
``invalidate(tags)`` advances the clock and writes the new value into each tag's key; a
stored page is current while none of its tags moved past the clock it was rendered at.
So one publish makes stale only the pages that declared one of its tags, every process
sees it at once (the clock and the tags live in the page cache: files or Redis), and a
publish that commits while a page renders makes that page stale too (its clock is older).
The tag vocabulary, and which events move which tags, is discovery/invalidation.py's.

Conservative by construction:
- a page that declared nothing depends on ``ANY``, which every invalidation moves, so a
  page nobody taught to declare its tags behaves as before (stale on every change);
- every page depends on ``ALL``: ``invalidate_all()`` (settings, bulk changes) moves it;
- a tag whose key has disappeared (culled, evicted) makes its pages stale, never current.
The clock is a counter, not a time, so clocks of different machines do not matter; if its
key disappears it restarts from the time in milliseconds (plus a second), above any
value it had.

Stale-while-revalidate. A stale page is not thrown away, but the next reader still sees
the change: the first reader to find a page stale takes the page's lock and renders it
again (it pays for one render, as on a miss, and gets the fresh page); readers arriving
while that render is under way get the stale copy at once (``X-Cache: STALE``) instead of
waiting, so one render refills the page however many readers came. Limits: a page is
served stale for at most ``PAGE_CACHE_STALE_SECONDS`` after it was first found stale
(then readers wait for a render as on a miss); a page whose own piece was unpublished,
deleted or moved (a "gone" tag) is never served stale. If the render fails (a 5xx), its
reader gets the stale copy rather than an error, and the next reader tries again.

``current_generation()`` is a second, coarser counter that every invalidation moves: the
memo caches that only a render reads (listing ids, template fragments, the navigation)
are keyed by it, so a re-render never reads a list from before the change.

What is never cached: requests with a session or messages cookie, the admin, query strings
other than ``?page=N``, non-200 responses, responses that set a cookie, that vary on
Cookie (the session was read) or that used the CSRF token. Nothing per-reader can leak.

Holes (lib/holes.py): every HTML response this middleware returns, hit or miss, stored or
not, has its ``{% hole %}`` markers filled on the way out. The stored page keeps its markers,
and the ETag is computed on the filled body, so a fragment that changed gives a new ETag
(a browser's 304 would otherwise keep showing the old one). The admin is left alone.
Compression happens outside this middleware (lib/compression.py), which keeps a compressed
copy per page and filled body's ETag beside the stored page.

Tracking parameters (``utm_*``, ``fbclid``...) are removed from the request before any view
sees it: they do not split the cache, so nothing rendered may depend on them either, or the
first visitor's parameters would be served to everyone (issue 8).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import TypeVar
from urllib.parse import unquote_plus

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property

from masthead.lib import holes

logger = logging.getLogger(__name__)
T = TypeVar("T")

GENERATION_KEY = "pagecache:generation"
CLOCK_KEY = "pagecache:clock"
ANY = "*"  # moved by every invalidation: what a page that declared nothing depends on
ALL = "all"  # moved by invalidate_all(): every page and fragment depends on it
# Tags of discovery/invalidation.py's vocabulary, here so that newsroom's memos (below
# discovery) can name them: whatever shows people, pictures or topic names; one page; the
# listings under a home or section page; a topic's.
SHARED = "shared"


def page_tag(page_id: int) -> str:
    return f"page:{page_id}"


def list_tag(path: str) -> str:
    """The listings of the home or section page at tree ``path``: every article below it."""
    return f"list:{path}"


def topic_tag(slug: str) -> str:
    """A topic's page and feeds: every article with the topic."""
    return f"topic:{slug}"


LOCK_SECONDS = 10
LOCK_WAIT_SECONDS = 2.0
_PAGE_QUERY = re.compile(r"^(page=\d{1,6})?$")
# Campaign and click-tracking parameters that aggregators and newsletters append: the page
# is the same with or without them, so they must not split (or bypass) the cache.
_TRACKING = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|ref|_ga)$")
# Headers set by middleware *inside* this one; those outside it (security headers, CSP,
# Permissions-Policy, frame options) run on every response, hits included.
_STORED_HEADERS = ("Content-Type", "Content-Language", "Link", "Vary")

FRESH, STALE, GONE = "fresh", "stale", "gone"
_collected: ContextVar[set[str] | None] = ContextVar("pagecache_tags", default=None)
# Functions that name what a response depends on from the request alone (a URL's name and
# arguments), for views that do not call depends_on() themselves: an app registers one.
_taggers: list[Callable[[HttpRequest], Iterable[str]]] = []


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def current_generation() -> int:
    """A counter every invalidation moves: the key of memo caches that only renders read."""
    generation = _cache().get(GENERATION_KEY)
    if generation is None:
        # add() so that two processes starting together agree on the first value.
        _cache().add(GENERATION_KEY, 1, timeout=None)
        generation = _cache().get(GENERATION_KEY) or 1
    return generation


def remembered(
    key: str, compute: Callable[[], T], seconds: int, *, tags: Iterable[str] | None = None
) -> T:
    """``compute()``, kept in the default cache until the next invalidation of anything,
    or, given ``tags``, of one of them (or ``ALL``).

    For what every render reads and only editors change (sites, settings, navigation,
    listing ids): keyed by ``current_generation()``, or by the tags' current values, so a
    render after a change never reads a value from before it; ``seconds`` only bounds the
    cache's size. ``None`` is kept too. Tags matter after a publish: the site, settings and
    navigation do not depend on any article, and re-reading them made the first render
    after every publish pay for them again (issue 10).
    """
    return cache.get_or_set(_kept_name(key, tags), compute, seconds)


def _kept_name(key: str, tags: Iterable[str] | None) -> str:
    return f"{key}@{current_generation() if tags is None else version(tags)}"


def remembered_everywhere(
    key: str, compute: Callable[[], T], seconds: int, *, tags: Iterable[str]
) -> T:
    """``remembered`` with ``tags``, for values every worker would otherwise compute again:
    kept in the shared page cache too when the default cache is each process's own memory.

    After a publish, the worker that draws a new card first leaves it in the shared cache,
    and a worker that missed that render reads it instead of drawing it again (cards:
    about 2 ms each, a file read about 0.1 ms). Without Redis, gunicorn's workers take turns
    and each one used to draw every new card itself (issue 10, bench/README.md).
    """
    name = _kept_name(key, tags)
    if _default_is_per_process():
        compute = partial(_cache().get_or_set, name, compute, seconds)
    return cache.get_or_set(name, compute, seconds)


def _default_is_per_process() -> bool:
    return settings.CACHES["default"]["BACKEND"].endswith(".LocMemCache")


def version(tags: Iterable[str]) -> str:
    """The current values of ``tags`` and ``ALL``, as a key part: it changes when one of
    them is invalidated (for fragment caches that a publish elsewhere must not empty)."""
    return ".".join(str(value) for value in _tag_values([*tags, ALL]))


def _tag_values(tags: list[str]) -> list[int]:
    keys = [tag_key(tag) for tag in tags]
    values = _cache().get_many(keys)
    missing = [key for key in keys if values.get(key) is None]
    if missing:
        # Never moved, or evicted: from now on it counts from the clock's present value,
        # not 0, above any value it had, so no page or value kept under an older one can
        # pass as current (a page rendered before this read is stale at worst).
        now = clock()
        for key in missing:
            _cache().add(key, now, timeout=None)
        values.update(_cache().get_many(missing))
        return [values.get(key) or now for key in keys]
    return [values[key] for key in keys]


def _bump_generation() -> None:
    try:
        _cache().incr(GENERATION_KEY)
    except ValueError:  # no generation yet: nothing keyed by one can be current
        _cache().set(GENERATION_KEY, 2, timeout=None)


def _restart_value() -> int:
    # Above any value the clock had: it starts from the time in milliseconds and moves by
    # one per invalidation, while this moves by 1,000 a second. A second ahead: a wall
    # clock stepped back a little by NTP does not matter.
    return int(time.time() * 1000) + 1000


def clock() -> int:
    """The invalidation clock now: read before a render, stored with its result."""
    value = _cache().get(CLOCK_KEY)
    if value is None:
        _cache().add(CLOCK_KEY, _restart_value(), timeout=None)
        value = _cache().get(CLOCK_KEY) or _restart_value()
    return value


def _tick() -> int:
    try:
        return _cache().incr(CLOCK_KEY)
    except ValueError:
        # One above a clock() that started it in this same millisecond.
        value = _restart_value() + 1
        _cache().set(CLOCK_KEY, value, timeout=None)
        return value


def tag_key(tag: str) -> str:
    return f"pagecache:tag:{tag}"


def _gone_key(tag: str) -> str:
    return f"pagecache:gone:{tag}"


# Past this many tags at once (a rebuild of every related list), ``ALL`` moves instead: the
# same for readers, and one key written where a key per tag would outlive every page (the
# file cache lists every file each time it culls: 0.9 s at 100,000, bench/related.py).
MAX_TAGS = 5000


def invalidate(tags: Iterable[str], *, gone: Iterable[str] = ()) -> None:
    """Make stale every page and fragment that depends on one of ``tags``.

    ``gone`` tags name a piece that no longer exists at its address (unpublished, deleted,
    moved): pages depending on them are never served stale. That mark has keys of its own,
    so a later, ordinary invalidation of the same tag does not take it away.
    """
    moment = _tick()
    tags = set(tags)
    if len(tags) > MAX_TAGS:
        tags = {ALL}
    gone = set(gone)
    _cache().set_many({tag_key(tag): moment for tag in {*tags, *gone, ANY}}, timeout=None)
    if gone:
        # Only pages stored before now can be misled, and none outlives PAGE_CACHE_SECONDS.
        marks = {_gone_key(tag): moment for tag in gone}
        _cache().set_many(marks, timeout=settings.PAGE_CACHE_SECONDS * 2)
    _bump_generation()


def invalidate_all() -> None:
    """Make every cached page and fragment stale (settings change, bulk imports)."""
    invalidate([ALL])


def depends_on(*tags: str) -> None:
    """Declare that what is being rendered (a page, a hole's fragment) shows ``tags``."""
    collected = _collected.get()
    if collected is not None:
        collected.update(tags)


@contextmanager
def collecting() -> Iterator[set[str]]:
    """Collect the tags declared by depends_on() while the block runs."""
    tags: set[str] = set()
    token = _collected.set(tags)
    try:
        yield tags
    finally:
        _collected.reset(token)


def register_tagger(tagger: Callable[[HttpRequest], Iterable[str]]) -> None:
    """Name tags from the request once it is rendered (registering again is a no-op)."""
    if tagger not in _taggers:
        _taggers.append(tagger)


def stored_tags(tags: set[str]) -> tuple[str, ...]:
    """What a render depends on, made safe: ANY when it declared nothing, ALL always; and
    each tag given a key, so that a missing key can only mean one that was evicted."""
    result = {*(tags or {ANY}), ALL}
    _tag_values(list(result))  # gives every missing tag a key
    return tuple(sorted(result))


def state(tags: Iterable[str], rendered_at: int) -> str:
    """FRESH, STALE or GONE: what became of the tags since the clock read ``rendered_at``."""
    keys = {tag_key(tag): tag for tag in tags}
    values = _cache().get_many(list(keys))
    # A key that disappeared (culled, evicted) moved at an unknown time: stale.
    moved = [
        tag for key, tag in keys.items() if values.get(key) is None or values[key] > rendered_at
    ]
    if not moved:
        return FRESH
    # Only a stale page pays this second read.
    gone = _cache().get_many([_gone_key(tag) for tag in moved])
    return GONE if any(value > rendered_at for value in gone.values()) else STALE


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


def page_key(request: HttpRequest) -> str:
    """The page cache's key for ``request``'s page (kept compressed copies use it too)."""
    url = f"{request.scheme}://{request.get_host()}{request.path}?{_cache_query(request)}"
    digest = hashlib.sha256(url.encode()).hexdigest()
    return f"pagecache:page:{digest}"


# A stored page: (content, headers, tags, the clock read before its render).
Stored = tuple[bytes, dict[str, str], tuple[str, ...], int]


def _get(key: str) -> Stored | None:
    stored = _cache().get(key)
    return stored if isinstance(stored, tuple) and len(stored) == 4 else None


def _wait_for(key: str) -> Stored | None:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        stored = _get(key)
        if stored is not None and state(stored[2], stored[3]) == FRESH:
            return stored
        if _cache().get(f"{key}:pass"):
            return None
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
        key = page_key(request)
        stored = _get(key)
        found = None if stored is None else state(stored[2], stored[3])
        if found == FRESH:
            return self._rebuild(stored, "HIT")
        if _cache().get(f"{key}:pass"):  # recently found unstorable: nothing to wait for
            return self.get_response(request)
        # One render per page when many readers miss at once (a publish during a spike):
        # the first takes a lock, the others get the stale copy or wait briefly for it.
        lock = f"{key}:lock"
        if _cache().add(lock, 1, timeout=LOCK_SECONDS):
            try:
                return self._render_and_store(
                    request, key, stale=stored if found == STALE else None
                )
            finally:
                _cache().delete(lock)
        if found == STALE and self._may_serve_stale(key):
            return self._rebuild(stored, "STALE")
        stored = _wait_for(key)
        if stored is not None:
            return self._rebuild(stored, "HIT")
        return self._render_and_store(request, key)

    @staticmethod
    def _may_serve_stale(key: str) -> bool:
        if settings.PAGE_CACHE_STALE_SECONDS <= 0:
            return False
        now = time.time()
        # When the page was first found stale: the bound on how long it may be served so.
        _cache().add(f"{key}:stale", now, timeout=settings.PAGE_CACHE_STALE_SECONDS * 2)
        since = _cache().get(f"{key}:stale") or now
        return now - since <= settings.PAGE_CACHE_STALE_SECONDS

    def _render_and_store(
        self, request: HttpRequest, key: str, *, stale: Stored | None = None
    ) -> HttpResponse:
        rendered_at = clock()  # before the render reads anything: see the module docstring
        with collecting() as tags:
            response = self.get_response(request)
            for tagger in _taggers:
                tags.update(tagger(request))
        if stale is not None and response.status_code >= 500:
            # A failed render keeps the stale copy, for this reader and the next attempt.
            logger.error("Re-rendering %s failed (%s)", request.path, response.status_code)
            return self._rebuild(stale, "STALE")
        if not _is_storable(request, response):
            # Tell readers waiting on the lock not to wait for a page that won't come, and
            # drop a stale copy of it (an unpublished topic's page is now a 404).
            _cache().set(f"{key}:pass", 1, timeout=LOCK_SECONDS)
            _cache().delete(key)
        else:
            # Stored with its hole markers, and without an ETag: that describes the body as
            # sent, holes filled (see __call__).
            _shared_cache_headers(response)
            headers = {name: response[name] for name in _STORED_HEADERS if name in response}
            stored = (response.content, headers, stored_tags(tags), rendered_at)
            _cache().set(key, stored, settings.PAGE_CACHE_SECONDS)
            _cache().delete(f"{key}:stale")
            response["X-Cache"] = "MISS"
        return response

    @staticmethod
    def _rebuild(stored: Stored, how: str) -> HttpResponse:
        content, headers, _tags, _rendered_at = stored
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        _shared_cache_headers(response)
        response["X-Cache"] = how
        return response
