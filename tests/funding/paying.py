"""Helpers for the lifecycle tests: checkouts paid through the local provider, mail parts, links."""

from __future__ import annotations

import re
from email.message import EmailMessage

from masthead.audience.models import Reader
from masthead.funding.models import Checkout, PlanPrice
from masthead.funding.providers.local import LocalProvider

_LINK = re.compile(r"https?://[^/\s]+(/[a-z]{2}/[^\s\"<>]+)")


def text_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_path(message: EmailMessage, contains: str) -> str:
    """The first link in the text part whose path contains ``contains``, as a path."""
    for match in _LINK.finditer(text_part(message)):
        if contains in match.group(1):
            return match.group(1)
    raise AssertionError(f"no {contains} link in {text_part(message)!r}")


def checkout(
    *,
    kind: str = Checkout.Kind.DONATION,
    amount: int = 2500,
    currency: str = "USD",
    email: str = "guest@example.org",
    reader: Reader | None = None,
    language: str = "en",
    price: PlanPrice | None = None,
    gift_recipient: str = "",
    gift_message: str = "",
    name: str = "",
) -> Checkout:
    """An open checkout for the local provider, as funding.checkout.begin stores one."""
    return Checkout.objects.create(
        kind=kind,
        provider="local",
        reader=reader,
        email=reader.email if reader else email,
        language=language,
        amount=amount,
        currency=currency,
        price=price,
        gift_recipient=gift_recipient,
        gift_message=gift_message,
        name=name,
    )


def pay(capture, checkout: Checkout, outcome: str = "succeeded", times: int = 1) -> None:
    """The reader presses "pay" (``times`` times) and the worker applies the event.

    ``capture`` is pytest-django's django_capture_on_commit_callbacks: the inbox task and
    the email tasks are enqueued on commit, and the immediate backend then runs them.
    """
    for _ in range(times):
        with capture(execute=True):
            LocalProvider().complete(checkout, outcome)
