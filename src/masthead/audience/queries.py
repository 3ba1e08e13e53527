"""Reads for readers and their consent: what an emailed link would do, and what we hold.

Every link the audience app emails (confirm, sign in, change email) is read here, by the
GET that shows its button and again by the POST that uses it (services.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.functions import Lower

from masthead.audience import hooks, links
from masthead.audience.models import (
    ConsentEvent,
    EmailChangeRequest,
    Newsletter,
    Reader,
    ReaderImport,
    Subscription,
    Suppression,
)
from masthead.lib import tokens

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def consent_stamp(moment: dt.datetime) -> int:
    """Whole microseconds since the epoch: exact, unlike float timestamps."""
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


class ConfirmationRefused(Exception):  # noqa: N818
    """The link is expired, invalid, or already used; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        # "expired", "invalid", "used", or "unavailable" (an email change to an address
        # that another reader took meanwhile)
        self.reason = reason


def pending_confirmation(token: str) -> list[Subscription]:
    """The subscriptions a confirmation token would confirm; raises ``ConfirmationRefused``.

    Used by both the GET (which shows the button and changes nothing) and the POST.
    """
    try:
        link = links.CONFIRM.read(token)
    except tokens.BadToken as exc:
        raise ConfirmationRefused(exc.reason) from None
    reader_id, sub_ids, stamp = link.reader_id, link.subscription_ids, link.consent_stamp
    subs = list(
        Subscription.objects.filter(reader_id=reader_id, pk__in=sub_ids).select_related(
            "reader", "newsletter"
        )
    )
    # Single use: confirming (or a newer sign-up, which issues a newer link) changes the
    # status or the consent time, so an old or replayed link no longer matches.
    if (
        len(subs) != len(sub_ids)
        or not subs
        or any(
            s.status != Subscription.Status.PENDING or consent_stamp(s.consented_at) != stamp
            for s in subs
        )
    ):
        raise ConfirmationRefused("used")
    return subs


def address_digest(email: str) -> str:
    """A short digest of an address, for tokens: binds a link to the address it was sent to
    without writing the address into the (only signed, not encrypted) token."""
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def sign_in_stamp(reader: Reader) -> int:
    """What a sign-in link signs: it changes on every sign-in, so a link works once."""
    moment = reader.last_signed_in_at
    return 0 if moment is None else consent_stamp(moment)


def reader_for_sign_in(token: str) -> Reader:
    """The reader a sign-in token would sign in; raises ``ConfirmationRefused``.

    Used by the GET (the button) and, under a row lock, by the POST (services.sign_in).
    """
    try:
        link = links.SIGN_IN.read(token)
    except tokens.BadToken as exc:
        raise ConfirmationRefused(exc.reason) from None
    reader = Reader.objects.filter(pk=link.reader_id).first()
    if reader is None or address_digest(reader.email) != link.address_digest:
        # Erased, or the account moved to another address since the link was sent.
        raise ConfirmationRefused("invalid")
    if sign_in_stamp(reader) != link.sign_in_stamp:
        raise ConfirmationRefused("used")
    return reader


@dataclass(frozen=True)
class EmailChange:
    reader: Reader
    new_email: str


def pending_email_change(token: str) -> EmailChange:
    """The change an email-change token would make; raises ``ConfirmationRefused``.

    The token signs the old and the new address, so once the change is made (or the
    address changed another way) the link no longer matches: it works once.
    """
    try:
        link = links.EMAIL_CHANGE.read(token)
    except tokens.BadToken as exc:
        raise ConfirmationRefused(exc.reason) from None
    old, new = link.old_email, link.new_email
    reader = Reader.objects.filter(pk=link.reader_id).first()
    if reader is None:
        raise ConfirmationRefused("invalid")
    if reader.email != old:
        raise ConfirmationRefused("used")
    if is_taken(new, by_other_than=reader) or is_suppressed(new):
        raise ConfirmationRefused("unavailable")
    return EmailChange(reader=reader, new_email=new)


def readers_with_address(email: str) -> QuerySet[Reader]:
    """Readers whose address is ``email`` in any case (at most one): LOWER(email) = …,
    which the reader_email_unique_ci index answers, unlike ``iexact`` on PostgreSQL."""
    return Reader.objects.alias(email_ci=Lower("email")).filter(email_ci=email.lower())


