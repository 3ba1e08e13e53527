"""Wagtail admin for outgoing webhooks: endpoints (editable), the delivery log (read-only),
and a dashboard notice for every endpoint that was disabled because it kept failing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSet

from masthead.channels.webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from masthead.lib import ssrf
from masthead.lib.adminviews import ReadOnlyModelViewSet


class EndpointForm(WagtailAdminModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        required=True,
    )

    def clean_url(self) -> str:
        # The same check the request will meet (lib/ssrf.py), told to the editor now rather
        # than found in the delivery log later. A name that does not resolve yet is allowed.
        url = self.cleaned_data["url"]
        if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
            address = urlsplit(url)
            port = address.port or (443 if address.scheme == "https" else 80)
            try:
                ssrf.check_host(
                    address.hostname or "",
                    port,
                    allowed_networks=settings.WEBHOOK_ALLOWED_NETWORKS,
                )
            except ssrf.BlockedAddress as error:
                raise forms.ValidationError(str(error)) from None
            except ssrf.Unresolvable:
                pass
        return url

    def save(self, commit: bool = True) -> WebhookEndpoint:
        endpoint = super().save(commit=False)
        if endpoint.enabled:
            # Turned on again by an editor: the notice goes and the failure count restarts.
            endpoint.disabled_reason, endpoint.disabled_at = "", None
            endpoint.failures_in_a_row = 0
        if commit:
            endpoint.save()
        return endpoint


class EndpointViewSet(ModelViewSet):
    model = WebhookEndpoint
    name = "webhook_endpoint"
    icon = "link-external"
    menu_label = _("Webhooks")
    add_to_settings_menu = True
    list_display = ["name", "url", "enabled", "failures_in_a_row", "disabled_reason"]
    search_fields = ["name", "url"]
    search_backend_name = None
    copy_view_enabled = False

    # The base form gives the events their checkboxes.
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("url"),
            FieldPanel("events"),
            FieldPanel("enabled"),
            FieldPanel("secret"),
        ],
        base_form_class=EndpointForm,
    )


class DeliveryViewSet(ReadOnlyModelViewSet):
    model = WebhookDelivery
    name = "webhook_delivery"
    icon = "list-ul"
    menu_label = _("Webhook deliveries")
    add_to_settings_menu = True
    list_display = [
        "event",
        "endpoint",
        "article",
        "state",
        "attempts",
        "status_code",
        "created_at",
    ]
    list_filter = ["state", "event", "endpoint"]
    search_fields = ["message_id"]
    search_backend_name = None
    ordering = ["-created_at", "-pk"]
    inspect_view_fields = [
        "message_id",
        "event",
        "endpoint",
        "article",
        "state",
        "attempts",
        "status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "body",
    ]


class DisabledEndpointsPanel(Component):
    """The editors' notice: endpoints switched off by a 410 or by failing again and again."""

    name = "disabled_webhooks"
    order = 50
    template_name = "channels/webhooks/disabled_panel.html"

    def __init__(self, endpoints: list[WebhookEndpoint]) -> None:
        self.endpoints = endpoints

    def get_context_data(self, parent_context: dict | None = None) -> dict:
        return {"endpoints": self.endpoints}


@hooks.register("register_admin_viewset")
def register_endpoints() -> EndpointViewSet:
    return EndpointViewSet()


@hooks.register("register_admin_viewset")
def register_deliveries() -> DeliveryViewSet:
    return DeliveryViewSet()


@hooks.register("construct_homepage_panels")
def add_disabled_notice(request: Any, panels: list) -> None:
    disabled = list(
        WebhookEndpoint.objects.filter(enabled=False, disabled_at__isnull=False).order_by(
            "-disabled_at"
        )
    )
    if disabled:
        panels.append(DisabledEndpointsPanel(disabled))
