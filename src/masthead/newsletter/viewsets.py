"""Wagtail admin: newsletters with their subscribers, editions with their delivery report.

The edition's page is the snippet's inspect view (admin_views.EditionInspectView); the
actions on it, the preview, a digest and "send this by email" are extra routes of the
edition viewset, so they share its URL namespace, menu and permission policy.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import HeaderButton, ListingButton
from wagtail.snippets.views.snippets import (
    CreateView,
    DeleteView,
    EditView,
    IndexView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from masthead.audience.models import Newsletter
from masthead.newsletter import admin_views, queries, services
from masthead.newsletter.models import Edition


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    menu_label = _("Newsletters")
    list_display = [
        "name",
        "language",
        "sender_name",
        "is_public",
        Column("subscribers_count", label=_("Subscribers")),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Newsletter]:
        return queries.newsletters_with_counts()


class EditionIndexView(IndexView):
    digest_url_name: str | None = None

    @cached_property
    def header_buttons(self) -> list[HeaderButton]:
        buttons = list(super().header_buttons)
        if self.user_has_permission("add"):
            buttons.append(
                HeaderButton(
                    _("New digest"),
                    url=reverse(self.digest_url_name),
                    icon_name="list-ul",
                )
            )
        return buttons

    def get_list_more_buttons(self, instance: Edition) -> list:
        buttons = super().get_list_more_buttons(instance)
        if inspect_url := self.get_inspect_url(instance):
            # The edition's page is where the work is; the subject links to the form.
            before = instance.status in services.SCHEDULABLE
            label = _("Preview and send") if before else _("Report")
            buttons.append(ListingButton(label, url=inspect_url, priority=5))
        return buttons


class EditionCreateView(CreateView):
    inspect_url_name: str | None = None  # passed by the viewset once declared here

    def get_success_url(self) -> str:
        # Straight to the edition's page, where it is previewed and sent.
        return reverse(self.inspect_url_name, args=[self.object.pk])


class EditionEditView(EditView):
    """Only an edition not yet sent can change: a sent one is the record of what went out."""

    inspect_url_name: str | None = None  # passed by the viewset

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        edition = self.get_object()
        if edition.status not in services.SCHEDULABLE:
            messages.warning(
                request,
                _("This edition is sending or has been sent, so it can no longer be changed."),
            )
            return redirect(self.inspect_url_name, edition.pk)
        return super().dispatch(request, *args, **kwargs)


class EditionDeleteView(DeleteView):
    """An edition being sent cannot be deleted: its worker is writing its ledger."""

    inspect_url_name: str | None = None  # passed by the viewset

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        edition = self.get_object()
        if edition.status == Edition.Status.SENDING:
            messages.warning(request, _("This edition is being sent. Wait until it has finished."))
            return redirect(self.inspect_url_name, edition.pk)
        return super().dispatch(request, *args, **kwargs)


def _kind(edition: Edition) -> str:
    return queries.KIND_LABELS[queries.edition_kind(edition)]


class EditionViewSet(SnippetViewSet):
    model = Edition
    icon = "doc-full"
    menu_label = _("Editions")
    index_view_class = EditionIndexView
    add_view_class = EditionCreateView
    edit_view_class = EditionEditView
    delete_view_class = EditionDeleteView
    inspect_view_enabled = True
    inspect_view_class = admin_views.EditionInspectView
    list_display = [
        "subject",
        "newsletter",
        Column("kind", label=_("Kind"), accessor=_kind),
        "status",
        Column("recipients_count", label=_("Recipients")),
        Column("sent_count", label=_("Sent")),
        Column("failed_count", label=_("Failed")),
        Column("skipped_count", label=_("Skipped")),
        Column("bounced_count", label=_("Bounced")),
        Column("complained_count", label=_("Complaints")),
        Column("unsubscribed_count", label=_("Unsubscribed")),
        "finished_at",
    ]
    list_filter = ["status", "newsletter"]
    # Status and the ledger belong to the sending pipeline, never to a form.
    panels = [FieldPanel("newsletter"), FieldPanel("subject"), FieldPanel("article")]

    # Routes added to the snippet's own: name → (path, view class).
    _actions = {
        "preview": ("preview-email/<int:pk>/", admin_views.PreviewView),
        "preview_html": ("preview-email/<int:pk>/html/", admin_views.PreviewHtmlView),
        "send_test": ("send-test/<int:pk>/", admin_views.SendTestView),
        "send_now": ("send/<int:pk>/", admin_views.SendNowView),
        "schedule": ("schedule/<int:pk>/", admin_views.ScheduleView),
        "cancel": ("cancel/<int:pk>/", admin_views.CancelView),
        "digest": ("digest/", admin_views.DigestView),
        "from_article": ("from-article/<int:page_id>/", admin_views.ArticleEditionView),
    }
    # The actions the edition's page links or posts to.
    _page_actions = ("preview", "send_test", "send_now", "schedule", "cancel")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Edition]:
        return queries.editions_with_counts()

    def get_index_view_kwargs(self, **kwargs: object) -> dict:
        return super().get_index_view_kwargs(digest_url_name=self.get_url_name("digest"), **kwargs)

    def get_edit_view_kwargs(self, **kwargs: object) -> dict:
        return super().get_edit_view_kwargs(
            inspect_url_name=self.get_url_name("inspect"), **kwargs
        )

    def get_delete_view_kwargs(self, **kwargs: object) -> dict:
        return super().get_delete_view_kwargs(
            inspect_url_name=self.get_url_name("inspect"), **kwargs
        )

    def get_inspect_view_kwargs(self, **kwargs: object) -> dict:
        url_names = {name: self.get_url_name(name) for name in self._page_actions}
        return super().get_inspect_view_kwargs(url_names=url_names, **kwargs)

    def get_urlpatterns(self) -> list:
        extra = [
            path(
                route,
                self.construct_view(
                    view_class,
                    html_url_name=self.get_url_name("preview_html"),
                    # The schedule form's errors are shown on the edition's page itself.
                    **({"inspect_view": self.inspect_view} if name == "schedule" else {}),
                ),
                name=name,
            )
            for name, (route, view_class) in self._actions.items()
        ]
        return super().get_urlpatterns() + extra


class NewsletterGroup(SnippetViewSetGroup):
    items = (NewsletterViewSet, EditionViewSet)
    menu_label = _("Newsletters")
    menu_icon = "mail"
    menu_order = 300
