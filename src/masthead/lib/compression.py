"""Compressed responses: Brotli or gzip for pages, feeds and JSON (issue 14 §2).

Readers on slow or metered connections pay for every byte, and ``masthead serve`` is often
the only server in front of the site. This middleware compresses HTML, RSS/Atom, sitemaps
and JSON with Brotli when the request's ``Accept-Encoding`` accepts ``br``, else gzip,
else not at all (``br;q=0`` refuses Brotli), and says ``Vary: Accept-Encoding``.
WhiteNoise already serves static files precompressed; this is for views' responses.

Why by hand: ``brotli`` (Google's bindings) is the codec and ``gzip`` the standard
library's; the middleware packages (django-http-compression, django-compression-middleware)
compress every response like Django's GZipMiddleware, and so would compress the pages
with secrets below, and know nothing of the page cache's kept copies.

BREACH. Compressing a body that holds a secret beside text an attacker chooses (a search
term, a URL) lets the attacker read the secret from the compressed lengths. So a response
is never compressed when it may hold one (``carries_secrets``): it used the CSRF token,
sets a cookie, answers a request with a session, messages or Authorization, varies on
Cookie (the session was read), is ``Cache-Control: private`` or ``no-store``, or lies under
``COMPRESSION_EXCLUDED_PATHS`` (the admin, readers' account and newsletter pages, whose
URLs and forms carry tokens). Everything else is what the page cache shares with every
anonymous reader, so it holds nothing secret to leak. Django's GZipMiddleware instead
compresses everything and adds random bytes to the gzip header ("Heal the BREACH"): that
only multiplies the requests an attack needs, and Brotli has no such field; since nothing
secret is compressed here, the padding would buy nothing, and it is left out.

Kept copies. A page served by the page cache (``X-Cache``) is compressed once per version
of its body as sent, holes filled: the compressed bytes are kept in the page cache under
the page's key, the coding and the filled body's ETag, so a hit whose fragments have not
moved reads them instead of compressing again, and a moved fragment (a new ETag) gets a
new copy. Kept copies are compressed harder (``KEPT_QUALITY``): the cost is paid once.

ETags and 304. This runs inside ConditionalGetMiddleware (settings.MIDDLEWARE), which
compares ``If-None-Match`` with the ETag set here: a compressed variant's ETag is the
identity one with ``-br`` or ``-gzip`` inside the quotes (HTTP requires variants to differ),
so a browser's 304 keeps working and never pairs one encoding's body with another's tag.
Streaming responses, partial ones and bodies under ``MIN_BYTES`` are left as they are.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from functools import cache

import brotli
from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from masthead.lib import holes, pagecache

# Below this a compressed body saves less than a TCP packet, and costs the CPU all the same.
MIN_BYTES = 500
TYPES = (
    "text/html",
    "application/json",
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "text/plain",
)
# In order of preference when the client weighs them alike.
CODINGS = ("br", "gzip")
# Brotli's quality for a body compressed for one response, and for a copy kept for every
# later reader. On the flagship (42.5 KB, bench/compression.py): quality 5 makes 10.6 KB in
# ~2 ms, 6 to 9 barely less (9 costs 40 ms), 10 makes 9.2 KB in ~50 ms, 11 makes 9.0 KB in
# ~130 ms. A kept copy is made once per version of a page, so 10 is worth its time there.
QUICK_QUALITY = 5
KEPT_QUALITY = 10
GZIP_LEVEL = 6


def negotiate(accept_encoding: str) -> str | None:
    """The coding to send for an ``Accept-Encoding`` header: ``"br"``, ``"gzip"`` or None.

    The highest ``q`` wins, ``br`` on a tie; ``q=0`` refuses a coding, ``*`` weighs every
    coding not named, and a malformed ``q`` counts as a refusal (RFC 9110 §12.5.3).
    """
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, parameters = item.partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        weight = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    weight = 0.0
        weights["gzip" if coding == "x-gzip" else coding] = weight
    best, best_weight = None, 0.0
    for coding in CODINGS:
        weight = weights.get(coding, weights.get("*", 0.0))
        if weight > best_weight:
            best, best_weight = coding, weight
    return best


def compress(content: bytes, coding: str, *, kept: bool = False) -> bytes:
    """``content`` in ``coding`` (``"br"`` or ``"gzip"``); deterministic, so a kept copy and
    a fresh one of the same body are the same bytes."""
    if coding == "br":
        quality = KEPT_QUALITY if kept else QUICK_QUALITY
        return brotli.compress(content, mode=brotli.MODE_TEXT, quality=quality)
    if coding == "gzip":
        return gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0)
    raise ValueError(f"Not a coding Masthead sends: {coding!r}")


def variant_etag(etag: str, coding: str) -> str:
    """The ETag of ``coding``'s variant of the body tagged ``etag``: ``"x"`` → ``"x-br"``."""
    if etag.endswith('"'):
        return f'{etag[:-1]}-{coding}"'
    return f'"{etag}-{coding}"'


