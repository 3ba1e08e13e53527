"""Django's LocaleMiddleware, minus its redirect of 404s from views outside i18n_patterns.

Django answers any 404 on an unprefixed path with a redirect to the same path under the
active language, if that path resolves there; Wagtail's catch-all page route makes every
``/en/...`` path resolve, so an unknown admin URL became a redirect to ``/en/admin/...``
(issue 8). When a view *outside* i18n_patterns (the admin, documents, the newsletter links
in emails) answered the 404 itself, that 404 is the answer: there is no language version
of it to send the visitor to. Unresolved paths still get the redirect, so ``/interviews/``
keeps leading to ``/en/interviews/``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware import locale
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LocaleMiddleware(locale.LocaleMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code == 404 and _answered_outside_i18n_patterns(request):
            # What Django's version does to a response it does not redirect.
            patch_vary_headers(response, ("Accept-Language",))
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        return super().process_response(request, response)


def _answered_outside_i18n_patterns(request: HttpRequest) -> bool:
    resolved = getattr(request, "resolver_match", None) is not None
    return resolved and translation.get_language_from_path(request.path_info) is None
