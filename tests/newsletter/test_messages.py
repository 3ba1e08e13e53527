"""What a reader receives, read back from the SMTP server, and the unsubscribe link in it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from masthead.audience.models import Subscription
from masthead.newsletter import sending, services
from masthead.newsletter.models import Delivery, Edition
from tests.newsletter import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(sink, publication):
    """The message one Spanish-language subscriber received for an edition of an article."""
    boletin = factories.newsletter(
        name="Boletín Año", slug="boletin", sender_name="Boletín Año", language="es"
    )
    reader = factories.subscriber(boletin, "lectora@example.org")
    factories.subscriber(boletin, "otra@example.org")
    edition = services.create_edition(
        newsletter=boletin, subject="Sal y plata", article=publication.flagship_es
    )
    sending.send_edition(edition=edition)
    [copy] = sink.for_rcpt("lectora@example.org")
    return copy, edition, reader


def _unsubscribe_path(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/newsletter/unsubscribe/[^\s]+/)", text).group(1)


def test_the_message_carries_the_list_headers_of_rfc_8058(received):
    copy, _, _ = received
    message = copy.parsed()
    https, mailto = (part.strip(" <>") for part in message["List-Unsubscribe"].split(","))
    assert re.fullmatch(r"http://localhost/newsletter/unsubscribe/[^/]+/", https)
    assert mailto.startswith("mailto:newsroom@localhost?subject=unsubscribe")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"].endswith("<boletin.localhost>")
    assert message["Date"].datetime is not None


def test_the_sender_name_is_encoded_and_reads_back_in_spanish(received):
    copy, _, _ = received
    raw_from = re.search(rb"^From: (.*)$", copy.raw, re.MULTILINE).group(1)
    assert raw_from.isascii() and b"=?utf-8?" in raw_from
    sender = copy.parsed()["From"]
    assert sender.addresses[0].display_name == "Boletín Año"
    assert sender.addresses[0].addr_spec == "newsroom@localhost"


def test_the_message_id_is_the_editions_and_the_rows(received):
    copy, edition, reader = received
    row = Delivery.objects.get(edition=edition, reader=reader)
    expected = f"<{edition.public_id.hex}.{row.pk}@localhost>"
    assert copy.message_id == expected == row.message_id


def test_both_parts_show_the_article_and_a_visible_unsubscribe_link(received, publication):
    copy, _, _ = received
    message = copy.parsed()
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    article = publication.flagship_es
    for part in (text, html):
        assert article.title in part and article.standfirst in part
        assert "/newsletter/unsubscribe/" in part
        assert "/sal-y-plata/" in part
    assert "Darse de baja" in html  # the newsletter's language, not the site default


def test_the_link_from_the_message_asks_first_and_unsubscribes_on_post(received):
    copy, _, reader = received
    path = _unsubscribe_path(copy.parsed())
    subscription = Subscription.objects.get(reader=reader)

    page = Client().get(path)
    subscription.refresh_from_db()
    assert page.status_code == 200 and b"lectora@example.org" in page.content
    assert subscription.status == Subscription.Status.CONFIRMED  # a GET changes nothing

    # A mail provider's one-click POST: no cookies, no CSRF token (RFC 8058 §3.1).
    provider = Client(enforce_csrf_checks=True)
    done = provider.post(path, {"List-Unsubscribe": "One-Click"})
    subscription.refresh_from_db()
    assert done.status_code == 200 and "Location" not in done
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    assert not done.cookies

    replay = provider.post(path, {"List-Unsubscribe": "One-Click"})
    assert replay.status_code == 200
    assert Subscription.objects.get(reader=reader).status == Subscription.Status.UNSUBSCRIBED
    assert Subscription.objects.filter(status=Subscription.Status.CONFIRMED).count() == 1


def test_the_one_click_post_also_works_as_multipart(received):
    copy, _, reader = received
    path = _unsubscribe_path(copy.parsed())
    # The test client encodes a dict as multipart/form-data by default; the form above too.
    response = Client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscription.objects.get(reader=reader).status == Subscription.Status.UNSUBSCRIBED


def test_form_urlencoded_one_click_post_works(received):
    copy, _, reader = received
    path = _unsubscribe_path(copy.parsed())
    response = Client().post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Subscription.objects.get(reader=reader).status == Subscription.Status.UNSUBSCRIBED


def test_a_tampered_token_gets_a_clear_page_and_changes_nothing(received):
    copy, _, _ = received
    path = _unsubscribe_path(copy.parsed())
    tampered = path.replace("/unsubscribe/", "/unsubscribe/x")
    for response in (Client().get(tampered), Client().post(tampered)):
        assert response.status_code == 404
        assert "no funciona" in response.content.decode() or b"does not work" in response.content
    assert not Subscription.objects.filter(status=Subscription.Status.UNSUBSCRIBED).exists()


def test_the_next_edition_skips_whoever_unsubscribed(received, sink):
    copy, edition, _ = received
    Client().post(_unsubscribe_path(copy.parsed()))
    sending.send_edition(
        edition=services.create_edition(newsletter=edition.newsletter, subject="Otra")
    )
    assert sink.rcpt_counts() == {"lectora@example.org": 1, "otra@example.org": 2}
    assert Edition.objects.filter(status=Edition.Status.SENT).count() == 2
