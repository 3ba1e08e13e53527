"""An SMTP server on loopback (aiosmtpd) that records what it accepts, and can misbehave.

It records (Message-ID, recipient, raw bytes) for every accepted message. It can refuse
some recipients with 550 (permanent) or 451 once (temporary), drop the connection before
accepting the Nth message, or accept the Nth message and then drop the connection, which
is a lost acknowledgement: the sender cannot know the message arrived.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    message_id: str
    rcpt: str
    raw: bytes

    def parsed(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)


@dataclass
class SinkHandler:
    received: list[Received] = field(default_factory=list)
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
        message = message_from_bytes(envelope.content, policy=policy.compat32)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append(Received(message["Message-ID"], rcpt, envelope.content))
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


class Sink:
    """A running server: ``.handler`` for the records, ``.port`` to point Django at."""

    def __init__(self) -> None:
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
