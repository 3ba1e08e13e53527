"""/webhooks/ takes the short way through the middleware (lib/webhookpath.py, issue 9 §5).

A provider's post goes from SecurityMiddleware straight to its CSRF-exempt view: it is
answered as before (stored, refused with a reason, 404 for an unknown provider, 400 for a
host outside ALLOWED_HOSTS) without the browser middleware's work, whose traces (a CSP
header, Vary, Content-Language) are absent. Anything else keeps the full chain.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from masthead.funding.models import Checkout
from masthead.inbox.models import Event
from tests.funding import fake_stripe
from tests.funding.fake_stripe import WEBHOOK_PATH, FakeStripe, sign

pytestmark = pytest.mark.django_db

BROWSER_HEADERS = ("Content-Security-Policy", "Permissions-Policy", "Vary", "Content-Language")


@pytest.fixture
def stripe_api(settings):
    with FakeStripe().running() as fake:
        fake_stripe.use(settings, fake)
        yield fake


@pytest.fixture
def event_body(stripe_api) -> str:
    checkout = Checkout.objects.create(
        kind=Checkout.Kind.DONATION,
        provider="stripe",
        email="giver@example.org",
        amount=2500,
        currency="USD",
    )
    return json.dumps(
        stripe_api.event("checkout.session.completed", stripe_api.donation(checkout))
    )


def post(client, body: str, path: str = WEBHOOK_PATH, **headers: str):
    return client.post(path, data=body, content_type="application/json", headers=headers)


def test_a_signed_event_is_stored_and_answered_without_the_browser_middleware(
    client, event_body, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event_body, Stripe_Signature=sign(event_body))

    assert response.status_code == 200
    assert response.content == b"Stored."
    assert Event.objects.filter(provider="stripe").count() == 1
    assert response["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware stays
    assert [name for name in BROWSER_HEADERS if name in response] == []
    assert not response.cookies


def test_a_refusal_and_an_unknown_provider_are_answered_as_before(client, event_body):
    refused = post(client, event_body)
    unknown = post(client, event_body, "/webhooks/payments/nobody/", Stripe_Signature="t=1")

    assert (refused.status_code, refused.content) == (400, b"Missing Stripe-Signature header.")
    assert unknown.status_code == 404
    assert not Event.objects.exists()


def test_a_host_outside_allowed_hosts_is_refused_and_nothing_is_stored(client, event_body):
    response = post(client, event_body, Stripe_Signature=sign(event_body), Host="evil.example")

    assert response.status_code == 400
    assert not Event.objects.exists()


def test_a_view_that_is_not_csrf_exempt_keeps_the_whole_chain(settings):
    settings.WEBHOOK_PATH_PREFIX = "/admin/"  # the sign-in view is CSRF-protected
    client = Client(enforce_csrf_checks=True)

    response = client.post("/admin/login/", {"username": "a", "password": "b"})

    assert response.status_code == 403
    assert "Content-Security-Policy" not in response  # /admin/ is excluded from CSP anyway
    assert "Vary" in response
