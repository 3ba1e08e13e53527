"""Admin registration: incoming events under Settings."""

from __future__ import annotations

from wagtail import hooks

from masthead.inbox.viewsets import EventViewSet


@hooks.register("register_admin_viewset")
def register_inbox() -> EventViewSet:
    return EventViewSet()
