"""A real SMTP server on loopback (aiosmtpd) and helpers to sign up through the web."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest

from masthead.audience.models import Newsletter
from tests.conftest import use_smtp_server
from tests.smtp_sink import Sink

LINK = re.compile(r"https?://[^\s\"<>]+/newsletter/confirm/[^\s\"<>/]+/")


@pytest.fixture
def smtp_sink(settings):
    """A loopback SMTP server (tests/smtp_sink.py), with Django's SMTP backend pointed at it."""
    with Sink() as running:
        use_smtp_server(settings, running.port)
        yield running.handler


@pytest.fixture
def newsletters(publication):
    """Two public newsletters (en, es) and one private one."""
    return {
        "daily": Newsletter.objects.create(
            name="Daily digest", slug="daily", language="en", sender_name="The Gazette"
        ),
        "diario": Newsletter.objects.create(
            name="Boletín diario", slug="diario", language="es", sender_name="La Gaceta"
        ),
        "staff": Newsletter.objects.create(
            name="Staff only", slug="staff", language="en", sender_name="X", is_public=False
        ),
    }


@pytest.fixture
def post_signup(client, django_capture_on_commit_callbacks):
    """POST the sign-up form and run what the service queued for after the commit."""

    def post(
        email: str,
        newsletters=(),
        *,
        language: str = "en",
        prefix: str = "en",
        extra: dict | None = None,
        **meta,
    ):
        payload = {
            "email": email,
            "newsletters": [n.pk for n in newsletters],
            "language": language,
            **(extra or {}),
        }
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/{prefix}/newsletter/", payload, **meta)

    return post


def text_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def confirm_path(message: EmailMessage) -> str:
    """The confirmation link of ``message``, as a path the test client can follow."""
    url = LINK.search(text_part(message)).group(0)
    return re.sub(r"^https?://[^/]+", "", url)
