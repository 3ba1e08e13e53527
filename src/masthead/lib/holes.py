"""Page-cache holes: parts of a cached page that change faster than the page.

A campaign's bar moves with every donation, and a campaign draws many a minute; emptying
the page cache for each would re-render the whole site all day. So a template leaves a *hole* instead, ``{% hole "campaign-banner" %}``, which writes
a marker comment; the page cache stores the page with its markers, and fills every marker
on every HTML response it sends (hit or miss, and pages it does not store) from a
fragment kept per (hole, language) for the hole's ``seconds``. A cached page therefore
shows a fragment at most ``seconds`` old without ever being re-rendered (issue 9; issue 10
reuses this for latest news and related posts, theme/fragments.py).

Policy:
- An app registers a hole in its ``AppConfig.ready()``: ``register(name, render, seconds)``.
  ``render(request)`` runs with the page's language active and returns HTML; it must not
  depend on who is asking, because its result is shared by every reader of that language.
- A marker with no registered hole is removed (renders as nothing), so a template can
  name a hole whose app is switched off.
- A fragment that fails to render is logged and left out, and not kept: the page is still
  served, and the next request tries again.
- A fragment depends on tags as a page does (lib/pagecache.py): what its render declares
  with ``pagecache.depends_on``, else ``ANY``, so that any publish (which may change what
  it shows, such as a campaign's title) refreshes it. A stale fragment is rendered again
  at once: fragments are small.
- A marker may carry an argument, ``{% hole "related-posts" page.pk %}``. A hole registered
  ``per_argument`` keeps a fragment per (argument, language) and is rendered with it,
  ``render(request, argument)``; any other hole keeps one fragment per language and may
  ``adjust(html, argument)`` it per page with string work only (the latest-news box leaves
  out the article it is beside) so that a hit costs no query.

This module knows no app: it is lib (DESIGN.md: Layers).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import translation

logger = logging.getLogger(__name__)

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
ARGUMENT = re.compile(r"^[a-z0-9-]{1,64}$")
_MARKER = re.compile(rb"<!--masthead-hole:([a-z0-9][a-z0-9-]{0,63})(?::([a-z0-9-]{1,64}))?-->")


@dataclass(frozen=True)
class Hole:
    name: str
    render: Callable[..., str]
    seconds: int | Callable[[], int]
    per_argument: bool = False
    adjust: Callable[[str, str], str] | None = None

    @property
    def lifetime(self) -> int:
        """Seconds a fragment is kept; a callable is asked each time (a setting may change)."""
        return self.seconds() if callable(self.seconds) else self.seconds


_holes: dict[str, Hole] = {}


def register(
    name: str,
    render: Callable[..., str],
    seconds: int | Callable[[], int],
    *,
    per_argument: bool = False,
    adjust: Callable[[str, str], str] | None = None,
) -> None:
    """Fill every ``{% hole name %}`` with ``render(request)``, kept ``seconds`` per language
    (0: rendered for every response). ``seconds`` may be a callable reading a setting.
    ``per_argument``: ``render(request, argument)``, kept per argument; ``adjust``: see above.

    Registering a name again replaces the hole (tests, and autoreload, call ready() twice).
    """
    if not NAME.match(name):
        raise ValueError(f"A hole name is lower-case letters, digits and hyphens: {name!r}")
    if not callable(seconds) and seconds < 0:
        raise ValueError(f"A hole is kept for 0 seconds or more, not {seconds}")
    _holes[name] = Hole(
        name=name, render=render, seconds=seconds, per_argument=per_argument, adjust=adjust
    )


def unregister(name: str) -> None:
    _holes.pop(name, None)


def registered(name: str) -> Hole | None:
    return _holes.get(name)


def marker(name: str, argument: object = None) -> str:
    """The comment a template writes where the hole goes."""
    if not NAME.match(name):
        raise ValueError(f"A hole name is lower-case letters, digits and hyphens: {name!r}")
    if argument is None or argument == "":
        return f"<!--masthead-hole:{name}-->"
    if not ARGUMENT.match(str(argument)):
        raise ValueError(
            f"A hole argument is lower-case letters, digits and hyphens: {argument!r}"
        )
    return f"<!--masthead-hole:{name}:{argument}-->"


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def fragment_key(name: str, language: str, argument: str = "") -> str:
    return f"hole:{name}:{argument}:{language}"


def fragment(name: str, request: HttpRequest, language: str, argument: str = "") -> str:
    """The HTML for hole ``name`` in ``language``: from the cache, or rendered and kept."""
    hole = _holes.get(name)
    if hole is None:
        return ""
    html = _kept_or_rendered(hole, request, language, argument if hole.per_argument else "")
    if hole.adjust is not None and not hole.per_argument:
        html = hole.adjust(html, argument)
    return html


def _kept_or_rendered(hole: Hole, request: HttpRequest, language: str, argument: str) -> str:
    # Imported here: pagecache imports this module to fill the holes it serves.
    from masthead.lib import pagecache

    key, seconds = fragment_key(hole.name, language, argument), max(0, hole.lifetime)
    kept = _cache().get(key) if seconds else None
    # The age is checked against our own clock too: the lag bound must hold whatever the
    # cache backend does with expiry times (Redis rounds and counts on its own clock).
    if (
        isinstance(kept, tuple)
        and len(kept) == 4
        and time.time() - kept[0] < seconds
        and pagecache.state(kept[2], kept[3]) == pagecache.FRESH
    ):
        return kept[1]
    rendered_at = pagecache.clock() if seconds else 0
    try:
        with translation.override(language), pagecache.collecting() as tags:
            html = str(
                hole.render(request, argument) if hole.per_argument else hole.render(request)
            )
    except Exception:
        # Furniture must not take the page down with it: serve the page without it.
        logger.exception("Hole %r failed to render; the page is served without it", hole.name)
        return ""
    if seconds:
        kept = (time.time(), html, pagecache.stored_tags(tags), rendered_at)
        _cache().set(key, kept, seconds)
    return html


def clear(name: str) -> None:
    """Forget hole ``name``'s kept fragments (those without an argument): the next page
    shows a fresh one."""
    _cache().delete_many([fragment_key(name, code) for code, _name in settings.LANGUAGES])


def _language(request: HttpRequest, response: HttpResponse) -> str:
    # A cache hit never ran LocaleMiddleware: the page's own header or URL says its language.
    codes = {code for code, _name in settings.LANGUAGES}
    header = response.get("Content-Language", "").split(",")[0].strip()
    if header in codes:
        return header
    from_path = translation.get_language_from_path(request.path_info)
    return from_path if from_path in codes else settings.LANGUAGE_CODE


def fill_content(content: bytes, request: HttpRequest, language: str) -> bytes:
    """``content`` with every marker replaced by its hole's fragment (UTF-8)."""
    if b"<!--masthead-hole:" not in content:
        return content
    fragments: dict[tuple[bytes, bytes], bytes] = {}

    def replace(match: re.Match[bytes]) -> bytes:
        name, argument = match.group(1), match.group(2) or b""
        if (name, argument) not in fragments:
            html = fragment(name.decode(), request, language, argument.decode())
            fragments[name, argument] = html.encode()
        return fragments[name, argument]

    return _MARKER.sub(replace, content)


def is_html(response: HttpResponse) -> bool:
    return not response.streaming and response.get("Content-Type", "").startswith("text/html")


def fill(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Fill the holes of an HTML ``response`` in place; headers that describe the body
    (Content-Length, ETag) are recomputed, so a browser's 304 never keeps an old fragment."""
    if not is_html(response):
        return response
    content = response.content
    filled = fill_content(content, request, _language(request, response))
    if filled is content:
        return response
    response.content = filled
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(filled))
    if response.has_header("ETag"):
        response["ETag"] = etag(filled)
    return response


def etag(content: bytes) -> str:
    return f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'
