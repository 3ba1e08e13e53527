"""Wagtail admin: newsletters, and editions with their delivery counts."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from masthead.newsletter import queries
from masthead.newsletter.models import Edition, Newsletter


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    menu_label = _("Newsletters")
    list_display = ["name", "language", "sender_name", "is_public"]


class EditionViewSet(SnippetViewSet):
    model = Edition
    icon = "doc-full"
    menu_label = _("Editions")
    list_display = [
        "subject",
        "newsletter",
        "status",
        Column("recipients_count", label=_("Recipients")),
        Column("sent_count", label=_("Sent")),
        Column("failed_count", label=_("Failed")),
        Column("skipped_count", label=_("Skipped")),
        "finished_at",
    ]
    list_filter = ["status", "newsletter"]
    # Status and the ledger belong to the sending pipeline, never to a form.
    panels = [FieldPanel("newsletter"), FieldPanel("subject"), FieldPanel("article")]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Edition]:
        return queries.editions_with_counts()


class NewsletterGroup(SnippetViewSetGroup):
    items = (NewsletterViewSet, EditionViewSet)
    menu_label = _("Newsletters")
    menu_icon = "mail"
    menu_order = 300
