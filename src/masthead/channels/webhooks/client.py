"""The adapter: one signed POST to an endpoint, over the SSRF-guarded client (lib/ssrf.py).

Only this module makes webhook requests. Each attempt is signed afresh (a new
webhook-timestamp, the same webhook-id), and its outcome is one of four kinds that
services.record turns into the row's state. The response body is never read: a receiver
answers with its status code, and a huge body must not cost us memory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from masthead.channels.webhooks import signing
from masthead.lib import ssrf

DELIVERED = "delivered"
GONE = "gone"  # 410: the receiver asks us to stop (Standard Webhooks)
RETRY = "retry"  # connection error, timeout, any other status: try again later
REFUSED = "refused"  # the address is not allowed, or the URL is unusable: retrying won't help

# 307 and 308 keep the method and body; a 301/302/303 would turn our POST into a GET.
_FOLLOWED = {307, 308}
MAX_REDIRECTS = 3
USER_AGENT = "Masthead-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    kind: str
    status_code: int | None = None
    error: str = ""


def post(*, url: str, secret: str, message_id: str, body: str) -> Outcome:
    """POST ``body`` to ``url`` signed with ``secret``; follows up to three 307/308s, each
    checked like the first (the guard is on every connection)."""
    with ssrf.client(
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
        allowed_networks=settings.WEBHOOK_ALLOWED_NETWORKS,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        headers={"user-agent": USER_AGENT},
    ) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            headers = signing.headers(
                secret=secret, message_id=message_id, timestamp=int(time.time()), body=body
            )
            try:
                with client.stream("POST", url, content=body.encode(), headers=headers) as r:
                    status, location = r.status_code, r.headers.get("location")
            except ssrf.BlockedAddress as exc:
                return Outcome(REFUSED, error=str(exc))
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                return Outcome(REFUSED, error=_("Unusable URL: %(error)s") % {"error": exc})
            except httpx.HTTPError as exc:
                return Outcome(RETRY, error=f"{type(exc).__name__}: {exc}")
            if status in _FOLLOWED and location:
                url = urljoin(url, location)
                continue
            return _outcome(status, location)
    return Outcome(RETRY, error=_("Too many redirects."))


def _outcome(status: int, location: str | None) -> Outcome:
    if 200 <= status < 300:
        return Outcome(DELIVERED, status_code=status)
    if status == 410:
        return Outcome(GONE, status_code=status, error=_("The endpoint answered 410 Gone."))
    if status in (301, 302, 303):
        message = _("Redirected to %(location)s: point the endpoint at the new URL.")
        return Outcome(RETRY, status_code=status, error=message % {"location": location})
    return Outcome(RETRY, status_code=status, error=_("HTTP %(status)s") % {"status": status})
