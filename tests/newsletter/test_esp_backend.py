"""Sending through an ESP's API (django-anymail) instead of SMTP: the same pipeline and ledger.

Anymail's own test backend stands in for the ESP: it records each message as the ESP's API
would receive it. A wrapper around it can fail the way ESP APIs fail: a refused
recipient (final) or an API error (tried again later).
"""

from __future__ import annotations

import pytest
from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.core import mail

from masthead.newsletter import sending, services
from masthead.newsletter.models import Delivery
from tests.newsletter import factories

pytestmark = pytest.mark.django_db

TEST_BACKEND = "anymail.backends.test.EmailBackend"


class FlakyESP(AnymailTestBackend):
    """Refuses ``refused`` recipients, and fails the API once for ``down_once``."""

    refused: set[str] = set()
    down_once: set[str] = set()

    def send_messages(self, email_messages):
        for message in email_messages:
            (to,) = message.to
            if to in self.refused:
                raise AnymailRecipientsRefused("the ESP refused the recipient")
            if to in self.down_once:
                FlakyESP.down_once = self.down_once - {to}
                raise AnymailAPIError("ESP API answered 503")
        return super().send_messages(email_messages)


@pytest.fixture
def daily():
    newsletter = factories.newsletter(sender_name="Boletín Año")
    for i in range(3):
        factories.subscriber(newsletter, f"reader{i}@example.org")
    return newsletter


def test_an_edition_goes_through_the_esp_with_both_parts_and_the_list_headers(settings, daily):
    settings.EMAIL_BACKEND = TEST_BACKEND
    edition = sending.send_edition(
        edition=services.create_edition(newsletter=daily, subject="Por la API")
    )
    assert edition.status == "sent"
    assert sorted(m.to[0] for m in mail.outbox) == [f"reader{i}@example.org" for i in range(3)]
    message = mail.outbox[0]
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/newsletter/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert message.anymail_test_params["subject"] == "Por la API"
    assert set(edition.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_refused_recipient_fails_and_an_api_error_is_tried_again(settings, daily):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyESP"
    settings.NEWSLETTER_RETRY_SECONDS = 0
    FlakyESP.refused = {"reader0@example.org"}
    FlakyESP.down_once = {"reader1@example.org"}
    edition = sending.send_edition(
        edition=services.create_edition(newsletter=daily, subject="Flaky")
    )
    rows = {d.email: d for d in edition.deliveries.all()}
    assert rows["reader0@example.org"].status == Delivery.Status.FAILED
    assert "AnymailRecipientsRefused" in rows["reader0@example.org"].last_error
    assert (rows["reader1@example.org"].status, rows["reader1@example.org"].attempts) == (
        Delivery.Status.SENT,
        2,
    )
    assert rows["reader2@example.org"].status == Delivery.Status.SENT
    assert edition.status == "sent"
    assert sorted(m.to[0] for m in mail.outbox) == ["reader1@example.org", "reader2@example.org"]
