"""What editors see of WhatsApp updates (per-article states, the month's budget, opted-in
counts), and a reader's number in their data download and gone after their erasure."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from masthead.channels.whatsapp.models import WhatsAppConsent, WhatsAppMessage
from tests.audience.accounts import signed_in
from tests.audience.test_erasure import rows_holding
from tests.channels.fake_graph import signed
from tests.channels.whatsapp import (
    follower,
    notification,
    publish_now,
    status,
    text_message,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(user)
    return client


def _webhook(callbacks, value: dict) -> None:
    body = notification(value)
    with callbacks(execute=True):
        response = Client().post(
            "/webhooks/whatsapp/",
            data=body,
            content_type="application/json",
            headers={"X-Hub-Signature-256": signed(body)},
        )
    assert response.status_code == 200


def test_editors_see_an_articles_whatsapp_states_beside_telegrams(
    graph, publication, editor, django_capture_on_commit_callbacks
):
    ana, bea, cid = follower(), follower(), follower()
    graph.state.not_users = {cid.phone}
    article = publish_now(django_capture_on_commit_callbacks, publication.analysis)
    wamid = WhatsAppMessage.objects.get(follower=ana).wamid
    _webhook(django_capture_on_commit_callbacks, status(wamid, "read", ana.wa_id))

    page = editor.get(f"/admin/channels/article/{article.pk}/").content.decode()
    assert "WhatsApp updates" in page
    assert 'whatsapp-state--read"><td>Read</td><td>1<' in page
    assert 'whatsapp-state--sent"><td>Accepted by WhatsApp</td><td>1<' in page
    assert 'whatsapp-state--failed"><td>Failed</td><td>1<' in page
    assert bea.phone not in page  # numbers stay out of the admin


def test_the_dashboard_shows_the_months_budget_use_and_who_is_opted_in(
    graph, publication, editor, settings, django_capture_on_commit_callbacks
):
    settings.WHATSAPP_MONTHLY_BUDGET = 2
    for _ in range(3):
        follower()
    follower(frequency="digest")
    publish_now(django_capture_on_commit_callbacks, publication.analysis)
    page = editor.get("/admin/").content.decode()
    assert "2 of 2 messages sent this month" in page
    assert "1 message was not sent: the month's budget is spent" in page
    assert "4 readers opted in: 3 for every article, 1 for the daily digest" in page
    listing = editor.get("/admin/whatsapp_message/").content.decode()
    assert "Over budget" in listing


def test_without_whatsapp_the_dashboard_says_nothing_about_it(publication, editor):
    assert "WhatsApp updates" not in editor.get("/admin/").content.decode()


def test_the_data_download_holds_the_number_consents_and_messages(
    graph, publication, django_capture_on_commit_callbacks
):
    ana = follower(phone="+5491198765432")
    article = publish_now(django_capture_on_commit_callbacks, publication.analysis, title="Tide")
    client = signed_in(ana.reader)
    data = json.loads(client.get("/en/account/data/").content)
    assert data["whatsapp"]["phone"] == "+5491198765432"
    assert data["whatsapp"]["receives_updates"] is True
    assert [c["event"] for c in data["whatsapp_consent"]] == ["opt_in"]
    assert data["whatsapp_messages"] == [
        {
            "kind": "article",
            "article": article.title,
            "digest_of": None,
            "state": "sent",
            "sent_at": data["whatsapp_messages"][0]["sent_at"],
        }
    ]


def test_erasure_removes_the_number_everywhere_and_keeps_anonymous_counts(
    graph, publication, django_capture_on_commit_callbacks
):
    ana = follower(phone="+5491187654321")
    bob = follower(phone="+5491100000002")
    publish_now(django_capture_on_commit_callbacks, publication.analysis)
    wamid = WhatsAppMessage.objects.get(follower=ana).wamid
    _webhook(django_capture_on_commit_callbacks, status(wamid, "delivered", ana.wa_id))
    _webhook(
        django_capture_on_commit_callbacks, text_message(ana.wa_id, "hola", message_id="wamid.X")
    )
    assert rows_holding("5491187654321")  # in the follower row and the stored webhooks

    client = signed_in(ana.reader)
    response = client.post("/en/account/delete/", {"email": ana.reader.email})
    assert response.status_code == 302

    assert rows_holding("5491187654321") == []
    assert WhatsAppMessage.objects.filter(follower__isnull=True).count() == 1
    assert WhatsAppConsent.objects.filter(reader__isnull=True).count() == 1
    assert WhatsAppConsent.objects.get(reader__isnull=True).phone_tail == ""
    assert WhatsAppMessage.objects.get(follower=bob).state == "sent"  # Bob untouched


def test_an_editor_sends_uncertain_messages_again_and_only_those(
    graph, publication, editor, django_capture_on_commit_callbacks
):
    ana, bea = follower(), follower()
    graph.state.script = [("status", 500)]  # the first request: Meta may have sent it
    article = publish_now(django_capture_on_commit_callbacks, publication.analysis)
    states = dict(WhatsAppMessage.objects.values_list("follower_id", "state"))
    assert sorted(states.values()) == ["sent", "uncertain"]
    page = editor.get(f"/admin/channels/article/{article.pk}/").content.decode()
    assert "Send uncertain and held-back messages again" in page
    resend = f"/admin/channels/article/{article.pk}/whatsapp/resend/"
    assert editor.get(resend).status_code == 405  # a GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(resend, follow=True)
    assert "1 WhatsApp message is queued again." in response.content.decode()
    # The uncertain one was asked for again (Meta's 500 had sent nothing); the one already
    # sent was not repeated.
    assert len(graph.state.calls) == 3
    assert [len(graph.state.sent_to(f.phone)) for f in (ana, bea)] == [1, 1]
    assert set(WhatsAppMessage.objects.values_list("state", flat=True)) == {"sent"}
    with django_capture_on_commit_callbacks(execute=True):
        again = editor.post(resend, follow=True)
    assert "No WhatsApp message of this article is uncertain" in again.content.decode()
    assert "Send uncertain and held-back messages again" not in again.content.decode()


def test_someone_who_may_not_publish_cannot_send_again(
    graph, publication, client, django_capture_on_commit_callbacks
):
    follower()
    graph.state.script = [("status", 500)]
    article = publish_now(django_capture_on_commit_callbacks, publication.analysis)
    user = get_user_model().objects.create_user("intern", "intern@example.org", "pw")
    client.force_login(user)
    response = client.post(f"/admin/channels/article/{article.pk}/whatsapp/resend/")
    assert response.status_code in {302, 403}
    assert WhatsAppMessage.objects.get().state == "uncertain"
