"""Passwordless sign-in by magic link, with mail read from a real SMTP sink (issue 4)."""

from __future__ import annotations

import time
from dataclasses import asdict
from unittest import mock

import pytest
from django.test import Client
from wagtail.models import Site

from masthead.audience import links
from masthead.audience.models import Reader, Suppression
from masthead.lib import tokens
from masthead.newsletter.emails import unsubscribe_token
from masthead.newsroom import services

from .accounts import ACCOUNT, SENT, SIGN_IN, reader, sign_in_path, sign_in_token, signed_in
from .conftest import html_part, text_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """POST the sign-in form and run what the service queued for after the commit."""

    def post(email: str, *, extra: dict | None = None, prefix: str = "en", **meta):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/{prefix}/account/sign-in/", {"email": email, **(extra or {})}, **meta
            )

    return post


class TestMagicLink:
    def test_a_known_reader_gets_one_link_and_only_the_post_signs_in(
        self, client, ask, smtp_sink, publication
    ):
        ada = reader("Ada@example.org", confirmed=False)
        page = client.get(SIGN_IN)
        assert page.status_code == 200
        assert b'name="website"' in page.content  # the honeypot

        response = ask("ada@EXAMPLE.org")
        assert response.status_code == 302
        assert response["Location"] == SENT
        assert len(smtp_sink.messages) == 1
        assert smtp_sink.recipients[0] == ["Ada@example.org"]
        message = smtp_sink.messages[0]
        assert message["Subject"] == "Your sign-in link"
        assert "15 minutes" in text_part(message)
        path = sign_in_path(message)
        assert path in html_part(message)
        assert path.startswith("/en/account/sign-in/")

        # A mail scanner's GET changes nothing, however often it comes.
        for _ in range(3):
            confirm = client.get(path)
            assert confirm.status_code == 200
            assert b'name="csrfmiddlewaretoken"' in confirm.content
        ada.refresh_from_db()
        assert ada.last_signed_in_at is None
        assert client.get(ACCOUNT)["Location"] == SIGN_IN

        done = client.post(path)
        assert done.status_code == 302
        assert done["Location"] == ACCOUNT
        ada.refresh_from_db()
        assert ada.last_signed_in_at is not None
        assert ada.email_confirmed_at is not None  # following the link proved the address
        account = client.get(ACCOUNT)
        assert account.status_code == 200
        assert b"Ada@example.org" in account.content
        assert len(smtp_sink.messages) == 1

    def test_a_sign_in_email_is_not_list_mail(self, ask, smtp_sink, publication):
        # One-click unsubscribe headers belong on newsletters only: a mail client offering
        # "unsubscribe" on a sign-in link would unsubscribe nobody and confuse everybody.
        reader("plain@example.org")
        ask("plain@example.org")
        message = smtp_sink.messages[0]
        for header in ("List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"):
            assert header not in message

    def test_the_link_speaks_the_readers_language(self, ask, smtp_sink, publication):
        reader("lector@example.org", language="es")
        ask("lector@example.org")  # asked from the English page
        message = smtp_sink.messages[0]
        assert sign_in_path(message).startswith("/es/account/sign-in/")
        assert '<html lang="es">' in html_part(message)

    def test_the_email_names_the_publication_in_the_readers_language(
        self, ask, smtp_sink, publication
    ):
        site = Site.objects.get(is_default_site=True)
        services.configure_publication(site=site, texts={"es": {"name": "La Gaceta de Prueba"}})
        reader("lector@example.org", language="es")
        reader("reader@example.org")
        ask("lector@example.org")
        ask("reader@example.org")
        spanish, english = (text_part(message) for message in smtp_sink.messages)
        assert "La Gaceta de Prueba" in spanish and "The Test Gazette" not in spanish
        # No English name of its own: the one in the publication settings.
        assert "The Test Gazette" in english and "La Gaceta" not in english

    def test_the_link_works_once(self, client, ask, smtp_sink, publication):
        reader("once@example.org")
        ask("once@example.org")
        path = sign_in_path(smtp_sink.messages[0])
        assert client.post(path).status_code == 302
        for replay in (Client().post(path), Client().get(path)):
            assert replay.status_code == 410
            assert b"This link has already been used" in replay.content

    def test_signing_in_spends_every_older_link_too(self, ask, smtp_sink, publication):
        reader("twice@example.org")
        ask("twice@example.org")
        ask("twice@example.org")
        first, second = (sign_in_path(m) for m in smtp_sink.messages)
        assert Client().post(second).status_code == 302
        assert Client().post(first).status_code == 410

    def test_an_expired_link_is_refused_with_a_clear_page(
        self, client, ask, smtp_sink, publication
    ):
        ada = reader("late@example.org")
        ask("late@example.org")
        path = sign_in_path(smtp_sink.messages[0])
        real = time.time()
        with mock.patch("django.core.signing.time") as clock:
            clock.time.return_value = real + 14 * 60
            assert client.get(path).status_code == 200
            clock.time.return_value = real + 16 * 60
            for response in (client.get(path), client.post(path)):
                assert response.status_code == 410
                assert b"This link has expired" in response.content
                assert b"Sign-in links work for 15 minutes." in response.content
        ada.refresh_from_db()
        assert ada.last_signed_in_at is None
        assert client.get(ACCOUNT)["Location"] == SIGN_IN

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda t: t[:-3] + ("aaa" if not t.endswith("aaa") else "bbb"),  # signature
            lambda t: t[:5] + ("A" if t[5] != "A" else "B") + t[6:],  # payload
            lambda t: "nonsense",
            lambda t: "%00" + t,
        ],
    )
    def test_a_tampered_link_is_refused_with_a_clear_page(self, client, publication, tamper):
        ada = reader("tamper@example.org")
        path = f"/en/account/sign-in/{tamper(sign_in_token(ada))}/"
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 400
            assert b"This link is not valid" in response.content
        ada.refresh_from_db()
        assert ada.last_signed_in_at is None

    def test_tokens_for_another_purpose_do_not_sign_in(self, client, newsletters):
        ada = reader("purpose@example.org")
        as_sign_in = links.SignInLink(reader_id=ada.pk, sign_in_stamp=0, address_digest="x")
        for token in (
            unsubscribe_token(reader_id=ada.pk, newsletter_id=newsletters["daily"].pk),
            tokens.make_token("confirm", asdict(as_sign_in)),
            tokens.make_token("email-change", asdict(as_sign_in)),
        ):
            assert client.post(f"/en/account/sign-in/{token}/").status_code == 400
        assert client.get(ACCOUNT)["Location"] == SIGN_IN

    def test_a_link_sent_to_an_old_address_stops_working_when_the_address_changes(
        self, client, publication
    ):
        ada = reader("old@example.org")
        token = sign_in_token(ada)
        Reader.objects.filter(pk=ada.pk).update(email="new@example.org")
        assert client.post(f"/en/account/sign-in/{token}/").status_code == 400