@cache
def _excluded_paths(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def carries_secrets(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether ``response`` may hold something secret to its reader (see BREACH above).

    Each test is cheap and errs towards "yes": an uncompressed page costs bytes, a
    compressed secret can cost an account.
    """
    if response.cookies or response.has_header("Set-Cookie"):
        return True  # a session, a CSRF cookie, messages: the body may hold their values
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return True  # get_token() ran: the page holds a CSRF token
    personal = (settings.SESSION_COOKIE_NAME, *settings.PAGE_CACHE_BYPASS_COOKIES)
    if any(name in request.COOKIES for name in personal) or "HTTP_AUTHORIZATION" in request.META:
        return True  # a signed-in reader's page, or an API client's
    cache_control = response.get("Cache-Control", "").lower()
    if "private" in cache_control or "no-store" in cache_control:
        return True
    if "cookie" in response.get("Vary", "").lower():
        return True  # the view read the session
    return bool(_excluded_paths(settings.COMPRESSION_EXCLUDED_PATHS).match(request.path))


def _is_compressible(response: HttpResponse) -> bool:
    if response.streaming or response.has_header("Content-Encoding"):
        return False
    if response.status_code in (204, 206, 304) or response.has_header("Content-Range"):
        return False
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type in TYPES and len(response.content) >= MIN_BYTES


def _kept_copy(request: HttpRequest, content: bytes, coding: str, etag: str) -> bytes:
    """``content`` compressed, from the page cache if this version was compressed before.

    Keyed by the page (its URL, as the page cache keys it), the coding and the ETag of the
    body as sent, so a hole's new fragment makes a new copy, and two pages never share one.
    The copy lives as long as a stored page; an old version's copy is never read again.
    """
    key = f"{pagecache.page_key(request)}:{coding}:{etag.strip(chr(34))}"
    store = caches[settings.PAGE_CACHE_ALIAS]
    body = store.get(key)
    if isinstance(body, bytes):
        return body
    body = compress(content, coding, kept=True)
    store.set(key, body, settings.PAGE_CACHE_SECONDS)
    return body


class CompressionMiddleware:
    """Compress what is safe to compress; see the module docstring for what and why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not _is_compressible(response) or carries_secrets(request, response):
            return response  # the same bytes for every client: nothing to vary on
        patch_vary_headers(response, ("Accept-Encoding",))
        coding = negotiate(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        if coding is None:
            return response
        content = response.content
        # The identity ETag ConditionalGetMiddleware would set, so both variants have one.
        etag = response.get("ETag") or holes.etag(content)
        if "X-Cache" in response:  # served or stored by the page cache: shared, repeated
            body = _kept_copy(request, content, coding, etag)
        else:
            body = compress(content, coding)
        response.content = body
        response["Content-Encoding"] = coding
        response["Content-Length"] = str(len(body))
        response["ETag"] = variant_etag(etag, coding)
        return response
