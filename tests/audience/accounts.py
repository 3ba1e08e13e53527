"""Helpers for the reader-account tests: readers, sign-in links, and signed-in clients."""

from __future__ import annotations

import re
from email.message import EmailMessage

from django.test import Client
from django.utils import timezone

from masthead.audience import links
from masthead.audience.models import Newsletter, Reader, Subscription
from masthead.audience.queries import address_digest, sign_in_stamp

from .conftest import text_part

SIGN_IN = "/en/account/sign-in/"
SENT = "/en/account/sign-in/sent/"
ACCOUNT = "/en/account/"
_SIGN_IN_LINK = re.compile(r"https?://[^/\s]+(/[a-z]{2}/account/sign-in/[^\s\"<>/]+/)")
_EMAIL_LINK = re.compile(r"https?://[^/\s]+(/[a-z]{2}/account/email/confirm/[^\s\"<>/]+/)")


def reader(email: str, *, language: str = "en", confirmed: bool = True) -> Reader:
    return Reader.objects.create(
        email=email, language=language, email_confirmed_at=timezone.now() if confirmed else None
    )


def subscribe(who: Reader, newsletter: Newsletter, status: str = "confirmed") -> Subscription:
    now = timezone.now()
    return Subscription.objects.create(
        reader=who,
        newsletter=newsletter,
        status=status,
        source=Subscription.Source.FORM,
        consented_at=now,
        confirmed_at=now if status == "confirmed" else None,
    )


def sign_in_path(message: EmailMessage) -> str:
    """The sign-in link of ``message``, as a path the test client can follow."""
    return _SIGN_IN_LINK.search(text_part(message)).group(1)


def email_change_path(message: EmailMessage) -> str:
    return _EMAIL_LINK.search(text_part(message)).group(1)


def sign_in_token(who: Reader) -> str:
    """A sign-in token as the email would carry it (for tests about what comes after)."""
    return links.SIGN_IN.make(
        links.SignInLink(
            reader_id=who.pk,
            sign_in_stamp=sign_in_stamp(who),
            address_digest=address_digest(who.email),
        )
    )


def signed_in(who: Reader, client: Client | None = None) -> Client:
    """A client signed in as ``who`` through the real sign-in POST."""
    client = client or Client()
    path = f"/en/account/sign-in/{sign_in_token(who)}/"
    page = client.get(path)  # the button page: also what gives a strict client its CSRF token
    csrf = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    assert page.status_code == 200
    response = client.post(path, {"csrfmiddlewaretoken": csrf})
    assert response.status_code == 302, response.content
    assert response["Location"] == ACCOUNT
    who.refresh_from_db()
    return client
