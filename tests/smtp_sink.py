"""One SMTP server on loopback (aiosmtpd) for every test that reads real mail.

It records what it accepts twice over: per recipient (``received``: Message-ID, recipient,
raw bytes, for counting copies) and per message (``messages``, parsed, with ``recipients``
beside them, for reading one). It can misbehave on request: refuse some recipients with
550 (permanent) or 451 once (temporary), drop the connection before accepting the Nth
message, or accept the Nth message and then drop the connection, which is a lost
acknowledgement: the sender cannot know the message arrived.

Fixtures: ``sink`` (tests/newsletter/conftest.py) and ``smtp_sink``
(tests/audience/conftest.py) both yield a ``SinkHandler``.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller

_HEADERS = BytesHeaderParser(policy=policy.compat32)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    message_id: str
    rcpt: str
    raw: bytes
    peer: tuple = ()  # the client's (host, port): one per SMTP connection

    def parsed(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)


@dataclass
class SinkHandler:
    # One entry per accepted recipient.
    received: list[Received] = field(default_factory=list)
    # One entry per accepted message (DATA), and its accepted recipients.
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    reject: set[str] = field(default_factory=set)
    tempfail_once: set[str] = field(default_factory=set)
    drop_before: int | None = None  # drop instead of accepting message number N (1-based)
    drop_after: int | None = None  # accept message number N, then drop (lost ack)
    sessions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _seen_data: int = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.reject:
            return "550 5.1.1 User unknown"
        if address in self.tempfail_once:
            self.tempfail_once.discard(address)
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self._seen_data += 1
        if self.drop_before == self._seen_data:
            server.transport.close()
            return "421 dropped"
        message_id = _HEADERS.parsebytes(envelope.content)["Message-ID"]
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append(
                    Received(message_id, rcpt, envelope.content, tuple(session.peer or ()))
                )
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self.recipients.append(list(envelope.rcpt_tos))
        if self.drop_after == self._seen_data:
            server.transport.close()
            return "421 dropped"
        return "250 OK"

    def rcpt_counts(self) -> Counter:
        with self.lock:
            return Counter(r.rcpt for r in self.received)

    def for_rcpt(self, rcpt: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.rcpt == rcpt]

    def to(self, address: str) -> list[EmailMessage]:
        """The messages (parsed) that ``address`` was an accepted recipient of."""
        with self.lock:
            pairs = list(zip(self.messages, self.recipients, strict=True))
        return [message for message, rcpts in pairs if address in rcpts]


class Sink:
    """A running server: ``.handler`` for the records, ``.port`` to point Django at."""

    def __init__(self, handler: SinkHandler | None = None) -> None:
        self.handler = handler or SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
