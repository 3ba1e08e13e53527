"""A short way through the middleware for the machines that post to ``/webhooks/``.

Payment providers and ESPs post events, often in bursts, and read nothing but the status
code. The middleware below this one exists for browsers: page cache, sessions, language,
CSRF, messages, sign-in lockouts, redirects, and the headers that only a browser obeys
(CSP, Permissions-Policy, frame options). On issue 9's webhook benchmark it cost a third of
a stored event's time in the process. So a request under ``WEBHOOK_PATH_PREFIX`` whose
view is CSRF-exempt (a provider has no token: every webhook view is) goes from here
straight to its view. What stays on the way: everything above this middleware (the body
limit, SecurityMiddleware's headers and HTTPS redirect), the host check that
CommonMiddleware would make (ALLOWED_HOSTS), Django's signals and its exception handling.
Anything else (an unknown path, a view that is not CSRF-exempt) takes the full chain, as
every other request does.

Place it right after SecurityMiddleware. A webhook view gets no ``request.session``,
``request.user`` or translation chosen from the request: the default language is active.

A webhook's first query also goes without Django's connection health check
(``CONN_HEALTH_CHECKS``, a ``SELECT 1`` round trip before each request's first query, a
fifth of a stored event's database work on PostgreSQL). It is safe here, and only here: if
the kept connection has died, the webhook's own query fails instead, nothing is stored,
the provider gets a 500 and delivers the event again (every provider retries a non-2xx),
and Django closes the broken connection when the request finishes (the error marks it),
so the redelivery opens a fresh one. A reader's page keeps the check, since a reader does
not retry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, ResolverMatch, get_resolver, get_urlconf
from django.utils import translation


@functools.lru_cache(maxsize=64)
def _webhook_match(urlconf: str, path: str) -> ResolverMatch | None:
    """The CSRF-exempt view at ``path``, else None (a URLconf's patterns are fixed).

    Cached: resolving walks every language's patterns and cost a webhook as much as
    adapting its insert. Bounded, since anyone may post to any path.
    """
    try:
        match = get_resolver(urlconf).resolve(path)
    except Resolver404:
        return None
    return match if getattr(match.func, "csrf_exempt", False) else None


class WebhookShortcutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefix = settings.WEBHOOK_PATH_PREFIX

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(self.prefix):
            return self.get_response(request)
        match = _webhook_match(get_urlconf() or settings.ROOT_URLCONF, request.path_info)
        if match is None:
            return self.get_response(request)
        request.get_host()  # raises DisallowedHost (a 400) as CommonMiddleware would
        # The previous request's language may still be active in this thread.
        translation.activate(settings.LANGUAGE_CODE)
        request.resolver_match = match
        for connection in connections.all(initialized_only=True):
            connection.health_check_done = True  # see the module's docstring
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response
