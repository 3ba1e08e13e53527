"""Newsletter sign-up with double opt-in, through the web, with mail read from a real SMTP sink."""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.utils import timezone

from masthead.audience import services
from masthead.audience.models import Reader, Subscription, Suppression

from .conftest import confirm_path, html_part, text_part

pytestmark = pytest.mark.django_db

CHECK_EMAIL = "/en/newsletter/check-your-email/"


def statuses(email: str) -> dict[str, str]:
    return {
        s.newsletter.slug: s.status
        for s in Subscription.objects.filter(reader__email__iexact=email)
    }


class TestDoubleOptIn:
    def test_sign_up_sends_one_confirmation_and_only_the_post_confirms(
        self, client, post_signup, newsletters, smtp_sink
    ):
        response = post_signup("Reader@Example.ORG", [newsletters["daily"], newsletters["diario"]])
        assert response.status_code == 302
        assert response["Location"] == CHECK_EMAIL
        assert len(smtp_sink.messages) == 1
        message = smtp_sink.messages[0]
        assert smtp_sink.recipients[0] == ["Reader@example.org"]  # domain lower-cased
        assert message["From"] == "Masthead <newsroom@localhost>"
        assert "Daily digest" in text_part(message)
        assert "Boletín diario" in html_part(message)
        reader = Reader.objects.get()
        assert reader.email == "Reader@example.org"
        assert reader.email_confirmed_at is None
        subs = list(Subscription.objects.all())
        assert {s.status for s in subs} == {Subscription.Status.PENDING}
        assert all(s.source == Subscription.Source.FORM and s.consented_at for s in subs)

        path = confirm_path(message)
        assert path.startswith("/en/newsletter/confirm/")
        # A mail scanner's GET changes nothing, however often it comes.
        for _ in range(3):
            page = client.get(path)
            assert page.status_code == 200
            assert b"Daily digest" in page.content
            assert b'name="csrfmiddlewaretoken"' in page.content
        assert set(statuses(reader.email).values()) == {"pending"}
        reader.refresh_from_db()
        assert reader.email_confirmed_at is None

        done = client.post(path)
        assert done.status_code == 200
        assert set(statuses(reader.email).values()) == {"confirmed"}
        assert all(s.confirmed_at for s in Subscription.objects.all())
        reader.refresh_from_db()
        assert reader.email_confirmed_at is not None
        assert len(smtp_sink.messages) == 1  # nothing else was sent

    def test_the_link_works_once(self, client, post_signup, newsletters, smtp_sink):
        post_signup("once@example.org", [newsletters["daily"]])
        path = confirm_path(smtp_sink.messages[0])
        assert client.post(path).status_code == 200
        for replay in (client.post(path), client.get(path)):
            assert replay.status_code == 410
            assert b"already been used" in replay.content

    def test_a_newer_sign_up_replaces_the_older_link(
        self, client, post_signup, newsletters, smtp_sink
    ):
        post_signup("twice@example.org", [newsletters["daily"]])
        post_signup("twice@example.org", [newsletters["daily"]])
        first, second = (confirm_path(m) for m in smtp_sink.messages)
        assert client.post(first).status_code == 410
        assert client.post(second).status_code == 200

    def test_an_expired_link_is_refused_with_a_clear_page(
        self, client, post_signup, newsletters, smtp_sink
    ):
        post_signup("late@example.org", [newsletters["daily"]])
        path = confirm_path(smtp_sink.messages[0])
        real = time.time()
        with mock.patch("django.core.signing.time") as clock:
            clock.time.return_value = real + 47 * 3600
            assert client.get(path).status_code == 200
            clock.time.return_value = real + 49 * 3600
            for response in (client.get(path), client.post(path)):
                assert response.status_code == 410
                assert b"This link has expired" in response.content
        assert set(statuses("late@example.org").values()) == {"pending"}

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda t: t[:-3] + ("aaa" if not t.endswith("aaa") else "bbb"),  # signature
            lambda t: t[:5] + ("A" if t[5] != "A" else "B") + t[6:],  # payload
            lambda t: "nonsense",
            lambda t: "%00" + t,
        ],
    )
    def test_a_tampered_link_is_refused_with_a_clear_page(
        self, client, post_signup, newsletters, smtp_sink, tamper
    ):
        post_signup("tamper@example.org", [newsletters["daily"]])
        token = confirm_path(smtp_sink.messages[0]).split("/")[-2]
        path = f"/en/newsletter/confirm/{tamper(token)}/"
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 400
            assert b"This link is not valid" in response.content
        assert set(statuses("tamper@example.org").values()) == {"pending"}

    def test_a_token_for_another_purpose_is_refused(self, client, newsletters):
        from dataclasses import asdict

        from masthead.audience.links import ConfirmLink
        from masthead.lib import tokens

        payload = ConfirmLink(reader_id=1, subscription_ids=(1,), consent_stamp=1)
        token = tokens.make_token("signin", asdict(payload))
        assert client.post(f"/en/newsletter/confirm/{token}/").status_code == 400


