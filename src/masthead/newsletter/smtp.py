"""One SMTP transaction for a copy the Composer prebuilt, with a moment before DATA.

Why not Django's ``send_messages`` and smtplib's ``sendmail`` for these copies:

- Django parses the sender and the recipient on every message (``sanitize_address``), and
  smtplib parses both again (``quoteaddr``): together a fifth of the worker's time per
  message on a long send (bench/newsletter.py). The Composer only prebuilds a copy for a
  recipient that is a plain ASCII address, and the sender is parsed here once per send.
- The sending loop needs a moment between RCPT and DATA, where the previous message's
  "sent" mark is confirmed (marks.py); ``sendmail`` has no such place.

What ``sendmail`` does is kept (and the DKIM backend's signature): EHLO when needed, the
SIZE option, RSET after a refusal, closing after a 421, and the exceptions it raises for
each refusal, so the sending loop handles both paths alike (tests/newsletter/
test_sending.py runs them against a real server). Any other message goes through the backend's ``send_messages`` unchanged.
"""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Callable

from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

from masthead.lib.dkim_backend import DKIMEmailBackend
from masthead.newsletter import emails


def envelope_sender(connection: object) -> str | None:
    """The envelope sender for prebuilt copies, or None if only the backend may send."""
    # Only backends whose sending is known: a subclass may change what goes on the wire.
    if type(connection) not in (SMTPBackend, DKIMEmailBackend):
        return None
    encoding = "utf-8"  # what Django's backend uses for a message without its own
    try:
        sender = sanitize_address(emails.sender_address(), encoding)
    except ValueError:
        return None
    return sender if emails.PLAIN_ADDRESS.fullmatch(sender) else None


def send(
    backend: SMTPBackend,
    message: emails.PrebuiltMessage,
    *,
    sender: str,
    before_data: Callable[[], None],
) -> None:
    """Send ``message`` over the backend's open connection; smtplib's exceptions on refusal.

    ``before_data`` runs once the recipient is accepted, just before DATA.
    """
    smtp = backend.connection
    recipient = message.to[0]
    if not emails.PLAIN_ADDRESS.fullmatch(recipient):  # the Composer's rule; never trust, check
        raise ValueError(f"not a plain address: {recipient!r}")
    raw = message.raw
    if isinstance(backend, DKIMEmailBackend):
        raw = backend.signed(raw, from_address=sender)
    smtp.ehlo_or_helo_if_needed()
    size = f" SIZE={len(raw)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    code, reply = smtp.docmd("mail", f"FROM:<{sender}>{size}")
    if code != 250:
        _end_transaction(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.docmd("rcpt", f"TO:<{recipient}>")
    if code not in (250, 251):
        _end_transaction(smtp, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    before_data()
    code, reply = smtp.data(raw)
    if code != 250:
        _end_transaction(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _end_transaction(smtp: smtplib.SMTP, code: int) -> None:
    """What ``sendmail`` does after a refusal: close on 421, else RSET (a lost server is
    not this refusal's error)."""
    if code == 421:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()
