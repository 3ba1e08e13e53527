"""/webhooks/whatsapp/: Meta's verify handshake, signed notifications only (403 and nothing
stored otherwise), each status or message stored once in the inbox and applied by the
worker: delivery statuses move the rows forward, STOP opts the reader out at once."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from masthead.channels.whatsapp.models import WhatsAppConsent, WhatsAppFollower, WhatsAppMessage
from masthead.inbox.models import Event
from masthead.lib import webhookpath
from tests.channels.fake_graph import VERIFY_TOKEN, signed
from tests.channels.whatsapp import follower, notification, publish_now, status, text_message

pytestmark = pytest.mark.django_db
URL = "/webhooks/whatsapp/"
State = WhatsAppMessage.State


def _post(callbacks, body: bytes, signature: str | None = "sign"):
    headers = {}
    if signature == "sign":
        headers["X-Hub-Signature-256"] = signed(body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    with callbacks(execute=True):
        return Client().post(URL, data=body, content_type="application/json", headers=headers)


@pytest.fixture
def sent(graph, publication, django_capture_on_commit_callbacks):
    """A follower and the message the fake Graph API accepted for them."""
    ana = follower()
    publish_now(django_capture_on_commit_callbacks, publication.analysis)
    return ana, WhatsAppMessage.objects.get(follower=ana)


def test_the_verify_handshake_echoes_the_challenge_only_for_our_token(graph):
    ok = Client().get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158"}
    )
    assert (ok.status_code, ok.content) == (200, b"1158")
    for query in (
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ):
        refused = Client().get(URL, query)
        assert refused.status_code == 403 and b"1" not in refused.content


def test_without_a_verify_token_set_every_handshake_is_refused(graph, settings):
    settings.WHATSAPP_VERIFY_TOKEN = ""
    response = Client().get(URL, {"hub.mode": "subscribe", "hub.verify_token": ""})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "signature",
    [
        None,  # missing
        "sha256=" + "0" * 64,  # wrong
        "sha1=abc",  # not SHA-256
        "",
    ],
)
def test_a_bad_or_missing_signature_is_403_and_stores_nothing(
    sent, django_capture_on_commit_callbacks, signature
):
    ana, _message = sent
    body = notification(text_message(ana.wa_id, "STOP"))
    response = _post(django_capture_on_commit_callbacks, body, signature)
    assert response.status_code == 403
    assert not Event.objects.filter(provider="whatsapp").exists()
    assert WhatsAppFollower.objects.get(pk=ana.pk).active


def test_a_body_signed_with_another_secret_or_altered_is_refused(
    sent, django_capture_on_commit_callbacks
):
    ana, _message = sent
    body = notification(text_message(ana.wa_id, "STOP"))
    assert (
        _post(django_capture_on_commit_callbacks, body, signed(body, "other")).status_code == 403
    )
    tampered = body.replace(b"STOP", b"HOLA")
    assert _post(django_capture_on_commit_callbacks, tampered, signed(body)).status_code == 403
    assert not Event.objects.exists()


def test_a_signed_body_that_is_not_json_is_400(graph, django_capture_on_commit_callbacks):
    response = _post(django_capture_on_commit_callbacks, b"not json")
    assert response.status_code == 400
    assert not Event.objects.exists()


def test_the_route_takes_the_webhook_shortcut(graph):
    match = webhookpath._webhook_match(django_settings.ROOT_URLCONF, URL)
    assert match is not None and match.url_name == "notification"


def test_statuses_move_the_row_forward_and_never_back(sent, django_capture_on_commit_callbacks):
    ana, message = sent
    for state in ("delivered", "read", "delivered", "sent"):
        body = notification(status(message.wamid, state, ana.wa_id))
        assert _post(django_capture_on_commit_callbacks, body).status_code == 200
    message.refresh_from_db()
    assert message.state == State.READ and message.status_at is not None
    assert Event.objects.filter(provider="whatsapp", status="processed").count() == 3


def test_a_failed_status_records_metas_error(sent, django_capture_on_commit_callbacks):
    ana, message = sent
    error = {
        "code": 131026,
        "title": "Message undeliverable",
        "message": "Message undeliverable",
        "error_data": {"details": "Recipient is not a WhatsApp user"},
    }
    body = notification(status(message.wamid, "failed", ana.wa_id, errors=[error]))
    _post(django_capture_on_commit_callbacks, body)
    message.refresh_from_db()
    assert (message.state, message.error_code) == (State.FAILED, 131026)
    assert "not a WhatsApp user" in message.api_message


def test_a_status_for_a_message_not_recorded_yet_is_tried_again(
    graph, django_capture_on_commit_callbacks
):
    body = notification(status("wamid.UNKNOWN", "delivered", "5491100000000"))
    assert _post(django_capture_on_commit_callbacks, body).status_code == 200
    event = Event.objects.get(provider="whatsapp")
    assert event.status == "failed"  # the inbox tries it again later


@pytest.mark.parametrize("word", ["STOP", "stop", " Baja ", "PARAR", "Unsubscribe", "stop!"])
def test_stop_opts_the_reader_out_at_once_and_nothing_more_is_sent(
    sent, publication, django_capture_on_commit_callbacks, graph, word
):
    ana, _message = sent
    body = notification(text_message(ana.wa_id, word))
    assert _post(django_capture_on_commit_callbacks, body).status_code == 200
    ana.refresh_from_db()
    assert not ana.active and ana.opted_out_at is not None
    consent = WhatsAppConsent.objects.filter(kind="opt_out").get()
    assert (consent.source, consent.reader_id) == ("reply", ana.reader_id)
    assert consent.wording == word

    publish_now(django_capture_on_commit_callbacks, publication.analysis, title="Later")
    assert len(graph.state.sent_to(ana.phone)) == 1  # only the one before STOP


def test_other_replies_change_nothing(sent, django_capture_on_commit_callbacks):
    ana, _message = sent
    body = notification(text_message(ana.wa_id, "stop sending me sports?"))
    _post(django_capture_on_commit_callbacks, body)
    assert WhatsAppFollower.objects.get(pk=ana.pk).active
    assert Event.objects.get(provider="whatsapp").status == "ignored"


def test_stopping_marketing_messages_in_whatsapp_opts_out(
    sent, django_capture_on_commit_callbacks
):
    ana, _message = sent
    preference = {
        "wa_id": ana.wa_id,
        "detail": "User requested to stop marketing messages",
        "category": "marketing_messages",
        "value": "stop",
        "timestamp": 1731705721,
    }
    _post(django_capture_on_commit_callbacks, notification({"user_preferences": [preference]}))
    assert not WhatsAppFollower.objects.get(pk=ana.pk).active
    assert WhatsAppConsent.objects.filter(kind="opt_out", source="whatsapp").count() == 1


def test_a_replayed_webhook_is_processed_once(sent, django_capture_on_commit_callbacks):
    ana, message = sent
    body = notification(
        {
            **text_message(ana.wa_id, "STOP"),
            **status(message.wamid, "delivered", ana.wa_id),
        }
    )
    for _ in range(3):
        assert _post(django_capture_on_commit_callbacks, body).status_code == 200
    assert Event.objects.filter(provider="whatsapp").count() == 2
    assert WhatsAppConsent.objects.filter(kind="opt_out").count() == 1
    message.refresh_from_db()
    assert message.state == State.DELIVERED


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'{"entry": "nope"}',
        b'{"entry": [{"changes": [{"value": {"statuses": [{"status": "read"}]}}]}]}',
        b'{"entry": [{"changes": [{"value": {"messages": [{"from": "1", "text": "x"}]}}]}]}',
        b'{"entry": [{"changes": [null, {"value": []}]}]}',
    ],
)
def test_a_signed_body_without_usable_items_is_answered_and_stores_nothing(
    graph, django_capture_on_commit_callbacks, body
):
    response = _post(django_capture_on_commit_callbacks, body)
    assert response.status_code == 200
    assert not Event.objects.exists()


def test_odd_items_are_stored_and_ignored_without_an_error(
    sent, django_capture_on_commit_callbacks
):
    ana, _message = sent
    odd = {
        "messages": [
            {"from": ana.wa_id, "id": "wamid.A", "type": "text", "text": "STOP"},  # not a dict
            {"from": ana.wa_id, "id": "wamid.B", "type": "image", "image": {"id": "1"}},
        ],
        "statuses": [{"id": "wamid.C", "status": "deleted"}],
    }
    assert _post(django_capture_on_commit_callbacks, notification(odd)).status_code == 200
    assert set(Event.objects.values_list("status", flat=True)) == {"ignored", "processed"}
    assert not Event.objects.filter(status="failed").exists()
    assert WhatsAppFollower.objects.get(pk=ana.pk).active


def test_a_failure_saying_the_person_stopped_marketing_messages_opts_them_out(
    sent, django_capture_on_commit_callbacks
):
    ana, message = sent
    error = {"code": 131050, "title": "Unable to deliver: user stopped marketing messages"}
    body = notification(status(message.wamid, "failed", ana.wa_id, errors=[error]))
    _post(django_capture_on_commit_callbacks, body)
    assert not WhatsAppFollower.objects.get(pk=ana.pk).active
    assert WhatsAppConsent.objects.get(kind="opt_out").source == "meta"
    message.refresh_from_db()
    assert (message.state, message.error_code) == (State.FAILED, 131050)
