"""The account page: newsletters and language, and "download my data" (issue 4)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from masthead.audience.models import Reader, Subscription, Suppression
from masthead.newsletter.models import Delivery, Edition

from .accounts import ACCOUNT, reader, signed_in, subscribe

pytestmark = pytest.mark.django_db


def statuses(who) -> dict[str, tuple[str, str]]:
    return {
        s.newsletter.slug: (s.status, s.source)
        for s in Subscription.objects.filter(reader=who).select_related("newsletter")
    }


class TestPreferences:
    def test_the_page_shows_the_address_and_what_the_reader_receives(self, client, newsletters):
        ada = reader("ada@example.org")
        subscribe(ada, newsletters["daily"])
        signed_in(ada, client)
        page = client.get(ACCOUNT).content.decode()
        assert "Signed in as ada@example.org." in page
        assert "Daily digest" in page
        assert "Boletín diario" in page
        assert "Staff only" not in page  # private newsletters are not the reader's to pick
        assert re.search(rf'value="{newsletters["daily"].pk}"[^>]*checked', page)
        assert not re.search(rf'value="{newsletters["diario"].pk}"[^>]*checked', page)

    def test_subscribing_from_the_account_is_confirmed_at_once_and_says_so(
        self, client, newsletters, smtp_sink
    ):
        ada = reader("ada@example.org")
        subscribe(ada, newsletters["staff"])
        signed_in(ada, client)
        before = timezone.now()
        response = client.post(
            ACCOUNT,
            {"newsletters": [newsletters["daily"].pk, newsletters["diario"].pk], "language": "en"},
        )
        assert response.status_code == 302
        assert response["Location"] == ACCOUNT
        sub = Subscription.objects.get(reader=ada, newsletter=newsletters["daily"])
        assert sub.status == Subscription.Status.CONFIRMED
        assert sub.source == Subscription.Source.ACCOUNT
        assert sub.consented_at >= before
        assert sub.confirmed_at >= before
        assert statuses(ada)["staff"] == ("confirmed", "form")  # private: untouched
        assert b"Your choices are saved." in client.get(ACCOUNT).content
        assert smtp_sink.messages == []  # signing in proved the address: no second opt-in

    def test_leaving_a_newsletter_out_unsubscribes_and_ticking_it_again_resubscribes(
        self, client, newsletters
    ):
        ada = reader("ada@example.org")
        subscribe(ada, newsletters["daily"])
        subscribe(ada, newsletters["diario"], status="pending")
        signed_in(ada, client)
        client.post(ACCOUNT, {"language": "en"})
        daily = Subscription.objects.get(reader=ada, newsletter=newsletters["daily"])
        assert daily.status == Subscription.Status.UNSUBSCRIBED
        assert daily.unsubscribed_at is not None
        assert statuses(ada)["diario"][0] == "unsubscribed"

        client.post(ACCOUNT, {"newsletters": [newsletters["daily"].pk], "language": "en"})
        daily.refresh_from_db()
        assert (daily.status, daily.source) == ("confirmed", "account")
        assert daily.unsubscribed_at is None

    def test_the_language_of_the_emails_can_change(self, client, newsletters):
        ada = reader("ada@example.org")
        signed_in(ada, client)
        client.post(ACCOUNT, {"language": "es"})
        ada.refresh_from_db()
        assert ada.language == "es"

    def test_a_bad_language_or_a_private_newsletter_is_a_form_error(self, client, newsletters):
        ada = reader("ada@example.org")
        signed_in(ada, client)
        for data in (
            {"language": "xx"},
            {"language": "en", "newsletters": [newsletters["staff"].pk]},
        ):
            response = client.post(ACCOUNT, data)
            assert response.status_code == 400
            assert b'class="form-error"' in response.content
        ada.refresh_from_db()
        assert ada.language == "en"
        assert not Subscription.objects.filter(reader=ada).exists()

    def test_a_suppressed_address_cannot_be_subscribed_again(self, client, newsletters):
        ada = reader("ada@example.org")
        subscribe(ada, newsletters["daily"], status="unsubscribed")
        Suppression.objects.create(email="ada@example.org", reason="complaint")
        signed_in(ada, client)
        page = client.get(ACCOUNT)
        assert b"we no longer send it newsletters" in page.content
        response = client.post(
            ACCOUNT, {"newsletters": [newsletters["daily"].pk], "language": "es"}
        )
        assert response.status_code == 400
        assert b"We cannot send newsletters to this address" in response.content
        assert statuses(ada) == {"daily": ("unsubscribed", "form")}
        ada.refresh_from_db()
        assert ada.language == "en"  # nothing written

    def test_the_account_page_needs_a_csrf_token(self, newsletters):
        ada = reader("ada@example.org")
        strict = signed_in(ada, Client(enforce_csrf_checks=True))
        assert strict.post(ACCOUNT, {"language": "es"}).status_code == 403
        ada.refresh_from_db()
        assert ada.language == "en"


class TestDownloadMyData:
    def test_the_file_holds_everything_we_keep_about_the_reader(self, client, newsletters):
        ada = reader("ada@example.org", language="es")
        subscribe(ada, newsletters["daily"])
        subscribe(ada, newsletters["diario"], status="unsubscribed")
        edition = Edition.objects.create(newsletter=newsletters["daily"], subject="Salt news")
        sent_at = timezone.now()
        Delivery.objects.create(
            edition=edition,
            reader=ada,
            email=ada.email,
            status=Delivery.Status.SENT,
            sent_at=sent_at,
            bounced_at=sent_at,
        )
        Suppression.objects.create(email="ada@example.org", reason="hard_bounce")
        bob = reader("bob@example.org")
        subscribe(bob, newsletters["daily"])
        Delivery.objects.create(edition=edition, reader=bob, email=bob.email)
        signed_in(ada, client)

        response = client.get("/en/account/data/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        assert response["Content-Disposition"].startswith("attachment;")
        data = json.loads(response.content)
        assert data["reader"]["email"] == "ada@example.org"
        assert data["reader"]["language"] == "es"
        assert data["reader"]["last_signed_in_at"]
        assert data["reader"]["email_confirmed_at"]
        assert {(s["newsletter"], s["status"], s["source"]) for s in data["subscriptions"]} == {
            ("Daily digest", "confirmed", "form"),
            ("Boletín diario", "unsubscribed", "form"),
        }
        assert all(s["consented_at"] for s in data["subscriptions"])
        [delivery] = data["deliveries"]
        assert delivery["edition"] == "Salt news"
        assert delivery["newsletter"] == "Daily digest"
        assert delivery["status"] == "sent"
        assert delivery["sent_at"] == sent_at.isoformat()
        assert delivery["bounced_at"] == sent_at.isoformat()
        assert data["suppression"]["reason"] == "hard_bounce"
        assert "bob@example.org" not in response.content.decode()

    def test_a_new_reader_at_a_used_address_does_not_see_the_previous_owners_history(
        self, client, newsletters
    ):
        # History belongs to the account: Ada moved on to a new address, and whoever holds
        # her old one now is somebody else.
        ada = reader("shared@example.org")
        edition = Edition.objects.create(newsletter=newsletters["daily"], subject="Old news")
        Delivery.objects.create(edition=edition, reader=ada, email=ada.email, status="sent")
        Reader.objects.filter(pk=ada.pk).update(email="ada.new@example.org")
        newcomer = reader("Shared@example.org")
        signed_in(newcomer, client)

        data = json.loads(client.get("/en/account/data/").content)

        assert data["deliveries"] == []
        assert "Old news" not in json.dumps(data)

    def test_a_reader_with_nothing_gets_an_empty_but_complete_file(self, client, publication):
        signed_in(reader("new@example.org"), client)
        data = json.loads(client.get("/en/account/data/").content)
        assert data["subscriptions"] == data["deliveries"] == []
        assert data["suppression"] is None
