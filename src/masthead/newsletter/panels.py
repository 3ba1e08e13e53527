"""The editors' dashboard panel from the newsletter: the last edition's figures."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from wagtail.admin.ui.components import Component

from masthead.newsletter import queries
from masthead.newsletter.admin_views import can_add_editions


class LastEditionPanel(Component):
    name = "last_edition"
    order = 60
    template_name = "newsletter/admin/home/last_edition.html"

    def get_context_data(self, parent_context: Any = None) -> dict:
        return {"edition": queries.last_sent_edition(), "time_zone": settings.TIME_ZONE}


def panels_for(request: HttpRequest) -> list[Component]:
    return [LastEditionPanel()] if can_add_editions(request.user) else []
