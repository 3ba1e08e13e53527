"""ESP webhooks (django-anymail) for bounces and complaints, posted as the ESPs post them.

Each test sends a real edition to the loopback sink first, so the deliveries the webhook
talks about exist with the Message-IDs the sink saw.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver

from masthead.audience.models import Subscription, Suppression
from masthead.channels.whatsapp import webhook_urls as whatsapp_webhooks
from masthead.funding import webhooks as payment_webhooks
from masthead.newsletter import sending, services, views
from masthead.newsletter.models import Delivery
from tests.newsletter import factories

pytestmark = [
    pytest.mark.django_db,
    # anymail still parses SendGrid's events; it only stopped testing against SendGrid.
    pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning"),
]

SECRET = "esp-hook:correct-horse-battery"
MAILGUN_KEY = "mailgun-signing-key-for-tests"
POSTMARK = "/webhooks/email/postmark/tracking/"
MAILGUN = "/webhooks/email/mailgun/tracking/"
SENDGRID = "/webhooks/email/sendgrid/tracking/"


def basic(credentials: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


AUTH = basic(SECRET)


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}


@pytest.fixture
def sent(sink):
    """One edition of "daily", sent to three readers; returns (newsletter, {email: delivery})."""
    daily = factories.newsletter()
    emails = ["ana@example.org", "Bea@Example.org", "cy@example.org"]
    for email in emails:
        factories.subscriber(daily, email)
    edition = sending.send_edition(
        edition=services.create_edition(newsletter=daily, subject="Monday")
    )
    deliveries = {d.email.lower(): d for d in edition.deliveries.all()}
    assert all(d.status == Delivery.Status.SENT for d in deliveries.values())
    return daily, deliveries


def post_json(client, url: str, payload: object, auth: dict = AUTH):
    return post_body(client, url, json.dumps(payload), auth)


def post_body(client, url: str, body: str, auth: dict = AUTH):
    """Post as the ESP does; the inbox's processing task runs on commit, as in production."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, body, content_type="application/json", **auth)


def postmark_bounce(email: str, kind: str = "HardBounce", message_id: str = "pm-uuid") -> dict:
    # Postmark's documented bounce webhook; MessageID is Postmark's own id, not ours.
    return {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": 1 if kind == "HardBounce" else 4096,
        "Name": "Hard bounce" if kind == "HardBounce" else "Soft bounce",
        "Tag": "",
        "MessageID": message_id,
        "Metadata": {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist",
        "Email": email,
        "From": "newsroom@localhost",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "DumpAvailable": False,
        "Inactive": kind == "HardBounce",
        "CanActivate": True,
        "Subject": "Monday",
    }


def postmark_complaint(email: str) -> dict:
    return {
        "RecordType": "SpamComplaint",
        "MessageStream": "outbound",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "MessageID": "00000000-0000-0000-0000-000000000000",
        "Metadata": {},
        "ServerID": 23,
        "Description": "The subscriber explicitly marked this message as spam.",
        "Details": "Test spam complaint details",
        "Email": email,
        "From": "newsroom@localhost",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "Subject": "Monday",
    }


def mailgun_failed(
    email: str, message_id: str, severity: str = "permanent", key: str = MAILGUN_KEY
) -> dict:
    timestamp, token = "1764000000", "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature.hexdigest()},
        "event-data": {
            "event": "failed",
            "severity": severity,
            "reason": "bounce" if severity == "permanent" else "generic",
            "id": "G9Bn5sl1TC6nu79C8C0bwg",
            "timestamp": 1764000000.375624,
            "recipient": email,
            "message": {
                "headers": {
                    "to": email,
                    "message-id": message_id,
                    "from": "newsroom@localhost",
                    "subject": "Monday",
                }
            },
            "delivery-status": {
                "code": 550 if severity == "permanent" else 452,
                "message": "5.1.1 The email account that you tried to reach does not exist",
                "description": "No such user",
            },
            "user-variables": {},
            "tags": [],
        },
    }


def sendgrid_event(email: str, kind: str = "bounce") -> list:
    return [
        {
            "email": email,
            "timestamp": 1764000000,
            "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
            "event": "bounce",
            "category": ["newsletter"],
            "sg_event_id": "6g4ZI7SA-xmRDv57GoPIPw==",
            "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
            "reason": "500 unknown recipient",
            "status": "5.0.0",
            "type": kind,
        }
    ]


def suppressed(email: str) -> bool:
    return Suppression.objects.filter(email=email.lower()).exists()