class TestNoEnumeration:
    def test_known_and_unknown_addresses_get_the_same_response(
        self, client, post_signup, newsletters, smtp_sink
    ):
        post_signup("known@example.org", [newsletters["daily"]])
        client.post(confirm_path(smtp_sink.messages[0]))
        smtp_sink.messages.clear()
        smtp_sink.recipients.clear()

        known = post_signup("KNOWN@example.org", [newsletters["daily"]])
        unknown = post_signup("unknown@example.org", [newsletters["daily"]])
        assert known.status_code == unknown.status_code == 302
        assert known["Location"] == unknown["Location"]
        assert known.content == unknown.content
        page_known, page_unknown = client.get(known["Location"]), client.get(unknown["Location"])
        assert page_known.content == page_unknown.content
        # One email each, so the work done (and the time it takes) does not split them;
        # the confirmed reader is told they are subscribed instead of getting a link.
        assert len(smtp_sink.to("known@example.org")) == 1
        assert len(smtp_sink.to("unknown@example.org")) == 1
        note = smtp_sink.to("known@example.org")[0]
        assert note["Subject"] == "You are already subscribed"
        assert "/newsletter/confirm/" not in text_part(note)
        assert Reader.objects.filter(email__iexact="known@example.org").count() == 1

    def test_a_confirmed_reader_adding_a_newsletter_confirms_only_the_new_one(
        self, client, post_signup, newsletters, smtp_sink
    ):
        post_signup("more@example.org", [newsletters["daily"]])
        client.post(confirm_path(smtp_sink.messages[0]))
        post_signup("more@example.org", [newsletters["daily"], newsletters["diario"]])
        assert statuses("more@example.org") == {"daily": "confirmed", "diario": "pending"}
        second = smtp_sink.messages[1]
        assert "Boletín diario" in text_part(second)
        assert "Daily digest" not in text_part(second)


class TestConsent:
    def test_an_unsubscribed_reader_signing_up_again_must_confirm_again(
        self, client, post_signup, newsletters, smtp_sink
    ):
        reader = Reader.objects.create(email="left@example.org", email_confirmed_at=timezone.now())
        Subscription.objects.create(
            reader=reader,
            newsletter=newsletters["daily"],
            status=Subscription.Status.UNSUBSCRIBED,
            source=Subscription.Source.IMPORT,
            consented_at=timezone.now(),
            unsubscribed_at=timezone.now(),
        )
        post_signup("left@example.org", [newsletters["daily"]])
        sub = Subscription.objects.get(reader=reader)
        assert sub.status == Subscription.Status.PENDING
        assert sub.source == Subscription.Source.FORM
        assert len(smtp_sink.messages) == 1
        assert client.post(confirm_path(smtp_sink.messages[0])).status_code == 200
        sub.refresh_from_db()
        assert sub.status == Subscription.Status.CONFIRMED

    def test_a_suppressed_address_gets_nothing(self, post_signup, newsletters, smtp_sink):
        Suppression.objects.create(email="bounced@example.org", reason="hard_bounce")
        response = post_signup("Bounced@EXAMPLE.org", [newsletters["daily"]])
        assert response.status_code == 302
        assert response["Location"] == CHECK_EMAIL
        assert smtp_sink.messages == []
        assert not Reader.objects.exists()

    def test_a_filled_honeypot_looks_fine_but_writes_and_sends_nothing(
        self, post_signup, newsletters, smtp_sink
    ):
        response = post_signup(
            "bot@example.org", [newsletters["daily"]], extra={"website": "http://spam"}
        )
        assert response.status_code == 302
        assert response["Location"] == CHECK_EMAIL
        assert smtp_sink.messages == []
        assert not Reader.objects.exists()
        assert not Subscription.objects.exists()

    def test_a_private_newsletter_cannot_be_chosen(self, post_signup, newsletters, smtp_sink):
        response = post_signup("nosy@example.org", [newsletters["staff"]])
        assert response.status_code == 400
        assert smtp_sink.messages == []
        assert not Subscription.objects.exists()

    def test_the_service_writes_nothing_when_no_mail_can_be_sent(self, newsletters):
        Suppression.objects.create(email="gone@example.org", reason="manual")
        services.sign_up(
            email="gone@example.org", newsletters=[newsletters["daily"]], language="en"
        )
        assert not Reader.objects.exists()


