"""Changing a reader's address: a link to the new address, a notice to the old (issue 4)."""

from __future__ import annotations

import time
from dataclasses import asdict
from unittest import mock

import pytest
from django.test import Client

from masthead.audience import links
from masthead.audience.models import Reader, Suppression
from masthead.lib import tokens

from .accounts import ACCOUNT, SIGN_IN, email_change_path, reader, signed_in
from .conftest import html_part, text_part

pytestmark = pytest.mark.django_db

CHANGE = "/en/account/email/"
CHANGE_SENT = "/en/account/email/sent/"


@pytest.fixture
def ada(publication):
    return reader("ada@example.org")


@pytest.fixture
def ask_change(django_capture_on_commit_callbacks):
    def post(client, new_email: str, **meta):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(CHANGE, {"new_email": new_email}, **meta)

    return post


class TestChange:
    def test_the_new_address_confirms_and_only_the_post_changes_it(
        self, client, ada, ask_change, smtp_sink
    ):
        other_device = signed_in(ada, Client())
        signed_in(ada, client)
        response = ask_change(client, "Ada.New@Example.ORG")
        assert response.status_code == 302
        assert response["Location"] == CHANGE_SENT
        assert b"Check your new address" in client.get(CHANGE_SENT).content

        [link] = smtp_sink.to("Ada.New@example.org")
        [notice] = smtp_sink.to("ada@example.org")
        assert link["Subject"] == "Confirm your new email address"
        assert "24 hours" in text_part(link)
        path = email_change_path(link)
        assert path in html_part(link)
        assert notice["Subject"] == "A change of email address was requested"
        assert "A•••@example.org" in text_part(notice)
        assert "/account/email/confirm/" not in text_part(notice)

        for _ in range(3):  # a mail scanner's GET changes nothing
            page = Client().get(path)
            assert page.status_code == 200
            assert b"Ada.New@example.org" in page.content
        ada.refresh_from_db()
        assert ada.email == "ada@example.org"

        done = client.post(path)
        assert done.status_code == 200
        assert b"Your account now uses Ada.New@example.org." in done.content
        ada.refresh_from_db()
        assert ada.email == "Ada.New@example.org"
        # This browser stays signed in; every other session of the reader ends.
        assert b"Signed in as Ada.New@example.org." in client.get(ACCOUNT).content
        assert other_device.get(ACCOUNT)["Location"] == SIGN_IN

        for replay in (Client().post(path), Client().get(path)):
            assert replay.status_code == 410
            assert b"This link has already been used" in replay.content

    def test_the_link_works_from_another_browser_without_signing_it_in(
        self, client, ada, ask_change, smtp_sink
    ):
        signed_in(ada, client)
        ask_change(client, "phone@example.org")
        phone = Client()
        assert (
            phone.post(email_change_path(smtp_sink.to("phone@example.org")[0])).status_code == 200
        )
        ada.refresh_from_db()
        assert ada.email == "phone@example.org"
        assert phone.get(ACCOUNT)["Location"] == SIGN_IN
        assert client.get(ACCOUNT)["Location"] == SIGN_IN  # bound to the old address

    def test_an_address_another_reader_holds_is_not_revealed(
        self, client, ada, ask_change, smtp_sink
    ):
        reader("taken@example.org")
        signed_in(ada, client)
        taken = ask_change(client, "TAKEN@example.org")
        free = ask_change(client, "free@example.org")
        assert taken.status_code == free.status_code == 302
        assert taken["Location"] == free["Location"] == CHANGE_SENT
        # The holder of the address is told, and gets no link.
        [note] = smtp_sink.to("TAKEN@example.org")
        assert note["Subject"] == "Your email address was not changed"
        assert "/account/email/confirm/" not in text_part(note)
        assert Reader.objects.filter(email="taken@example.org").exists()
        ada.refresh_from_db()
        assert ada.email == "ada@example.org"

    def test_an_address_taken_after_the_link_was_sent_is_refused_neutrally(
        self, client, ada, ask_change, smtp_sink
    ):
        signed_in(ada, client)
        ask_change(client, "race@example.org")
        path = email_change_path(smtp_sink.to("race@example.org")[0])
        reader("RACE@example.org")
        response = client.post(path)
        assert response.status_code == 409
        assert b"This address cannot be used" in response.content
        ada.refresh_from_db()
        assert ada.email == "ada@example.org"

    def test_a_suppressed_address_is_sent_nothing(self, client, ada, ask_change, smtp_sink):
        Suppression.objects.create(email="bounced@example.org", reason="hard_bounce")
        signed_in(ada, client)
        response = ask_change(client, "bounced@example.org")
        assert response["Location"] == CHANGE_SENT
        assert smtp_sink.messages == []

    @pytest.mark.parametrize("bad", ["", "not-an-address", "x@example.org\nBcc: y@example.org"])
    def test_a_bad_address_is_a_form_error(self, client, ada, ask_change, smtp_sink, bad):
        signed_in(ada, client)
        response = ask_change(client, bad)
        assert response.status_code == 400
        assert b'class="form-error"' in response.content
        assert smtp_sink.messages == []

    def test_the_request_needs_a_csrf_token(self, ada, smtp_sink):
        strict = signed_in(ada, Client(enforce_csrf_checks=True))
        assert strict.post(CHANGE, {"new_email": "x@example.org"}).status_code == 403
        assert smtp_sink.messages == []


class TestBadLinks:
    def test_an_expired_link_is_refused(self, client, ada, ask_change, smtp_sink):
        signed_in(ada, client)
        ask_change(client, "late@example.org")
        path = email_change_path(smtp_sink.to("late@example.org")[0])
        real = time.time()
        with mock.patch("django.core.signing.time") as clock:
            clock.time.return_value = real + 23 * 3600
            assert client.get(path).status_code == 200
            clock.time.return_value = real + 25 * 3600
            for response in (client.get(path), client.post(path)):
                assert response.status_code == 410
                assert b"This link has expired" in response.content
        ada.refresh_from_db()
        assert ada.email == "ada@example.org"

    def test_tampered_and_other_purpose_links_are_refused(self, client, ada):
        link = links.EmailChangeLink(
            reader_id=ada.pk, old_email=ada.email, new_email="evil@example.org"
        )
        good = links.EMAIL_CHANGE.make(link)
        for token in (
            good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb"),
            "nonsense",
            tokens.make_token("signin", asdict(link)),
            tokens.make_token("confirm", asdict(link)),
        ):
            path = f"/en/account/email/confirm/{token}/"
            for response in (client.get(path), client.post(path)):
                assert response.status_code == 400
                assert b"This link is not valid" in response.content
        ada.refresh_from_db()
        assert ada.email == "ada@example.org"


class TestRateLimits:
    def test_requests_for_one_new_address_are_limited(
        self, settings, client, ada, ask_change, smtp_sink
    ):
        signed_in(ada, client)
        codes = [
            ask_change(client, "target@example.org", REMOTE_ADDR=f"10.0.{i}.1").status_code
            for i in range(5)
        ]
        assert codes == [302] * 3 + [429] * 2
        assert len(smtp_sink.to("target@example.org")) == settings.SIGN_IN_LIMIT_PER_ADDRESS

    def test_requests_from_one_client_are_limited(self, settings, client, ada, ask_change):
        settings.SIGN_IN_LIMIT_PER_IP = 2
        signed_in(ada, client)
        codes = [ask_change(client, f"n{i}@example.org").status_code for i in range(3)]
        assert codes == [302, 302, 429]
        assert b"too many requests for a link" in ask_change(client, "z@example.org").content
