"""The baseline of bench/webhooks.py: a bare Django view that checks a Stripe signature.

A one-file Django project served by the same gunicorn settings as ``masthead serve``: one
URL, no middleware, no database. It does what any Stripe webhook must do at the least
(verify the signature over the raw body, answer 200), so Masthead's endpoint is measured
against the framework's floor, not against nothing.
"""

from __future__ import annotations

import os

import django
import stripe
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

SECRET = os.environ.get("BENCH_WEBHOOK_SECRET", "whsec_bench")


def webhook(request: HttpRequest) -> HttpResponse:
    try:
        stripe.WebhookSignature.verify_header(
            request.body.decode(), request.headers.get("Stripe-Signature", ""), SECRET, 300
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError):
        return HttpResponse(status=400)
    return HttpResponse("ok")


urlpatterns = [path("webhooks/payments/stripe/", webhook)]

if not settings.configured:
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        SECRET_KEY="bench-only-not-secret",  # a local benchmark: no sessions
    )
    django.setup()

application = get_wsgi_application()
