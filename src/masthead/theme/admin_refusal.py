"""A refused admin view answers 403 with an admin-styled page, not a redirect home.

Wagtail answers every refusal inside its admin (a ``PermissionDenied`` from a view, or a
failed permission decorator) through ``wagtail.admin.auth.permission_denied``, which
queues a message and redirects to the dashboard (Wagtail PR #6459). That hides the refusal
from the status code: monitoring, tests and scripts see a 302, and the editor lands on a
page they did not ask for (issue 8). ``install()`` swaps that function for ours; Wagtail's
own decorators look it up at call time, so every admin view gets the 403. Anonymous
visitors are untouched: Wagtail sends them to the login page before any permission check.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from wagtail.admin import auth
from wagtail.admin.localization import get_localized_response

TEMPLATE = "theme/admin_403.html"


def permission_denied(request: HttpRequest) -> HttpResponse:
    """The 403 page, in the editor's admin language; a bare 403 for Wagtail's XHR calls."""
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        raise PermissionDenied  # as Wagtail does: its scripts handle the status themselves
    return get_localized_response(_render, request)


def _render(request: HttpRequest) -> HttpResponse:
    return render(request, TEMPLATE, status=403)


def install() -> None:
    """Make Wagtail's admin answer refusals with ``permission_denied`` (from AppConfig.ready)."""
    auth.permission_denied = permission_denied
