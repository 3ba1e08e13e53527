"""``/webhooks/whatsapp/``: where Meta's Cloud API sends its notifications (docs/channels.md)."""

from django.urls import path

from masthead.channels.whatsapp import webhook

app_name = "whatsapp_webhooks"
urlpatterns = [path("", webhook.whatsapp_webhook, name="notification")]

CSRF_EXEMPT_VIEWS = ("whatsapp_webhooks:notification",)
