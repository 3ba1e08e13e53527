"""A reader's WhatsApp opt-in on the account page: a real E.164 number, an explicit
unticked consent box, a consent row for every opt-in, change and opt-out; and nothing at
all when WhatsApp is not configured."""

from __future__ import annotations

import pytest
from django.test import Client

from masthead.channels.whatsapp.forms import CONSENT_WORDING
from masthead.channels.whatsapp.models import WhatsAppConsent, WhatsAppFollower
from tests.audience.accounts import ACCOUNT, reader, signed_in

pytestmark = pytest.mark.django_db

PAGE = "/en/account/whatsapp/"


def _good(**overrides: str) -> dict:
    return {"phone": "+54 9 11 2345-6789", "frequency": "article", "consent": "on", **overrides}


def _nothing_written() -> bool:
    return not WhatsAppFollower.objects.exists() and not WhatsAppConsent.objects.exists()


def test_without_configuration_there_is_no_whatsapp_field_anywhere(publication):
    client = signed_in(reader("off@example.org"))
    account = client.get(ACCOUNT)
    assert account.status_code == 200
    assert "WhatsApp" not in account.content.decode()
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, _good()).status_code == 404
    assert _nothing_written()


def test_the_account_page_links_to_an_unticked_consent_box(graph, publication):
    client = signed_in(reader("ana@example.org"))
    account = client.get(ACCOUNT).content.decode()
    assert "Updates on WhatsApp" in account and PAGE in account
    page = client.get(PAGE).content.decode()
    box = next(line for line in page.splitlines() if 'name="consent"' in line)
    assert 'type="checkbox"' in box and "checked" not in box
    assert "replying STOP" in page


def test_opting_in_stores_the_number_and_logs_the_consent(graph, publication):
    ana = reader("ana@example.org", language="es")
    client = signed_in(ana)
    response = client.post(PAGE, _good(frequency="digest"), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302 and response["Location"] == ACCOUNT
    follower = WhatsAppFollower.objects.get(reader=ana)
    assert (follower.phone, follower.wa_id) == ("+5491123456789", "5491123456789")
    assert (follower.frequency, follower.active) == ("digest", True)
    consent = WhatsAppConsent.objects.get()
    assert consent.reader == ana
    assert (consent.kind, consent.source, consent.frequency) == ("opt_in", "account", "digest")
    assert consent.wording == CONSENT_WORDING
    assert consent.phone_tail == "89" and consent.client == "203.0.113.9"
    assert consent.at is not None
    assert "+5491123456789" in client.get(ACCOUNT).content.decode()


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "12345678",  # no country code
        "+0123456789",  # a country code never starts with 0
        "+54 9 11 abcd 6789",
        "+1234567",  # too short to be anyone's
        "+1234567890123456",  # 16 digits: longer than E.164 allows
        "+54 9 11 2345 6789 ext 2",
        "+54\n91123456789",
    ],
)
def test_a_number_that_is_not_e164_gets_a_clear_error_and_nothing_is_written(
    graph, publication, phone
):
    client = signed_in(reader("bad@example.org"))
    response = client.post(PAGE, _good(phone=phone))
    assert response.status_code == 400
    page = response.content.decode()
    assert "country code" in page and 'role="alert"' in page
    assert _nothing_written()


def test_without_the_consent_box_nothing_is_written(graph, publication):
    client = signed_in(reader("shy@example.org"))
    data = _good()
    del data["consent"]
    response = client.post(PAGE, data)
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert _nothing_written()


def test_an_unknown_frequency_is_refused(graph, publication):
    client = signed_in(reader("odd@example.org"))
    assert client.post(PAGE, _good(frequency="hourly")).status_code == 400
    assert _nothing_written()


def test_every_post_needs_a_csrf_token(graph, publication):
    strict = signed_in(reader("csrf@example.org"), Client(enforce_csrf_checks=True))
    for path in (PAGE, PAGE + "frequency/", PAGE + "stop/"):
        assert strict.post(path, _good()).status_code == 403
    assert _nothing_written()


def test_signed_out_visitors_are_sent_to_sign_in(graph, publication):
    response = Client().post(PAGE, _good())
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    assert _nothing_written()


def test_changing_frequency_and_stopping_each_log_a_row_and_opting_in_again_another(
    graph, publication
):
    ana = reader("ana@example.org")
    client = signed_in(ana)
    client.post(PAGE, _good())
    assert client.post(PAGE + "frequency/", {"frequency": "digest"}).status_code == 302
    assert client.post(PAGE + "frequency/", {"frequency": "digest"}).status_code == 302  # same
    assert client.post(PAGE + "stop/").status_code == 302
    assert client.post(PAGE + "stop/").status_code == 302  # already stopped: no second row
    follower = WhatsAppFollower.objects.get(reader=ana)
    assert not follower.active and follower.opted_out_at is not None
    assert "Get updates on WhatsApp" in client.get(ACCOUNT).content.decode()
    client.post(PAGE, _good(phone="+34 612 34 56 78"))
    follower.refresh_from_db()
    assert follower.active and follower.phone == "+34612345678"
    kinds = list(WhatsAppConsent.objects.order_by("at", "id").values_list("kind", "source"))
    assert kinds == [
        ("opt_in", "account"),
        ("change", "account"),
        ("opt_out", "account"),
        ("opt_in", "account"),
    ]


def test_a_stopped_reader_cannot_change_frequency_without_opting_in_again(graph, publication):
    ana = reader("ana@example.org")
    client = signed_in(ana)
    client.post(PAGE, _good())
    client.post(PAGE + "stop/")
    client.post(PAGE + "frequency/", {"frequency": "digest"})
    assert WhatsAppFollower.objects.get(reader=ana).frequency == "article"
    assert WhatsAppConsent.objects.filter(kind="change").count() == 0


def test_the_deploy_check_names_what_is_missing(settings):
    from masthead.checks import check_whatsapp

    assert check_whatsapp() == []  # off, and nothing set: nothing to say
    settings.WHATSAPP_TOKEN = "EAAG"
    [half] = check_whatsapp()
    assert half.id == "masthead.W050"
    assert "MASTHEAD_WHATSAPP_PHONE_NUMBER_ID, MASTHEAD_WHATSAPP_APP_SECRET" in half.msg
    settings.WHATSAPP_PHONE_NUMBER_ID, settings.WHATSAPP_APP_SECRET = "1065", "secret"
    settings.WHATSAPP_VERIFY_TOKEN = ""
    assert [p.id for p in check_whatsapp()] == ["masthead.W051"]
    settings.WHATSAPP_VERIFY_TOKEN = "verify"
    assert check_whatsapp() == []