class TestNoEnumeration:
    def test_unknown_and_suppressed_addresses_get_nothing_and_the_same_answer(
        self, client, ask, smtp_sink, publication
    ):
        reader("known@example.org")
        reader("bounced@example.org")
        Suppression.objects.create(email="bounced@example.org", reason="hard_bounce")
        answers = [
            ask(email)
            for email in ("known@example.org", "nobody@example.org", "bounced@example.org")
        ]
        assert {a.status_code for a in answers} == {302}
        assert {a["Location"] for a in answers} == {SENT}
        assert len({a.content for a in answers}) == 1
        assert [r for rcpts in smtp_sink.recipients for r in rcpts] == ["known@example.org"]
        assert Reader.objects.count() == 2  # asking never creates a reader
        sent = client.get(SENT)
        assert b"If we know this address" in sent.content

    def test_a_filled_honeypot_looks_like_success_and_sends_nothing(
        self, ask, smtp_sink, publication
    ):
        reader("bot-target@example.org")
        response = ask("bot-target@example.org", extra={"website": "http://spam.example"})
        assert response.status_code == 302
        assert response["Location"] == SENT
        assert smtp_sink.messages == []

    @pytest.mark.parametrize("bad", ["", "not-an-address", "a@example.org\r\nBcc: x@example.org"])
    def test_a_bad_address_gets_a_form_error(self, ask, smtp_sink, publication, bad):
        response = ask(bad)
        assert response.status_code == 400
        assert b'class="form-error"' in response.content
        assert smtp_sink.messages == []


