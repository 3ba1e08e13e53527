"""Standard Webhooks signatures (standardwebhooks.com, spec v1): the receiver's side is
the ``standardwebhooks`` package, which the tests use to verify what we send."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from masthead.channels.webhooks.models import SECRET_PREFIX


def new_message_id() -> str:
    # Unique per message and kept across its retries: receivers deduplicate on it.
    return "msg_" + secrets.token_urlsafe(18)


def sign(*, secret: str, message_id: str, timestamp: int, body: str) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` with the secret's key bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    content = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(*, secret: str, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(
            secret=secret, message_id=message_id, timestamp=timestamp, body=body
        ),
    }
