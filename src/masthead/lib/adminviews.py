"""A read-only Wagtail admin listing, for rows that only services may write.

Readers change through sign-up, the account page and imports; inbox events through
webhooks and the worker. Their admin lists, searches, filters and shows them, and offers
no add, edit, copy or delete view that would write around those services.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from wagtail.admin.viewsets.model import ModelViewSet


class ReadOnlyModelViewSet(ModelViewSet):
    """Index, results and inspect views only; subclasses add their own URLs after these."""

    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_common_view_kwargs(**kwargs),
            "add_url_name": None,
            "edit_url_name": None,
            "delete_url_name": None,
            "history_url_name": None,
            "usage_url_name": None,
        }

    def get_urlpatterns(self) -> list:
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]
