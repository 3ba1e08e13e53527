"""``/webhooks/payments/<provider>/``: where Stripe and Mercado Pago post notifications."""

from django.urls import path

from masthead.funding import webhooks

app_name = "funding_webhooks"
urlpatterns = [
    path("<slug:provider>/", webhooks.payment_notification, name="payment_notification"),
]