class TestBadInput:
    @pytest.mark.parametrize(
        "email",
        [
            "victim@example.org\r\nBcc: everyone@example.org",
            "victim@example.org\nBcc: everyone@example.org",
            "victim@example.org%0d%0aBcc:x@example.org",
            "a" * 250 + "@example.org",
            "not-an-address",
            "",
            "two@@example.org",
            "nul\x00@example.org",
        ],
    )
    def test_bad_addresses_get_a_form_error(self, post_signup, newsletters, smtp_sink, email):
        response = post_signup(email, [newsletters["daily"]])
        assert response.status_code == 400
        assert b'class="form-error"' in response.content
        assert smtp_sink.messages == []
        assert not Reader.objects.exists()

    def test_no_newsletter_chosen_is_a_form_error(self, post_signup, newsletters, smtp_sink):
        response = post_signup("none@example.org", [])
        assert response.status_code == 400
        assert b"Choose at least one newsletter" in response.content

    def test_a_bad_language_or_newsletter_id_is_a_form_error(self, client, newsletters, smtp_sink):
        for data in (
            {"email": "x@example.org", "newsletters": ["abc"], "language": "en"},
            {"email": "x@example.org", "newsletters": [newsletters["daily"].pk], "language": "xx"},
            {"email": ["x@example.org", "y@example.org"], "newsletters": "99999"},
        ):
            assert client.post("/en/newsletter/", data).status_code == 400
        assert smtp_sink.messages == []


class TestPages:
    def test_the_sign_up_page_offers_public_newsletters_and_preselects_the_language(
        self, client, newsletters
    ):
        page = client.get("/es/newsletter/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Daily digest" in html and "Boletín diario" in html
        assert "Staff only" not in html
        checked = re.findall(r'<input[^>]*name="newsletters"[^>]*checked[^>]*>', html)
        assert len(checked) == 1
        assert f'value="{newsletters["diario"].pk}"' in checked[0]
        assert "csrfmiddlewaretoken" not in html
        assert 'name="website"' in html and 'tabindex="-1"' in html

    def test_a_spanish_sign_up_gets_a_spanish_email_and_spanish_pages(
        self, client, post_signup, newsletters, smtp_sink
    ):
        response = post_signup(
            "lectora@example.org", [newsletters["diario"]], language="es", prefix="es"
        )
        assert response["Location"] == "/es/newsletter/check-your-email/"
        message = smtp_sink.messages[0]
        assert message["Subject"] == "Confirma tu suscripción al boletín"
        assert "Boletín diario" in text_part(message)
        assert "48 horas" in text_part(message)
        path = confirm_path(message)
        assert path.startswith("/es/newsletter/confirm/")
        assert "Confirmar" in client.get(path).content.decode()
        assert Reader.objects.get().language == "es"

    def test_the_form_language_decides_the_email_language(
        self, post_signup, newsletters, smtp_sink
    ):
        post_signup("reader@example.org", [newsletters["daily"]], language="es", prefix="en")
        assert smtp_sink.messages[0]["Subject"] == "Confirma tu suscripción al boletín"
