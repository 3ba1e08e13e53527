"""Helpers for the reader-facing funding tests: post the forms, press the test checkout's buttons."""

from __future__ import annotations

import re

from django.test import Client

from masthead.funding.models import Checkout

SUPPORT = "/en/support/"
MEMBERSHIP = "/en/support/membership/"
MANAGE = "/en/account/membership/manage/"
_TEST_CHECKOUT = re.compile(r"^/en/support/test-checkout/([0-9a-f-]{36})/$")


def give(client: Client, **fields: str):
    """POST the give-once form as a guest in USD, with ``fields`` on top."""
    data = {"currency": "USD", "email": "guest@example.org", **fields}
    return client.post(SUPPORT, {k: v for k, v in data.items() if v is not None})


def join(client: Client, price, **fields: str):
    data = {"currency": price.currency, "price": str(price.pk), "email": "guest@example.org"}
    data.update(fields)
    return client.post(MEMBERSHIP, {k: v for k, v in data.items() if v is not None})


def checkout_of(response) -> Checkout:
    """The checkout a redirect to the test checkout page names."""
    assert response.status_code == 302, response.content.decode()[:2000]
    match = _TEST_CHECKOUT.match(response["Location"])
    assert match, response["Location"]
    return Checkout.objects.get(pk=match.group(1))


def press(client: Client, checkout: Checkout, outcome: str, capture=None):
    """Press a button on the test checkout page; with ``capture``, the worker runs too."""
    path = f"/en/support/test-checkout/{checkout.pk}/"
    if capture is None:
        return client.post(path, {"outcome": outcome})
    with capture(execute=True):
        return client.post(path, {"outcome": outcome})


def form_errors(response) -> str:
    """The text of every form error on the page."""
    html = response.content.decode()
    found = re.findall(r'class="form-error[^"]*" role="alert">(.*?)</(?:span|p|div)>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", text).strip() for text in found)
