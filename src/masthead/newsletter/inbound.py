"""Unsubscribing by email: the ``mailto:`` in every newsletter's List-Unsubscribe header.

The header names our address (``NEWSLETTER_UNSUBSCRIBE_EMAIL`` or the sender) with the
subject ``unsubscribe <token>``, the same signed per-reader, per-newsletter token as the
one-click link. An ESP's inbound route posts mail to that address to
``/webhooks/email/<esp>/inbound/`` (django-anymail, verified like the tracking webhooks),
and this ends that one subscription. The token is the only authority: a From address can
be forged and is never used, and mail without a valid token changes nothing.
"""

from __future__ import annotations

import logging
import re

from masthead.audience.models import Subscription
from masthead.lib.tokens import BadToken
from masthead.newsletter import emails, services

logger = logging.getLogger(__name__)

# "unsubscribe <token>", also after "Re:" or a client's "Fwd:"; tokens have no spaces.
_REQUEST = re.compile(r"\bunsubscribe\s+([\w:.-]+)", re.IGNORECASE)


def unsubscribe_by_email(subject: str) -> bool:
    """Act on an unsubscribe request mailed to us; True if a subscription ended."""
    match = _REQUEST.search(subject or "")
    if match is None:
        logger.info("inbound mail without an unsubscribe token: ignored")
        return False
    try:
        link = emails.UNSUBSCRIBE.read(match.group(1))
    except BadToken:
        logger.info("inbound unsubscribe with an invalid token: ignored")
        return False
    return services.unsubscribe(
        reader_id=link.reader_id,
        newsletter_id=link.newsletter_id,
        source=Subscription.Source.EMAIL,
    )


def on_inbound(sender: object, event: object, esp_name: str, **kwargs: object) -> None:
    """anymail's ``inbound`` signal: one received message per event."""
    message = getattr(event, "message", None)
    unsubscribe_by_email(getattr(message, "subject", "") or "")
