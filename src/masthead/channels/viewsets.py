"""Wagtail admin: the Telegram channels (editable) and their posts (read-only), in one menu.

Posts change only through the services; an article's posts, with re-send, live on the
article's own "Channel posts" view (admin_views.py).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from masthead.channels.models import Delivery, TelegramChannel, WhatsAppMessage
from masthead.lib.adminviews import ReadOnlyModelViewSet


class TelegramChannelViewSet(ModelViewSet):
    model = TelegramChannel
    name = "telegram_channel"
    icon = "globe"
    menu_label = _("Telegram channels")
    copy_view_enabled = False
    list_display = ["name", "chat_id", "language", "enabled"]
    search_fields = ["name", "chat_id"]
    search_backend_name = None
    panels = [
        FieldPanel("name"),
        FieldPanel("chat_id"),
        FieldPanel("language"),
        FieldPanel("sections"),
        FieldPanel("enabled"),
    ]


class DeliveryFilterSet(WagtailFilterSet):
    class Meta:
        model = Delivery
        fields = ["state", "channel"]


class DeliveryViewSet(ReadOnlyModelViewSet):
    model = Delivery
    name = "channel_post"
    icon = "list-ul"
    menu_label = _("Channel posts")
    list_display = ["article", "channel", "state", "attempts", "api_message", "updated_at"]
    list_filter = None
    filterset_class = DeliveryFilterSet
    search_fields = None
    ordering = ["-updated_at", "-pk"]
    inspect_view_fields = [
        "article",
        "channel",
        "state",
        "attempts",
        "api_message",
        "error_code",
        "telegram_message_id",
        "created_at",
        "claimed_at",
        "sent_at",
        "next_attempt_at",
    ]

    def get_queryset(self, request: object) -> object:
        return Delivery.objects.select_related("article", "channel")


class WhatsAppMessageFilterSet(WagtailFilterSet):
    class Meta:
        model = WhatsAppMessage
        fields = ["state", "kind"]


class WhatsAppMessageViewSet(ReadOnlyModelViewSet):
    """Every WhatsApp message's state, without the reader's number (it is theirs)."""

    model = WhatsAppMessage
    name = "whatsapp_message"
    icon = "mail"
    menu_label = _("WhatsApp messages")
    list_display = [
        "article",
        "kind",
        "digest_date",
        "state",
        "attempts",
        "api_message",
        "updated_at",
    ]
    list_filter = None
    filterset_class = WhatsAppMessageFilterSet
    search_fields = None
    ordering = ["-updated_at", "-pk"]
    inspect_view_fields = [
        "kind",
        "article",
        "digest_date",
        "state",
        "attempts",
        "error_code",
        "api_message",
        "wamid",
        "created_at",
        "claimed_at",
        "sent_at",
        "status_at",
        "next_attempt_at",
    ]

    def get_queryset(self, request: object) -> object:
        return WhatsAppMessage.objects.select_related("article")


class ChannelsGroup(ViewSetGroup):
    items = (TelegramChannelViewSet, DeliveryViewSet, WhatsAppMessageViewSet)
    menu_label = _("Channels")
    menu_icon = "globe"
    menu_order = 310
