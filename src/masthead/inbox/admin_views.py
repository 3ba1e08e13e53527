"""Admin views for the inbox beyond the listing: "process again" for a failed event."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from masthead.inbox import services
from masthead.inbox.models import Event

CHANGE_EVENTS = "inbox.change_event"


def process_again(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks (with what failed); POST puts a failed event back on the worker's queue."""
    if not request.user.has_perm(CHANGE_EVENTS):
        raise PermissionDenied
    event = get_object_or_404(Event, pk=pk)
    inspect_url = reverse("inbox_event:inspect", args=[event.pk])
    if request.method == "POST":
        if services.process_again(event=event):
            messages.success(request, _("The event will be processed again in a moment."))
        else:
            messages.warning(request, _("Only a failed event can be processed again."))
        return redirect(inspect_url)
    return TemplateResponse(
        request,
        "inbox/admin/process_again.html",
        {"event": event, "page_title": _("Process again"), "inspect_url": inspect_url},
    )