class TestHardBounce:
    def test_a_postmark_hard_bounce_suppresses_and_stamps_the_delivery(self, client, sent):
        _, deliveries = sent
        response = post_json(client, POSTMARK, postmark_bounce("bea@example.org"))
        assert response.status_code == 200
        suppression = Suppression.objects.get(email="bea@example.org")
        assert suppression.reason == Suppression.Reason.HARD_BOUNCE
        assert "Postmark" in suppression.detail
        assert "550 5.1.1" in suppression.detail
        delivery = Delivery.objects.get(pk=deliveries["bea@example.org"].pk)
        assert delivery.bounced_at is not None
        assert delivery.complained_at is None

    def test_the_next_edition_skips_a_bounced_reader(self, client, sink, sent):
        daily, _ = sent
        post_json(client, POSTMARK, postmark_bounce("ana@example.org"))

        edition = sending.send_edition(
            edition=services.create_edition(newsletter=daily, subject="Tuesday")
        )

        counts = {rcpt.lower(): n for rcpt, n in sink.rcpt_counts().items()}
        assert counts == {"ana@example.org": 1, "bea@example.org": 2, "cy@example.org": 2}
        assert (edition.recipients_count, edition.excluded_count) == (2, 1)

    def test_a_mailgun_permanent_failure_matches_our_message_id_without_brackets(
        self, client, sent
    ):
        daily, deliveries = sent
        first = deliveries["cy@example.org"]
        # A later edition too: the bounce names the first one by its Message-ID.
        sending.send_edition(edition=services.create_edition(newsletter=daily, subject="Tue"))
        later = Delivery.objects.exclude(edition=first.edition).get(email="cy@example.org")

        bare = first.message_id.strip("<>")
        response = post_json(client, MAILGUN, mailgun_failed("cy@example.org", bare))

        assert response.status_code == 200
        assert suppressed("cy@example.org")
        assert Delivery.objects.get(pk=first.pk).bounced_at is not None
        assert Delivery.objects.get(pk=later.pk).bounced_at is None

    def test_a_message_id_must_name_the_row_and_its_edition_to_match_by_id(self, client, sent):
        daily, deliveries = sent
        first = deliveries["cy@example.org"]
        sending.send_edition(edition=services.create_edition(newsletter=daily, subject="Tue"))
        later = Delivery.objects.exclude(edition=first.edition).get(email="cy@example.org")
        # The first row's id under the later edition's public id: no row is both.
        forged = first.message_id.replace(first.edition.public_id.hex, later.edition.public_id.hex)

        response = post_json(client, MAILGUN, mailgun_failed("cy@example.org", forged))

        assert response.status_code == 200
        # Matched by address instead: the newest sent to it.
        assert Delivery.objects.get(pk=first.pk).bounced_at is None
        assert Delivery.objects.get(pk=later.pk).bounced_at is not None

    def test_a_sendgrid_bounce_suppresses(self, client, sent):
        response = post_json(client, SENDGRID, sendgrid_event("ana@example.org"))
        assert response.status_code == 200
        assert suppressed("ana@example.org")

    def test_a_repeated_webhook_changes_nothing(self, client, sent):
        _, deliveries = sent
        payload = postmark_bounce("ana@example.org")
        post_json(client, POSTMARK, payload)
        first = Delivery.objects.get(pk=deliveries["ana@example.org"].pk).bounced_at
        for _ in range(3):
            assert post_json(client, POSTMARK, payload).status_code == 200
        assert Suppression.objects.filter(email="ana@example.org").count() == 1
        assert Delivery.objects.get(pk=deliveries["ana@example.org"].pk).bounced_at == first

    def test_an_unknown_address_and_message_id_is_still_suppressed(self, client, sent):
        payload = mailgun_failed("stranger@example.net", "<nobody@elsewhere.example>")
        assert post_json(client, MAILGUN, payload).status_code == 200
        assert suppressed("stranger@example.net")
        assert not Delivery.objects.filter(bounced_at__isnull=False).exists()


class TestSoftBounce:
    def test_a_postmark_soft_bounce_suppresses_nobody(self, client, sent):
        response = post_json(client, POSTMARK, postmark_bounce("ana@example.org", "SoftBounce"))
        assert response.status_code == 200
        assert not Suppression.objects.exists()
        assert not Delivery.objects.filter(bounced_at__isnull=False).exists()

    def test_a_mailgun_temporary_failure_suppresses_nobody(self, client, sent):
        _, deliveries = sent
        message_id = deliveries["ana@example.org"].message_id
        payload = mailgun_failed("ana@example.org", message_id, severity="temporary")
        assert post_json(client, MAILGUN, payload).status_code == 200
        assert not Suppression.objects.exists()

    def test_a_sendgrid_block_suppresses_nobody(self, client, sent):
        response = post_json(client, SENDGRID, sendgrid_event("ana@example.org", "blocked"))
        assert response.status_code == 200
        assert not Suppression.objects.exists()


class TestComplaint:
    def test_a_complaint_suppresses_unsubscribes_and_stamps_the_delivery(self, client, sent):
        daily, deliveries = sent
        response = post_json(client, POSTMARK, postmark_complaint("Bea@Example.org"))
        assert response.status_code == 200
        assert Suppression.objects.get(email="bea@example.org").reason == (
            Suppression.Reason.COMPLAINT
        )
        subscription = Subscription.objects.get(reader__email="Bea@Example.org", newsletter=daily)
        assert subscription.status == Subscription.Status.UNSUBSCRIBED
        delivery = Delivery.objects.get(pk=deliveries["bea@example.org"].pk)
        assert delivery.complained_at is not None
        assert delivery.unsubscribed_at is not None

    def test_a_repeated_complaint_changes_nothing(self, client, sent):
        for _ in range(2):
            assert (
                post_json(client, POSTMARK, postmark_complaint("cy@example.org")).status_code
                == 200
            )
        assert Suppression.objects.count() == 1
        assert Delivery.objects.filter(complained_at__isnull=False).count() == 1


