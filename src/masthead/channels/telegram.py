"""The Telegram Bot API adapter: the only module that talks to Telegram (over httpx).

Every call ends in one ``Outcome`` that says what the caller may do next, because the Bot
API has no idempotency key and a second attempt at a request Telegram did receive is a
second post:

- ``sent``: Telegram answered ok;
- ``retry``: Telegram certainly did not post it (the connection was never made, or it
  answered 429 with ``retry_after``): safe to send again;
- ``uncertain``: the request may have reached Telegram (read timeout, lost connection,
  5xx): only an editor may decide to send again;
- ``failed``: Telegram refused it for good (bad token, chat not found, bot not admin).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from django.conf import settings

from masthead.channels import http
from masthead.channels.posts import Post

SENT, RETRY, UNCERTAIN, FAILED = "sent", "retry", "uncertain", "failed"
# Telegram's 429 always carries retry_after; this is for a proxy's bare 429.
DEFAULT_RETRY_AFTER = 5


@dataclass(frozen=True)
class Outcome:
    kind: str
    message_id: int | None = None
    error_code: int | None = None
    description: str = ""
    retry_after: int = 0


def is_configured() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN)


def send(*, chat_id: str, post: Post) -> Outcome:
    """Make one Bot API call for ``post`` in ``chat_id``; never raises for a network error."""
    token = settings.TELEGRAM_BOT_TOKEN
    url = f"{settings.TELEGRAM_API_BASE}/bot{token}/{post.method}"
    # The token is part of every Bot API URL: post_once keeps it out of the description.
    posted = http.post_once(
        url,
        json={"chat_id": chat_id, **post.params},
        timeout=settings.TELEGRAM_TIMEOUT_SECONDS,
        secret=token,
    )
    if posted.response is None:
        return Outcome(posted.failure, description=posted.description)
    return _outcome(posted.response)


def _outcome(response: httpx.Response) -> Outcome:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    description = str(body.get("description") or response.reason_phrase or "")[:1000]
    code = response.status_code
    if code == 200 and body.get("ok") is True:
        result = body.get("result") or {}
        return Outcome(SENT, message_id=result.get("message_id"))
    if code == 429:
        retry_after = (body.get("parameters") or {}).get("retry_after")
        if not isinstance(retry_after, int) or retry_after < 1:
            retry_after = DEFAULT_RETRY_AFTER
        return Outcome(RETRY, error_code=code, description=description, retry_after=retry_after)
    if 400 <= code < 500:
        return Outcome(FAILED, error_code=code, description=description)
    # 5xx, or a 200 that is not the Bot API's answer: Telegram may have posted it.
    return Outcome(UNCERTAIN, error_code=code, description=description)
