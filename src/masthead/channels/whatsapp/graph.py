"""The WhatsApp Cloud API adapter (Meta's Graph API over httpx): the only module that talks
to it. It sends template messages and verifies webhook signatures.

Every send ends in one ``Outcome``, as in telegram.py, because the messages endpoint has no
idempotency key and a second attempt at a request Meta did receive is a second (billed)
message:

- ``sent``: Meta accepted it and gave its message id (wamid);
- ``retry``: Meta certainly did not take it (no connection was made; 429 or a throttling
  error code): safe to send again later;
- ``uncertain``: the request may have reached Meta (read timeout, lost connection, 5xx);
- ``failed``: refused for good (not a WhatsApp user, invalid number, template problem,
  bad token), with Meta's own words.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import httpx
from django.conf import settings

from masthead.channels import http

SENT, RETRY, UNCERTAIN, FAILED = "sent", "retry", "uncertain", "failed"
# Meta's throttling codes (Cloud API error codes): nothing was sent, try again later.
# 4 and 80007: app/account rate limit; 130429: throughput; 131048: spam rate limit;
# 131056: too many messages to one recipient.
THROTTLED = frozenset({4, 80007, 130429, 131048, 131056})


@dataclass(frozen=True)
class Outcome:
    kind: str
    wamid: str = ""
    error_code: int | None = None
    description: str = ""


def is_configured() -> bool:
    """Sending needs the token and number; the app secret too, since without it the
    webhook cannot take a reader's STOP (DESIGN.md: consent before sending)."""
    return bool(
        settings.WHATSAPP_TOKEN
        and settings.WHATSAPP_PHONE_NUMBER_ID
        and settings.WHATSAPP_APP_SECRET
    )


def template_payload(*, to: str, name: str, language: str, parameters: list[str]) -> dict:
    """The messages endpoint's body for a template with text parameters in its body."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": value} for value in parameters],
                }
            ],
        },
    }


def send_template(*, to: str, name: str, language: str, parameters: list[str]) -> Outcome:
    """POST one template message to ``to`` (E.164); never raises for a network error."""
    token = settings.WHATSAPP_TOKEN
    url = f"{settings.WHATSAPP_API_BASE}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
    posted = http.post_once(
        url,
        json=template_payload(to=to, name=name, language=language, parameters=parameters),
        headers={"Authorization": f"Bearer {token}"},
        timeout=settings.WHATSAPP_TIMEOUT_SECONDS,
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
    status = response.status_code
    if status == 200:
        messages = body.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            wamid = str(messages[0].get("id") or "")
            if wamid:
                return Outcome(SENT, wamid=wamid[:200])
        # A 200 that is not the API's answer (a captive proxy): it may have gone through.
        return Outcome(UNCERTAIN, error_code=status, description=response.reason_phrase)
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    details = (error.get("error_data") or {}) if isinstance(error.get("error_data"), dict) else {}
    description = str(error.get("message") or response.reason_phrase or "")
    if details.get("details"):
        description = f"{description}: {details['details']}"
    description = description[:1000]
    if status == 429 or code in THROTTLED:
        return Outcome(RETRY, error_code=code or status, description=description)
    if 400 <= status < 500:
        return Outcome(FAILED, error_code=code or status, description=description)
    # 5xx: Meta may have queued the message before failing to answer.
    return Outcome(UNCERTAIN, error_code=code or status, description=description)


def signature_is_valid(body: bytes, header: str) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, app secret>``,
    compared in constant time. False without a secret: nothing unsigned is believed."""
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())
