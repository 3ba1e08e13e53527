"""Newsletter names up to the field's 120 characters, accented or not, reach every reader.

The List-Id phrase (RFC 2919) of a long name used to be folded onto two lines before Django
saw it, and Django refuses a header holding a line break: every delivery failed and "send
a test" answered 500 (issue 8). Sent here through the real path to the loopback sink and
read back with the standard library's parser.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.urls import reverse

from masthead.audience.models import Newsletter
from masthead.newsletter import emails, sending, services
from masthead.newsletter.models import Delivery
from tests.newsletter import factories

pytestmark = pytest.mark.django_db

ACCENTED = ("Boletín semanal de la Asociación Española de Periodismo Único: " + "ñáéíóú" * 20)[
    :120
]
PLAIN = ("The Weekly Letter of the Association of Independent Local Newsrooms " + "x" * 60)[:120]
SPECIALS = 'Daily, "quoted" <angle> (paren) ; semi: colon @ at \\ back =?utf-8?q?x?= Año'

NAMES = pytest.mark.parametrize(
    "name", [ACCENTED, PLAIN, SPECIALS], ids=["accented-120", "plain-120", "specials"]
)


def _newsletter(name: str) -> Newsletter:
    newsletter = factories.newsletter(name=name, slug="long", sender_name=name, language="es")
    newsletter.full_clean()  # the field takes the name as it is
    return newsletter


def _assert_list_id(message, name: str) -> None:
    assert str(message["List-Id"]) == f"{name} <long.localhost>"
    assert message["From"].addresses[0].display_name == name


def test_the_names_fill_the_field():
    assert len(ACCENTED) == len(PLAIN) == 120
    assert Newsletter._meta.get_field("name").max_length == 120


@NAMES
def test_a_long_name_reaches_readers_on_the_fast_path_and_on_djangos(sink, name):
    newsletter = _newsletter(name)
    factories.subscriber(newsletter, "lectora@example.org")  # the prebuilt bytes
    factories.subscriber(newsletter, "ana@correo.españa.es")  # Django's message
    edition = services.create_edition(newsletter=newsletter, subject="Año nuevo")

    edition = sending.send_edition(edition=edition)

    assert edition.status == "sent"
    assert set(edition.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert len(sink.messages) == 2
    for message in sink.messages:
        _assert_list_id(message, name)
    for received in sink.received:
        head = received.raw.split(b"\r\n\r\n", 1)[0]
        assert head.isascii()
        assert all(len(line) <= 998 for line in head.split(b"\r\n"))


@NAMES
def test_a_long_name_keeps_the_fast_path(name):
    newsletter = _newsletter(name)
    edition = services.create_edition(newsletter=newsletter, subject="Año nuevo")
    smtp = SMTPBackend(host="127.0.0.1", port=9)  # never opened
    assert emails.Composer(edition, emails.edition_content(edition), smtp).template is not None


def test_send_a_test_works_with_a_long_accented_name(client, sink):
    editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(editor)
    edition = services.create_edition(newsletter=_newsletter(ACCENTED), subject="Año nuevo")

    response = client.post(
        reverse("wagtailsnippets_newsletter_edition:send_test", args=[edition.pk])
    )

    assert response.status_code == 302
    [message] = sink.messages
    _assert_list_id(message, ACCENTED)
    assert sink.recipients == [["editor@example.org"]]