class TestRateLimits:
    def test_links_for_one_address_are_limited_with_a_clear_message(
        self, settings, ask, smtp_sink, publication
    ):
        reader("target@example.org")
        codes = [
            ask("TARGET@example.org" if i % 2 else "target@example.org", REMOTE_ADDR=f"10.0.{i}.1")
            for i in range(6)
        ]
        assert [c.status_code for c in codes] == [302] * 3 + [429] * 3
        assert settings.SIGN_IN_LIMIT_PER_ADDRESS == 3
        assert len(smtp_sink.messages) == 3
        assert b"too many requests for a link" in codes[-1].content

    def test_known_and_unknown_addresses_hit_the_limit_alike(
        self, settings, ask, smtp_sink, publication
    ):
        settings.SIGN_IN_LIMIT_PER_ADDRESS = 1
        reader("known@example.org")
        ask("known@example.org")
        ask("unknown@example.org")
        known, unknown = ask("known@example.org"), ask("unknown@example.org")
        assert known.status_code == unknown.status_code == 429
        assert known.content == unknown.content

    def test_one_client_is_limited_across_addresses(self, settings, ask, smtp_sink, publication):
        assert settings.SIGN_IN_LIMIT_PER_IP == 10
        for i in range(12):
            reader(f"person{i}@example.org")
        codes = [ask(f"person{i}@example.org").status_code for i in range(12)]
        assert codes == [302] * 10 + [429] * 2
        assert len(smtp_sink.messages) == 10
        # Another client is not blocked by the first.
        assert ask("person11@example.org", REMOTE_ADDR="192.0.2.77").status_code == 302

    def test_bad_posts_count_against_the_client_limit(self, settings, client, publication):
        settings.SIGN_IN_LIMIT_PER_IP = 2
        codes = [client.post(SIGN_IN, {"email": "x"}).status_code for _ in range(3)]
        assert codes == [400, 400, 429]


class TestSessions:
    def test_signing_in_rotates_the_session_key(self, client, publication):
        from django.contrib.sessions.models import Session

        ada = reader("ada@example.org")
        signed_in(ada, client)
        first = client.cookies["sessionid"].value
        signed_in(ada, client)  # a second link, opened in the same browser
        second = client.cookies["sessionid"].value
        assert second != first
        assert not Session.objects.filter(session_key=first).exists()
        assert client.get(ACCOUNT).status_code == 200

    def test_signing_in_as_someone_else_starts_a_fresh_session(self, client, publication):
        ada, bob = reader("ada@example.org"), reader("bob@example.org")
        signed_in(ada, client)
        signed_in(bob, client)
        assert b"bob@example.org" in client.get(ACCOUNT).content

    def test_sign_out_is_a_post_with_a_csrf_token(self, publication):
        ada = reader("ada@example.org")
        strict = signed_in(ada, Client(enforce_csrf_checks=True))
        assert strict.get(ACCOUNT).status_code == 200

        assert strict.get("/en/account/sign-out/").status_code == 405
        assert strict.post("/en/account/sign-out/").status_code == 403
        assert strict.get(ACCOUNT).status_code == 200  # still signed in
        csrf = strict.cookies["csrftoken"].value
        out = strict.post("/en/account/sign-out/", {"csrfmiddlewaretoken": csrf})
        assert out.status_code == 302
        assert out["Location"] == SIGN_IN
        assert b"You are signed out." in strict.get(SIGN_IN).content
        assert strict.get(ACCOUNT)["Location"] == SIGN_IN

    def test_a_signed_in_reader_visiting_sign_in_goes_to_the_account(self, client, publication):
        signed_in(reader("ada@example.org"), client)
        assert client.get(SIGN_IN)["Location"] == ACCOUNT

    def test_staff_accounts_are_not_reader_sessions(self, client, publication, django_user_model):
        staff = django_user_model.objects.create_user("editor", "editor@example.org", "pw")
        client.force_login(staff)
        assert client.get(ACCOUNT)["Location"] == SIGN_IN


class TestPrivatePages:
    @pytest.mark.parametrize(
        "path",
        [
            "/en/account/",
            "/en/account/data/",
            "/en/account/delete/",
            "/en/account/email/sent/",
            "/es/account/",
        ],
    )
    def test_anonymous_readers_are_sent_to_sign_in(self, client, publication, path):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/{path.split('/')[1]}/account/sign-in/"

    def test_anonymous_posts_change_nothing_and_are_sent_to_sign_in(
        self, client, newsletters, smtp_sink
    ):
        for path, data in [
            ("/en/account/", {"newsletters": [newsletters["daily"].pk], "language": "en"}),
            ("/en/account/email/", {"new_email": "x@example.org"}),
            ("/en/account/delete/", {"email": "x@example.org"}),
        ]:
            assert client.post(path, data)["Location"] == SIGN_IN
        assert smtp_sink.messages == []

    def test_account_pages_are_never_cached(self, client, publication):
        assert "private" in client.get(SIGN_IN)["Cache-Control"]
        signed_in(reader("ada@example.org"), client)
        for path in (ACCOUNT, "/en/account/data/", "/en/account/delete/"):
            response = client.get(path)
            assert response.status_code == 200
            assert "private" in response["Cache-Control"]
            assert "no-store" in response["Cache-Control"]
            assert "X-Cache" not in response

    def test_the_sign_up_page_links_to_sign_in_and_stays_cacheable(self, newsletters):
        first = Client().get("/en/newsletter/")
        assert f'href="{SIGN_IN}"'.encode() in first.content
        assert Client().get("/en/newsletter/")["X-Cache"] == "HIT"
