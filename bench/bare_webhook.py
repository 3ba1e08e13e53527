"""The baselines of bench/webhooks.py: a bare Django view that checks a Stripe signature.

It does what any Stripe webhook must do at the least (verify the signature over the raw
body, answer 200), so Masthead's endpoint is measured against that floor, not against
nothing. The view is served two ways:

- inside Masthead's own process (bench/masthead_with_bare_view.py: Masthead's settings
  and URLs plus this view under ``/webhooks/``), as issue 9 words the target: the same server,
  settings and middleware, so the ratio is what storing the event costs;
- alone, as this module's one-file Django project (one URL, no middleware, no database),
  served by the same gunicorn settings: the framework's floor, a stricter comparison.
"""

from __future__ import annotations

import os

import django
import stripe
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

SECRET = os.environ.get("BENCH_WEBHOOK_SECRET", "whsec_bench")


@csrf_exempt  # as every webhook view is (a provider has no CSRF token)
def webhook(request: HttpRequest) -> HttpResponse:
    try:
        stripe.WebhookSignature.verify_header(
            request.body.decode(), request.headers.get("Stripe-Signature", ""), SECRET, 300
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError):
        return HttpResponse(status=400)
    return HttpResponse("ok")


urlpatterns = [path("webhooks/payments/stripe/", webhook)]
IN_MASTHEAD_PATH = "/webhooks/bench/bare/"  # where bench/masthead_with_bare_urls.py mounts it

if os.environ.get("BENCH_BARE_ALONE"):  # served alone (gunicorn bench.bare_webhook)
    from django.core.wsgi import get_wsgi_application

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
