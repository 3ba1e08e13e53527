"""A real SMTP server on loopback (aiosmtpd) and helpers to sign up through the web."""

from __future__ import annotations

import re
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from masthead.newsletter.models import Newsletter
from tests.conftest import use_smtp_server

LINK = re.compile(r"https?://[^\s\"<>]+/newsletter/confirm/[^\s\"<>/]+/")


class Sink:
    """Collects every message the SMTP server accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [
            m for m, rcpts in zip(self.messages, self.recipients, strict=True) if address in rcpts
        ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    use_smtp_server(settings, controller.port)
    yield sink
    controller.stop()


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
