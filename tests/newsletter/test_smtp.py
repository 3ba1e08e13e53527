"""Which backends get prebuilt copies written straight to the SMTP connection (smtp.py)."""

from __future__ import annotations

from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend

from masthead.lib.dkim_backend import DKIMEmailBackend
from masthead.newsletter import smtp


class Rewriting(EmailBackend):
    """A site's own SMTP backend: it may change what goes on the wire."""


def test_django_and_the_dkim_smtp_backends_send_prebuilt_copies_from_the_bare_address(settings):
    settings.DEFAULT_FROM_EMAIL = "The Gazette <news@example.org>"
    assert smtp.envelope_sender(EmailBackend()) == "news@example.org"
    assert smtp.envelope_sender(DKIMEmailBackend()) == "news@example.org"


def test_any_other_backend_sends_every_message_itself(settings):
    settings.DEFAULT_FROM_EMAIL = "news@example.org"
    assert smtp.envelope_sender(Rewriting()) is None
    assert (
        smtp.envelope_sender(get_connection("django.core.mail.backends.locmem.EmailBackend"))
        is None
    )


def test_the_envelope_sender_is_the_one_djangos_backend_would_send(settings):
    settings.DEFAULT_FROM_EMAIL = "The Gazette <news@exämple.org>"
    assert smtp.envelope_sender(EmailBackend()) == "news@xn--exmple-cua.org"
