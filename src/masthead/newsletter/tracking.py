"""Writes for what an ESP reports after sending: hard bounces, complaints, unsubscribes.

django-anymail verifies each tracking webhook (HTTP basic auth, plus the ESP's own
signature where it has one, e.g. Mailgun's HMAC) and normalises its payload into
``AnymailTrackingEvent``s, which webhook_urls.py stores in the inbox. The worker hands each
stored event to ``handle_inbox_event`` (registered in apps.py), which only decides what it
means and calls one of the services below; suppressions and unsubscribes go through
audience's doors. Policy (RELIABILITY.md §2, listmonk's
bounces.md): one hard bounce or one complaint suppresses the address for good; soft
bounces and deferrals change nothing, the ESP retries them itself.

Every service is idempotent: ESPs redeliver webhooks, and a repeat changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from masthead.audience import services as audience
from masthead.audience.models import DETAIL_MAX_LENGTH, Subscription, Suppression
from masthead.audience.queries import readers_with_address
from masthead.inbox.handlers import Ignored
from masthead.inbox.models import Event
from masthead.newsletter import services
from masthead.newsletter.models import Delivery

logger = logging.getLogger(__name__)

HARD_BOUNCE = "hard_bounce"
COMPLAINT = "complaint"
UNSUBSCRIBE = "unsubscribe"


# --- what an event means -------------------------------------------------------------


# Anymail reports some soft bounces as "bounced" too (Postmark's SoftBounce, Brevo's
# soft_bounce, SparkPost's bounce classes 20-24, ...), so each ESP's raw event is asked.
# Each function answers: is this "bounced" event a temporary failure?
def _postmark_soft(raw: dict) -> bool:
    return raw.get("Type") != "HardBounce"


def _brevo_soft(raw: dict) -> bool:
    return raw.get("event") not in {"hard_bounce", "invalid_email"}


def _sendgrid_soft(raw: dict) -> bool:
    return raw.get("type") == "blocked"  # a block by the receiving server, not a dead mailbox


def _sparkpost_soft(raw: dict) -> bool:
    # 10 invalid recipient, 30 no RCPT, 90 unsubscribe: the permanent classes.
    event = raw.get("msys", {}).get("message_event", {})
    return str(event.get("bounce_class")) not in {"10", "30", "90"}


def _ses_soft(raw: dict) -> bool:
    return raw.get("bounce", {}).get("bounceType") != "Permanent"


def _mailjet_soft(raw: dict) -> bool:
    return not raw.get("hard_bounce", False)


def _mandrill_soft(raw: dict) -> bool:
    return raw.get("event") == "soft_bounce"


def _mailersend_soft(raw: dict) -> bool:
    return raw.get("data", {}).get("type") == "soft_bounced"


def _resend_soft(raw: dict) -> bool:
    return (raw.get("data", {}).get("bounce") or {}).get("type") == "Transient"


_SOFT_BOUNCE: dict[str, Callable[[dict], bool]] = {
    "Postmark": _postmark_soft,
    "Brevo": _brevo_soft,
    "SendinBlue": _brevo_soft,
    "SendGrid": _sendgrid_soft,
    "SparkPost": _sparkpost_soft,
    "Amazon SES": _ses_soft,
    "Mailjet": _mailjet_soft,
    "Mandrill": _mandrill_soft,
    "MailerSend": _mailersend_soft,
    "Resend": _resend_soft,
}

# "421 4.7.0 ...", "4.2.2 mailbox full", "smtp; 452 ...": a temporary SMTP reply.
_TEMPORARY_REPLY = re.compile(r"^(?:smtp;\s*)?4\d\d\b|^(?:smtp;\s*)?4\.\d{1,3}\.\d{1,3}\b")


def is_soft_bounce(event: AnymailTrackingEvent, esp_name: str) -> bool:
    """Whether a "bounced" event is temporary: the ESP's own flag, else the SMTP reply."""
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    check = _SOFT_BOUNCE.get(esp_name)
    if check is not None:
        try:
            return check(raw)
        except AttributeError:  # an unexpected shape: fall back to the SMTP reply
            pass
    return bool(_TEMPORARY_REPLY.match((event.mta_response or "").strip()))


def classify(event: AnymailTrackingEvent, esp_name: str) -> str | None:
    """``HARD_BOUNCE``, ``COMPLAINT``, ``UNSUBSCRIBE``, or None for events we ignore."""
    kind = event.event_type
    if kind == EventType.COMPLAINED:
        return COMPLAINT
    if kind == EventType.BOUNCED:
        return None if is_soft_bounce(event, esp_name) else HARD_BOUNCE
    if kind == EventType.UNSUBSCRIBED:
        return UNSUBSCRIBE
    if kind == EventType.REJECTED:
        # The ESP refused to send because of its own suppression list: mirror it here.
        reason = event.reject_reason
        if reason in {RejectReason.BOUNCED, RejectReason.INVALID}:
            return HARD_BOUNCE
        if reason == RejectReason.SPAM:
            return COMPLAINT
        if reason == RejectReason.UNSUBSCRIBED:
            return UNSUBSCRIBE
    return None  # delivered, opened, deferred, soft bounces, ESP policy blocks...


def describe(event: AnymailTrackingEvent, esp_name: str) -> str:
    """The suppression's detail: which ESP said what (description, SMTP reply)."""
    parts = [esp_name, event.event_type]
    if event.reject_reason:
        parts.append(f"({event.reject_reason})")
    text = " ".join(parts)
    for extra in (event.description, event.mta_response):
        if extra:
            text += f": {extra}"
    return text[:DETAIL_MAX_LENGTH]