def normalise_email(email: str) -> str:
    """The address as stored: trimmed, domain lower-cased (the local part may be case-sensitive)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def suppression_key(email: str) -> str:
    """How a suppressed address is stored and looked up: trimmed and lower-cased whole.

    The one place that decides it (services.suppress writes with it, everything else reads
    with it), so the unique index on Suppression.email answers every lookup.
    """
    return email.strip().lower()


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(email=suppression_key(email)).exists()


def suppressed_among(emails: list[str]) -> set[str]:
    """Which of ``emails`` are suppressed, as their ``suppression_key``s (one query)."""
    keys = {suppression_key(e) for e in emails}
    return set(Suppression.objects.filter(email__in=keys).values_list("email", flat=True))


def is_taken(email: str, *, by_other_than: Reader) -> bool:
    return readers_with_address(email).exclude(pk=by_other_than.pk).exists()


def known_reader(email: str) -> Reader | None:
    """The reader with this address (case-insensitive), if any."""
    return readers_with_address(email).first()


@dataclass(frozen=True)
class NewsletterChoice:
    newsletter: Newsletter
    subscribed: bool


def account_newsletters(reader: Reader) -> list[NewsletterChoice]:
    """The public newsletters, each with whether the reader receives (or awaits) it."""
    active = set(
        Subscription.objects.filter(
            reader=reader,
            status__in=[Subscription.Status.PENDING, Subscription.Status.CONFIRMED],
        ).values_list("newsletter_id", flat=True)
    )
    return [
        NewsletterChoice(newsletter=n, subscribed=n.pk in active)
        for n in Newsletter.objects.filter(is_public=True)
    ]


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def reader_data(reader: Reader) -> dict:
    """Everything held about ``reader``, as plain JSON-ready data (the "download my data").

    Kept in step with services.erase_reader: whatever that deletes or anonymises is listed
    here first. The apps above audience add their sections through ``hooks.exporting``;
    what they list belongs to this reader's account, never merely to the same address (a
    new reader at an address someone used before must not see that person's history).
    """
    subscriptions = Subscription.objects.filter(reader=reader).select_related("newsletter")
    consent = ConsentEvent.objects.filter(reader=reader).select_related("newsletter")
    suppression = Suppression.objects.filter(email=suppression_key(reader.email)).first()
    data = {
        "reader": {
            "email": reader.email,
            "language": reader.language,
            "created_at": _iso(reader.created_at),
            "email_confirmed_at": _iso(reader.email_confirmed_at),
            "last_signed_in_at": _iso(reader.last_signed_in_at),
        },
        "subscriptions": [
            {
                "newsletter": s.newsletter.name,
                "status": s.status,
                "source": s.source,
                "consented_at": _iso(s.consented_at),
                "confirmed_at": _iso(s.confirmed_at),
                "unsubscribed_at": _iso(s.unsubscribed_at),
            }
            for s in subscriptions
        ],
        "consent_log": [
            {
                "newsletter": e.newsletter.name,
                "event": e.kind,
                "at": _iso(e.at),
                "source": e.source,
                "wording": e.wording,
                "client": e.client,
            }
            for e in consent.order_by("at", "pk")
        ],
        # Held only until the worker mails them (services.take_email_change).
        "email_change_requests": [
            {"new_email": c.new_email, "requested_at": _iso(c.requested_at)}
            for c in EmailChangeRequest.objects.filter(reader=reader).order_by("pk")
        ],
        "suppression": None
        if suppression is None
        else {
            "email": suppression.email,
            "reason": suppression.reason,
            "detail": suppression.detail,
            "created_at": _iso(suppression.created_at),
        },
    }
    for _receiver, sections in hooks.exporting.send(sender=Reader, reader=reader):
        data.update(sections or {})
    return data


def reader_imports() -> QuerySet[ReaderImport]:
    """CSV imports, newest first, without the stored file (it can be 5 MB)."""
    return ReaderImport.objects.select_related("newsletter", "uploaded_by").defer("content")