class TestUnsubscribe:
    def test_an_esp_unsubscribe_ends_that_newsletter_only_and_suppresses_nobody(
        self, client, sent
    ):
        _, deliveries = sent
        weekly = factories.newsletter(name="Weekly", slug="weekly")
        reader = deliveries["ana@example.org"].reader
        Subscription.objects.create(
            reader=reader,
            newsletter=weekly,
            status=Subscription.Status.CONFIRMED,
            source=Subscription.Source.FORM,
            consented_at=reader.created_at,
        )
        payload = mailgun_failed("ana@example.org", deliveries["ana@example.org"].message_id)
        payload["event-data"].update(event="unsubscribed", severity=None)

        assert post_json(client, MAILGUN, payload).status_code == 200

        statuses = dict(
            Subscription.objects.filter(reader=reader).values_list("newsletter__slug", "status")
        )
        assert statuses == {"daily": "unsubscribed", "weekly": "confirmed"}
        assert not Suppression.objects.exists()


class TestVerification:
    @pytest.mark.parametrize(
        "auth", [{}, basic("esp-hook:wrong"), basic("someone:correct-horse-battery")]
    )
    def test_missing_or_wrong_basic_auth_is_refused_and_writes_nothing(self, client, sent, auth):
        response = post_json(client, POSTMARK, postmark_bounce("ana@example.org"), auth=auth)
        assert response.status_code in {400, 401, 403}
        assert not Suppression.objects.exists()

    def test_a_bad_mailgun_signature_is_refused_and_writes_nothing(self, client, sent):
        _, deliveries = sent
        payload = mailgun_failed(
            "ana@example.org", deliveries["ana@example.org"].message_id, key="not-the-key"
        )
        assert post_json(client, MAILGUN, payload).status_code == 400
        assert not Suppression.objects.exists()
        assert not Delivery.objects.filter(bounced_at__isnull=False).exists()

    def test_without_a_secret_the_webhooks_are_off(self, client, settings, sent):
        settings.ANYMAIL = {"WEBHOOK_SECRET": "", "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
        response = post_json(client, POSTMARK, postmark_bounce("ana@example.org"), auth={})
        assert response.status_code == 403
        assert not Suppression.objects.exists()

    @pytest.mark.parametrize("url", [POSTMARK, MAILGUN, SENDGRID])
    @pytest.mark.parametrize("body", ["{not json", "", "[1, 2]", "null", '"text"'])
    def test_a_malformed_body_is_a_400_not_a_500(self, client, url, body):
        response = post_body(client, url, body)
        assert response.status_code == 400
        assert not Suppression.objects.exists()

    def test_an_event_we_do_not_act_on_is_acknowledged(self, client, sent):
        opened = {"RecordType": "Open", "Recipient": "ana@example.org", "MessageID": "x"}
        assert post_json(client, POSTMARK, opened).status_code == 200
        assert post_json(client, POSTMARK, {"RecordType": 5}).status_code == 200
        assert not Suppression.objects.exists()

    def test_the_webhooks_need_no_csrf_token(self, sent):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        response = post_json(strict, POSTMARK, postmark_bounce("ana@example.org"))
        assert response.status_code == 200


def _named_callbacks(patterns: list, namespace: str = "") -> list:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _named_callbacks(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            found.append((f"{namespace}{entry.name}", entry.callback))
    return found


def test_csrf_exempt_views_outside_sign_up_are_exactly_the_webhook_allow_lists():
    exempt = {
        name
        for name, callback in _named_callbacks(get_resolver().url_patterns)
        if getattr(callback, "csrf_exempt", False)
        # The sign-up view has its own allow-list (tests/audience/test_csrf_and_cache.py);
        # Wagtail's admin API answers only signed-in editors.
        and not callback.__module__.startswith(("masthead.audience", "wagtail."))
        # The content API is read-only: Django REST framework exempts its views, which
        # answer GET and HEAD only (tests/discovery/test_api.py).
        and not name.startswith("content_api:")
    }
    # Besides the newsletter's, only the payment providers' notifications (funding) and
    # Meta's WhatsApp notifications (channels), each checked by its signature.
    assert exempt == (
        set(views.CSRF_EXEMPT_VIEWS)
        | set(payment_webhooks.CSRF_EXEMPT_VIEWS)
        | set(whatsapp_webhooks.CSRF_EXEMPT_VIEWS)
    )
    assert "whatsapp_webhooks:notification" in exempt
    assert "funding_webhooks:payment_notification" in exempt
    assert "anymail:postmark_tracking_webhook" in exempt
    assert "anymail:postmark_inbound_webhook" in exempt


def test_the_deploy_check_warns_when_an_esp_sends_but_its_webhooks_are_off(settings):
    from masthead.checks import check_email_webhooks

    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    assert [w.id for w in check_email_webhooks()] == ["masthead.W003"]
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    assert check_email_webhooks() == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    assert check_email_webhooks() == []