def handle_inbox_event(stored: Event) -> None:
    """The inbox's handler for ``anymail:*`` events: rebuild the event, then ``handle`` it."""
    data = stored.payload
    moment = parse_datetime(data.get("timestamp") or "")
    event = AnymailTrackingEvent(
        event_type=data.get("event_type"),
        timestamp=moment,
        event_id=stored.event_id,
        esp_event=data.get("esp_event"),
        recipient=data.get("recipient"),
        message_id=data.get("message_id"),
        reject_reason=data.get("reject_reason"),
        description=data.get("description"),
        mta_response=data.get("mta_response"),
    )
    handle(event, data.get("esp_name", ""))


def handle(event: AnymailTrackingEvent, esp_name: str) -> None:
    """Route one verified event to a service; raises ``Ignored`` when it needs nothing."""
    kind = classify(event, esp_name)
    if kind is None:
        raise Ignored(f"{esp_name} {event.event_type}: nothing to do")
    email = (event.recipient or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise Ignored(f"{esp_name} {kind} event without a usable recipient") from None
    at = event.timestamp if event.timestamp and timezone.is_aware(event.timestamp) else None
    detail = describe(event, esp_name)
    if kind == HARD_BOUNCE:
        record_bounce(email=email, message_id=event.message_id, detail=detail, at=at)
    elif kind == COMPLAINT:
        record_complaint(email=email, message_id=event.message_id, detail=detail, at=at)
    else:
        record_unsubscribe(email=email, message_id=event.message_id)


# --- the writes ----------------------------------------------------------------------

# Ours are "<edition public id.delivery id@domain>" (emails.message_id).
_OUR_MESSAGE_ID = re.compile(r"([0-9a-f]{32})\.([0-9]{1,18})@[^\s<>]+")


def _by_message_id(message_id: str | None) -> Delivery | None:
    """The delivery one of our Message-IDs names, found by its primary key.

    The column has no index, so that the send loop's updates stay HOT (models.py): the
    row's id is read from the Message-ID, and the stored one must still match.
    """
    core = (message_id or "").strip().strip("<>").strip()
    match = _OUR_MESSAGE_ID.fullmatch(core)
    if match is None:
        return None
    edition, delivery_id = match.groups()
    return (
        Delivery.objects.filter(
            pk=int(delivery_id), edition__public_id=edition, message_id=f"<{core}>"
        )
        .select_related("edition")
        .first()
    )


def matching_delivery(*, email: str, message_id: str | None) -> Delivery | None:
    """The delivery an event is about: by our Message-ID, else the newest sent to ``email``.

    ESPs that relay our SMTP mail (Mailgun, SES) echo our Message-ID, with or without
    angle brackets; API-style ESPs (Postmark) report their own id, which matches nothing,
    so the address's most recent sent delivery stands in.
    """
    lowered = email.lower()
    by_id = _by_message_id(message_id)
    if by_id is not None and by_id.email.lower() == lowered:
        return by_id
    readers = readers_with_address(lowered).values("pk")
    return (
        Delivery.objects.filter(reader_id__in=readers, status=Delivery.Status.SENT)
        .select_related("edition")
        .order_by("-sent_at", "-pk")
        .first()
    )


@transaction.atomic
def _suppress_and_stamp(
    *, email: str, message_id: str | None, reason: str, detail: str, stamp: str, at: dt.datetime
) -> Delivery | None:
    # The first reason stays: a later complaint about a bounced address adds nothing.
    audience.suppress(email=email, reason=reason, detail=detail)
    delivery = matching_delivery(email=email, message_id=message_id)
    if delivery is not None:
        Delivery.objects.filter(pk=delivery.pk, **{f"{stamp}__isnull": True}).update(**{stamp: at})
    return delivery


def record_bounce(
    *, email: str, message_id: str | None = None, detail: str = "", at: dt.datetime | None = None
) -> Delivery | None:
    """Suppress ``email`` after a hard bounce and stamp the delivery that bounced.

    One transaction; idempotent (the suppression and ``bounced_at`` are written once).
    Returns the matched delivery, or None when no sent delivery is known for the address
    (the suppression is made all the same).
    """
    return _suppress_and_stamp(
        email=email,
        message_id=message_id,
        reason=Suppression.Reason.HARD_BOUNCE,
        detail=detail,
        stamp="bounced_at",
        at=at or timezone.now(),
    )


def record_complaint(
    *, email: str, message_id: str | None = None, detail: str = "", at: dt.datetime | None = None
) -> Delivery | None:
    """Suppress ``email`` after a spam complaint, stamp the delivery, and unsubscribe.

    The reader is unsubscribed from the newsletter of the matched delivery, so the
    subscriber counts say why they left. One transaction with the caller's (the inbox
    processes each event in one); each step is idempotent.
    """
    delivery = _suppress_and_stamp(
        email=email,
        message_id=message_id,
        reason=Suppression.Reason.COMPLAINT,
        detail=detail,
        stamp="complained_at",
        at=at or timezone.now(),
    )
    if delivery is not None and delivery.reader_id is not None:
        services.unsubscribe(
            reader_id=delivery.reader_id,
            newsletter_id=delivery.edition.newsletter_id,
            source=Subscription.Source.COMPLAINT,
        )
    return delivery


def record_unsubscribe(*, email: str, message_id: str | None = None) -> Delivery | None:
    """Unsubscribe from the newsletter of the matched delivery (an ESP-hosted unsubscribe).

    No suppression: the reader left one newsletter, not all mail. Idempotent.
    """
    delivery = matching_delivery(email=email, message_id=message_id)
    if delivery is not None and delivery.reader_id is not None:
        services.unsubscribe(
            reader_id=delivery.reader_id,
            newsletter_id=delivery.edition.newsletter_id,
            source=Subscription.Source.ESP,
        )
    return delivery
