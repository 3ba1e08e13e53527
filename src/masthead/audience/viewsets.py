"""Wagtail admin for readers: a read-only reader listing, suppressions, CSV and the report.

Readers change only through the services (sign-up, account page, import), so their admin is
a listing with search, filters and a detail page, never an edit form.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from masthead.audience import admin_views, queries, reports
from masthead.audience.models import Newsletter, Reader, Subscription, Suppression
from masthead.lib.adminviews import ReadOnlyModelViewSet


def subscriptions_summary(reader: Reader) -> SafeString:
    """“Newsletter name (status)” for each subscription, from the prefetched rows."""
    return format_html_join(
        ", ",
        "{} ({})",
        ((s.newsletter.name, s.get_status_display()) for s in reader.subscriptions.all()),
    )


class ReaderFilterSet(WagtailFilterSet):
    newsletter = django_filters.ModelChoiceFilter(
        queryset=Newsletter.objects.all(), label=_("Newsletter"), method="_by_subscription"
    )
    status = django_filters.ChoiceFilter(
        choices=Subscription.Status.choices,
        label=_("Subscription status"),
        method="_by_subscription",
    )

    class Meta:
        model = Reader
        fields = ["language"]

    def _by_subscription(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset  # both are applied together in filter_queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Newsletter and status must match the same subscription (see with_subscription).
        queryset = super().filter_queryset(queryset)
        return reports.with_subscription(
            queryset,
            newsletter=self.form.cleaned_data.get("newsletter"),
            status=self.form.cleaned_data.get("status"),
        )


class ReaderIndexView(generic.IndexView):
    def get_base_queryset(self) -> QuerySet[Reader]:
        return reports.readers_for_admin()

    @property
    def header_buttons(self) -> list:
        buttons = list(super().header_buttons)
        user = self.request.user
        if user.has_perm(admin_views.VIEW_READERS):
            buttons.append(
                HeaderButton(
                    _("Export CSV"), url=reverse("audience_csv:export"), icon_name="download"
                )
            )
        if user.has_perm(admin_views.ADD_READERS):
            buttons.append(
                HeaderButton(
                    _("Import CSV"), url=reverse("audience_csv:import"), icon_name="upload"
                )
            )
        return buttons


class ReaderViewSet(ReadOnlyModelViewSet):
    model = Reader
    name = "audience_reader"
    icon = "user"
    menu_label = _("Readers")
    index_view_class = ReaderIndexView
    list_display = [
        "email",
        "language",
        Column("subscriptions", label=_("Subscriptions"), accessor=subscriptions_summary),
        "created_at",
    ]
    filterset_class = ReaderFilterSet
    search_fields = ["email"]
    search_backend_name = None  # readers are not in the search index: a database lookup
    ordering = ["-created_at", "-pk"]
    inspect_view_fields = ["email", "language", "created_at", "email_confirmed_at"]


class SuppressionForm(WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            # Added by hand from here; bounces and complaints come from the webhooks.
            self.instance.reason = Suppression.Reason.MANUAL
        else:
            self.fields["email"].disabled = True

    def clean_email(self) -> str:
        # Keyed as every suppression is (queries.suppression_key), so lookups hit the index.
        return queries.suppression_key(self.cleaned_data["email"])


class SuppressionViewSet(ModelViewSet):
    model = Suppression
    name = "audience_suppression"
    icon = "cross"
    menu_label = _("Suppressed addresses")
    list_display = ["email", "reason", "detail", "created_at"]
    list_filter = ["reason"]
    search_fields = ["email"]
    search_backend_name = None
    ordering = ["-created_at", "-pk"]
    form_fields = ["email", "detail"]
    copy_view_enabled = False

    def get_form_class(self, for_update: bool = False) -> type[forms.ModelForm]:
        return forms.modelform_factory(Suppression, form=SuppressionForm, fields=self.form_fields)


class _PermissionMenuItem(MenuItem):
    permission = ""

    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(self.permission)


class _PermissionViewSet(ViewSet):
    """A page whose menu entry only users with ``permission`` see (the way Wagtail's
    ModelViewSet builds its menu item class)."""

    permission = ""

    @property
    def menu_item_class(self) -> type[MenuItem]:
        name = f"{type(self).__name__}MenuItem"
        return type(name, (_PermissionMenuItem,), {"permission": self.permission})


class SubscribersReportViewSet(_PermissionViewSet):
    name = "audience_subscribers"
    icon = "group"
    menu_label = _("Subscribers")
    permission = admin_views.VIEW_READERS

    def get_urlpatterns(self) -> list:
        return [path("", admin_views.SubscribersReportView.as_view(), name="index")]


class ReaderCsvViewSet(_PermissionViewSet):
    name = "audience_csv"
    icon = "upload"
    menu_label = _("Import readers")
    permission = admin_views.ADD_READERS

    def get_urlpatterns(self) -> list:
        return [
            path("import/", admin_views.ImportReadersView.as_view(), name="import"),
            path("import/<int:pk>/", admin_views.ImportProgressView.as_view(), name="progress"),
            path("export/", admin_views.export_readers, name="export"),
        ]


class ReadersGroup(ViewSetGroup):
    items = (ReaderViewSet, SuppressionViewSet, SubscribersReportViewSet, ReaderCsvViewSet)
    menu_label = _("Readers")
    menu_icon = "group"
    menu_order = 310  # just after Newsletters (300)
