"""The editors' dashboard panels from the newsroom: where to write, my drafts, what is
scheduled, what went live, and what still waits for a translation.

Each panel reads in ``get_context_data``, so a panel that is not rendered costs nothing;
the reads are in ``newsroom.dashboard``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from wagtail.admin.ui.components import Component

from masthead.newsroom import dashboard
from masthead.newsroom.admin_views import can_see_translations


class _Panel(Component):
    def __init__(self, request: HttpRequest) -> None:
        self.request = request


class NewArticlePanel(_Panel):
    name = "new_article"
    order = 10
    template_name = "newsroom/admin/home/new_article.html"

    def get_context_data(self, parent_context: Any = None) -> dict:
        return {"sections": dashboard.writable_sections(self.request.user)}


class MyDraftsPanel(_Panel):
    name = "my_drafts"
    order = 20
    template_name = "newsroom/admin/home/my_drafts.html"

    def get_context_data(self, parent_context: Any = None) -> dict:
        return {"pages": dashboard.my_drafts(self.request.user)}


class ScheduledPanel(_Panel):
    name = "scheduled"
    order = 30
    template_name = "newsroom/admin/home/scheduled.html"

    def get_context_data(self, parent_context: Any = None) -> dict:
        # The publication's zone, not the editor's profile one: "goes live at 07:00" is the
        # newsroom's morning, the same for every editor (and the one the scheduler uses).
        return {"pages": dashboard.scheduled(), "time_zone": settings.TIME_ZONE}


class RecentlyPublishedPanel(_Panel):
    name = "recently_published"
    order = 40
    template_name = "newsroom/admin/home/recently_published.html"

    def get_context_data(self, parent_context: Any = None) -> dict:
        return {"pages": dashboard.recently_published(), "time_zone": settings.TIME_ZONE}


class AwaitingTranslationPanel(_Panel):
    name = "awaiting_translation"
    order = 50
    template_name = "newsroom/admin/home/awaiting_translation.html"

    def get_context_data(self, parent_context: Any = None) -> dict:
        return {"waiting": dashboard.awaiting_translation()}


def panels_for(request: HttpRequest) -> list[Component]:
    panels: list[Component] = [
        NewArticlePanel(request),
        MyDraftsPanel(request),
        ScheduledPanel(request),
        RecentlyPublishedPanel(request),
    ]
    if can_see_translations(request.user):
        panels.append(AwaitingTranslationPanel(request))
    return panels
