"""Wagtail admin for the inbox: every outside event with its outcome, read-only.

Events change only through the services (a webhook stores, the worker processes), so the
admin lists and shows them, and offers "process again" for a failed one.
"""

from __future__ import annotations

import json
from typing import Any

from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import HeaderButton

from masthead.inbox import admin_views
from masthead.inbox.models import Event
from masthead.lib.adminviews import ReadOnlyModelViewSet


class EventFilterSet(WagtailFilterSet):
    class Meta:
        model = Event
        fields = ["status", "provider", "kind"]


def pretty_payload(event: Event) -> SafeString:
    return format_html("<pre>{}</pre>", json.dumps(event.payload, indent=2, ensure_ascii=False))


class EventInspectView(generic.InspectView):
    def get_field_display_value(self, field_name: str, field: Any) -> Any:
        if field_name == "payload":
            return pretty_payload(self.object)
        return super().get_field_display_value(field_name, field)

    @property
    def header_buttons(self) -> list:
        buttons = list(super().header_buttons)
        if self.object.status == Event.Status.FAILED and self.request.user.has_perm(
            admin_views.CHANGE_EVENTS
        ):
            buttons.append(
                HeaderButton(
                    _("Process again"),
                    url=reverse("inbox_event:process_again", args=[self.object.pk]),
                    icon_name="resubmit",
                )
            )
        return buttons


class EventViewSet(ReadOnlyModelViewSet):
    model = Event
    name = "inbox_event"
    icon = "mail"
    menu_label = _("Incoming events")
    add_to_settings_menu = True
    list_display = ["provider", "kind", "event_id", "status", "attempts", "received_at"]
    list_filter = None
    filterset_class = EventFilterSet
    search_fields = ["event_id", "provider", "kind"]
    search_backend_name = None  # not in the search index: a database lookup
    ordering = ["-received_at", "-pk"]
    inspect_view_class = EventInspectView
    inspect_view_fields = [
        "provider",
        "event_id",
        "kind",
        "status",
        "outcome",
        "attempts",
        "received_at",
        "processed_at",
        "next_attempt_at",
        "payload",
    ]

    def get_urlpatterns(self) -> list:
        return [
            *super().get_urlpatterns(),
            path("process-again/<int:pk>/", admin_views.process_again, name="process_again"),
        ]
