"""One POST to a channel's outside API, and whether it may have been sent (issue 11).

Telegram's Bot API and Meta's Graph API have no idempotency key, so what matters about a
failed call is whether the request can have reached them: refused before sending, it is
retried; lost after (a read timeout, a connection cut mid-request), it is "uncertain" and
never repeated on its own. Both adapters (telegram.py, whatsapp/graph.py) post through here.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

RETRY, UNCERTAIN = "retry", "uncertain"

# Failures before a byte of the request left: nothing can have been sent.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


@dataclass(frozen=True)
class Posted:
    """The answer, or (``response`` None) why there is none: ``failure`` is RETRY or
    UNCERTAIN and ``description`` says what happened, with the secret blanked out."""

    response: httpx.Response | None = None
    failure: str = ""
    description: str = ""


def post_once(
    url: str, *, json: dict, timeout: float, secret: str, headers: dict | None = None
) -> Posted:
    """POST ``json`` to ``url``; never raises for a network error. ``secret`` (a token in
    the URL or a header) never reaches the description, hence a log or the admin."""
    try:
        # A fresh connection per call, on purpose: a kept-alive connection that the server
        # closed fails as a read error, which would count as "uncertain" though nothing was
        # sent. At these paces a connection per post costs nothing.
        with httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0))) as client:
            return Posted(response=client.post(url, json=json, headers=headers))
    except _NOT_SENT as exc:
        return Posted(failure=RETRY, description=describe(exc, secret))
    except httpx.HTTPError as exc:  # read/write timeout, connection lost mid-request
        return Posted(failure=UNCERTAIN, description=describe(exc, secret))


def describe(exc: Exception, secret: str) -> str:
    text = f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__
    return text.replace(secret, "…")[:1000] if secret else text[:1000]
