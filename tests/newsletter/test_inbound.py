"""The List-Unsubscribe mailto: works: mail sent to it through an ESP's inbound route ends
that reader's subscription to that newsletter, on the strength of the token alone."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from masthead.audience.models import Subscription
from masthead.newsletter import sending, services
from tests.newsletter import factories
from tests.newsletter.test_tracking import AUTH, SECRET, basic

pytestmark = pytest.mark.django_db

INBOUND = "/webhooks/email/postmark/inbound/"


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


@pytest.fixture
def mailto(sink):
    """The mailto: of the List-Unsubscribe header ana@ received, and her two newsletters."""
    daily = factories.newsletter()
    weekly = factories.newsletter(name="Weekly", slug="weekly")
    ana = factories.subscriber(daily, "ana@example.org")
    factories.subscriber(weekly, "other@example.org")
    Subscription.objects.create(
        reader=ana,
        newsletter=weekly,
        status=Subscription.Status.CONFIRMED,
        source=Subscription.Source.FORM,
        consented_at=ana.created_at,
    )
    sending.send_edition(edition=services.create_edition(newsletter=daily, subject="Monday"))
    [copy] = sink.for_rcpt("ana@example.org")
    header = str(copy.parsed()["List-Unsubscribe"])
    [link] = [part.strip(" <>") for part in header.split(",") if "mailto:" in part]
    return link, daily, weekly, ana


def _mail(to: str, subject: str, sender: str = "ana@example.org") -> dict:
    """A Postmark inbound webhook payload (anymail builds the message from these fields)."""
    return {
        "FromFull": {"Email": sender, "Name": ""},
        "ToFull": [{"Email": to, "Name": ""}],
        "Subject": subject,
        "TextBody": "",
        "Headers": [],
    }


def _post(client, payload: dict, auth: dict = AUTH):
    return client.post(INBOUND, json.dumps(payload), content_type="application/json", **auth)


def _status(reader, newsletter) -> str:
    return Subscription.objects.get(reader=reader, newsletter=newsletter).status


def test_mail_to_the_unsubscribe_address_ends_that_subscription_only(client, mailto):
    link, daily, weekly, ana = mailto
    parts = urlsplit(link)
    subject = unquote(parse_qs(parts.query)["subject"][0])
    assert subject.startswith("unsubscribe ")

    response = _post(client, _mail(parts.path, subject))
    assert response.status_code == 200
    assert _status(ana, daily) == Subscription.Status.UNSUBSCRIBED
    assert _status(ana, weekly) == Subscription.Status.CONFIRMED
    # A reply ("Re: unsubscribe …") from another address works too: the token decides.
    assert _post(client, _mail(parts.path, f"Re: {subject}", "x@example.net")).status_code == 200


@pytest.mark.parametrize(
    "subject", ["unsubscribe", "unsubscribe not-a-token", "please stop", "", "unsubscribe \x00"]
)
def test_mail_without_a_valid_token_changes_nothing(client, mailto, subject):
    _link, daily, _weekly, ana = mailto
    assert _post(client, _mail("newsroom@localhost", subject)).status_code == 200
    assert _status(ana, daily) == Subscription.Status.CONFIRMED


def test_an_unverified_post_is_refused_and_changes_nothing(client, mailto, settings):
    link, daily, _weekly, ana = mailto
    subject = unquote(parse_qs(urlsplit(link).query)["subject"][0])
    assert _post(client, _mail("x", subject), auth=basic("esp-hook:wrong")).status_code == 400
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    assert _post(client, _mail("x", subject)).status_code == 403
    assert _status(ana, daily) == Subscription.Status.CONFIRMED
