"""The sending loop's fast path makes the same message as ``build_message``, or steps aside.

Over Django's SMTP backend each copy is the edition's prebuilt bytes with the recipient's
slots filled in; everywhere else, and whenever the slots cannot be trusted, it is a real
``EmailMultiAlternatives``. A reader must not be able to tell which one they got.
"""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from masthead.newsletter import emails, sending, services
from masthead.newsletter.models import Delivery
from tests.newsletter import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def spanish_edition(publication):
    boletin = factories.newsletter(
        name="Boletín Año", slug="boletin", sender_name="Boletín Año", language="es"
    )
    factories.subscriber(boletin, "lectora@example.org")
    edition = services.create_edition(
        newsletter=boletin,
        subject="Sal y plata: «una conversación»",
        article=publication.flagship_es,
    )
    sending.freeze_audience(edition=edition)
    return edition


def _parsed(message) -> object:
    return message_from_bytes(message.message().as_bytes(linesep="\r\n"), policy=policy.default)


def _compare(fast, slow) -> None:
    for header in ("From", "To", "Subject", "Message-ID", "List-Id", "List-Unsubscribe"):
        assert str(fast[header]) == str(slow[header]), header
    assert fast["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert fast["Date"].datetime is not None
    for kind in ("plain", "html"):
        assert fast.get_body((kind,)).get_content() == slow.get_body((kind,)).get_content()


def test_the_prebuilt_copy_matches_the_one_django_builds(spanish_edition):
    delivery = spanish_edition.deliveries.get()
    content = emails.edition_content(spanish_edition)
    smtp = SMTPBackend(host="127.0.0.1", port=9)  # never opened
    composer = emails.Composer(spanish_edition, content, smtp)
    assert composer.template is not None

    fast = composer.message(delivery, smtp)
    slow = emails.build_message(edition=spanish_edition, content=content, delivery=delivery)
    assert isinstance(fast, emails.PrebuiltMessage)
    assert fast.recipients() == ["lectora@example.org"]
    _compare(_parsed(fast), _parsed(slow))
    raw = fast.message().as_bytes()
    assert b"masthead-slot" not in raw.lower()
    assert raw.isascii() or b"Content-Transfer-Encoding: 8bit" in raw


def test_each_copy_carries_its_own_reader_link_and_message_id(spanish_edition):
    other = factories.subscriber(spanish_edition.newsletter, "otro@example.org")
    second = Delivery.objects.create(edition=spanish_edition, reader=other, email=other.email)
    first = spanish_edition.deliveries.get(email="lectora@example.org")
    smtp = SMTPBackend(host="127.0.0.1", port=9)
    composer = emails.Composer(spanish_edition, emails.edition_content(spanish_edition), smtp)

    one, two = (_parsed(composer.message(row, smtp)) for row in (first, second))
    assert one["To"] == "lectora@example.org" and two["To"] == "otro@example.org"
    assert one["Message-ID"] != two["Message-ID"]
    assert one["List-Unsubscribe"] != two["List-Unsubscribe"]
    token = emails.unsubscribe_token(
        reader_id=other.pk, newsletter_id=spanish_edition.newsletter_id
    )
    assert token in two["List-Unsubscribe"]
    assert token in two.get_body(("plain",)).get_content()


def test_other_backends_get_a_real_django_message(spanish_edition):
    delivery = spanish_edition.deliveries.get()
    locmem = LocmemBackend()
    composer = emails.Composer(spanish_edition, emails.edition_content(spanish_edition), locmem)
    assert composer.template is None
    message = composer.message(delivery, locmem)
    assert type(message) is EmailMultiAlternatives
    assert message.alternatives[0][1] == "text/html"


def test_an_address_the_slot_cannot_carry_is_built_by_django(spanish_edition):
    reader = factories.subscriber(spanish_edition.newsletter, "ana@correo.españa.es")
    row = Delivery.objects.create(edition=spanish_edition, reader=reader, email=reader.email)
    smtp = SMTPBackend(host="127.0.0.1", port=9)
    composer = emails.Composer(spanish_edition, emails.edition_content(spanish_edition), smtp)
    message = composer.message(row, smtp)
    assert type(message) is EmailMultiAlternatives
    assert "xn--" in _parsed(message)["To"]  # Django turned the domain into punycode


def test_a_body_django_would_quote_print_falls_back_to_django(spanish_edition):
    # A line over 998 characters makes Django switch the part to quoted-printable, which
    # could split a slot across soft line breaks: the fast path must not be used.
    content = emails.edition_content(spanish_edition)
    long = emails.EditionContent(
        subject=content.subject, text=content.text, html=content.html + "x" * 1200
    )
    smtp = SMTPBackend(host="127.0.0.1", port=9)
    composer = emails.Composer(spanish_edition, long, smtp)
    assert composer.template is None
    message = composer.message(spanish_edition.deliveries.get(), smtp)
    assert type(message) is EmailMultiAlternatives
    assert "x" * 1200 in _parsed(message).get_body(("html",)).get_content()
