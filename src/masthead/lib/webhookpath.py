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
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver
from django.utils import translation


class WebhookShortcutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefix = settings.WEBHOOK_PATH_PREFIX

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(self.prefix):
            return self.get_response(request)
        try:
            match = get_resolver().resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if not getattr(match.func, "csrf_exempt", False):
            return self.get_response(request)
        request.get_host()  # raises DisallowedHost (a 400) as CommonMiddleware would
        # The previous request's language may still be active in this thread.
        translation.activate(settings.LANGUAGE_CODE)
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response
