"""Django's SMTP email backend, signing every message with DKIM (dkimpy) when a key is set.

Gmail and Yahoo want bulk mail DKIM-signed, and RFC 8058 §4 wants the signature to cover
List-Unsubscribe and List-Unsubscribe-Post, or one-click unsubscribe is not offered. A
relay that signs for us may sign too few headers, or sign before adding its own (the
folded List-Unsubscribe of nodemailer#1654), so the exact bytes we hand to the SMTP server
are signed here. The signed header list is explicit; a header it names that a message
lacks is signed as absent, so nobody can add it later either.

Settings (settings.py, README "DKIM"): ``DKIM_PRIVATE_KEY_FILE`` (PEM, RSA),
``DKIM_SELECTOR``, ``DKIM_DOMAIN`` (empty: each message's From domain, which DMARC
alignment needs). With no key file the backend sends unsigned, like Django's own.
"""

from __future__ import annotations

import smtplib
from email.utils import parseaddr
from pathlib import Path

import dkim
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import sanitize_address
from dkim.crypto import UnparsableKeyError, parse_pem_private_key

# In h=, in this order. From is required by RFC 6376; the List-* ones by RFC 8058 §4.
SIGNED_HEADERS = (
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "list-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
)


def load_private_key(path: str | Path) -> bytes:
    """The PEM bytes of the RSA key at ``path``; ImproperlyConfigured saying what is wrong."""
    name = "MASTHEAD_DKIM_PRIVATE_KEY_FILE"
    try:
        pem = Path(path).read_bytes()
    except FileNotFoundError:
        raise ImproperlyConfigured(f"{name}={path} does not exist") from None
    except IsADirectoryError:
        raise ImproperlyConfigured(f"{name}={path} is a directory, not a key file") from None
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}={path} cannot be read: {exc.strerror}") from None
    try:
        parse_pem_private_key(pem)
    except (UnparsableKeyError, ValueError, IndexError, TypeError):
        raise ImproperlyConfigured(
            f"{name}={path} is not a PEM RSA private key (make one with "
            "`openssl genrsa -out dkim.pem 2048`)"
        ) from None
    return pem


class DKIMSigner:
    """Signs raw message bytes for one key and selector."""

    def __init__(self, *, key: bytes, selector: str, domain: str = "") -> None:
        self.key = key
        self.selector = selector.encode("ascii")
        self.domain = domain

    @classmethod
    def from_settings(cls) -> DKIMSigner | None:
        path = getattr(settings, "DKIM_PRIVATE_KEY_FILE", "")
        if not path:
            return None
        if not settings.DKIM_SELECTOR:
            raise ImproperlyConfigured(
                "MASTHEAD_DKIM_SELECTOR must be set when MASTHEAD_DKIM_PRIVATE_KEY_FILE is"
            )
        return cls(
            key=load_private_key(path),
            selector=settings.DKIM_SELECTOR,
            domain=settings.DKIM_DOMAIN,
        )

    def sign(self, message: bytes, *, from_address: str) -> bytes:
        """``message`` with a DKIM-Signature header in front."""
        domain = self.domain or parseaddr(from_address)[1].rpartition("@")[2]
        signature = dkim.sign(
            message,
            self.selector,
            domain.lower().encode("ascii"),
            self.key,
            # relaxed/relaxed: survives relays that re-fold headers or trim line ends.
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[name.encode("ascii") for name in SIGNED_HEADERS],
        )
        return signature + message


class DKIMEmailBackend(EmailBackend):
    """``django.core.mail.backends.smtp.EmailBackend`` that DKIM-signs what it sends."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.signer = DKIMSigner.from_settings()

    def signed(self, raw: bytes, *, from_address: str) -> bytes:
        """``raw`` as this backend sends it: signed when a key is set (newsletter/smtp.py)."""
        return raw if self.signer is None else self.signer.sign(raw, from_address=from_address)

    def _send(self, email_message: EmailMessage) -> bool:
        if self.signer is None:
            return super()._send(email_message)
        # Django's _send, with the signing step between building and sending the bytes.
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(addr, encoding) for addr in email_message.recipients()]
        raw = email_message.message().as_bytes(linesep="\r\n")
        signed = self.signer.sign(raw, from_address=from_email)
        try:
            self.connection.sendmail(from_email, recipients, signed)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
