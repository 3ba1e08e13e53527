"""Writes for readers and their consent: sign-up with double opt-in, and its confirmation.

The only code that creates or changes Reader and Subscription rows. Email goes out on
commit (emails.py), so a rolled-back sign-up never mails anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.audience import emails
from masthead.audience.models import Reader, Subscription, Suppression
from masthead.audience.queries import (
    CONFIRM_PURPOSE,
    ConfirmationRefused,
    consent_stamp,
    pending_confirmation,
)
from masthead.lib import tokens
from masthead.newsletter.models import Newsletter

log = logging.getLogger(__name__)


def normalise_email(email: str) -> str:
    """The address as stored: trimmed, domain lower-cased (the local part may be case-sensitive)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def _reader_for(email: str, *, language: str) -> Reader:
    reader = Reader.objects.filter(email__iexact=email).first()
    if reader is not None:
        return reader
    reader = Reader(email=email, language=language)
    # The case-insensitive unique constraint is left to the database, so a concurrent
    # sign-up for the same address lands in the IntegrityError branch, not a 500.
    reader.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # savepoint: a concurrent sign-up may have won the race
            reader.save()
    except IntegrityError:
        reader = Reader.objects.get(email__iexact=email)
    return reader


@transaction.atomic(durable=True)
def sign_up(
    *,
    email: str,
    newsletters: Iterable[Newsletter],
    language: str,
    source: str = Subscription.Source.FORM,
    ip: str = "",
) -> None:
    """Ask ``email`` to confirm its subscription to ``newsletters`` (double opt-in).

    Creates the reader if needed and puts every chosen newsletter the reader is not yet
    confirmed for into PENDING with a fresh consent time; that includes newsletters they
    once unsubscribed from, which are never re-subscribed without a new confirmation.
    Then, on commit, sends exactly one email: the confirmation link, or, when the reader
    is already confirmed for every chosen newsletter, a "you are already subscribed" note.
    Both cases send one email, so neither the response nor its timing tells a stranger
    whether the address is known. Suppressed addresses get nothing and nothing is written.
    The caller rate-limits (views.py); ``ip`` is only logged.
    """
    email = normalise_email(email)
    newsletters = list(newsletters)
    if not newsletters:
        raise ValueError("sign_up needs at least one newsletter")
    if Suppression.objects.filter(email__iexact=email).exists():
        log.info("sign-up for a suppressed address ignored (ip %s)", ip)
        return
    reader = _reader_for(email, language=language)
    if reader.email_confirmed_at is None and reader.language != language:
        # Only an unproven address takes the form's language: a stranger must not be able
        # to change a confirmed reader's settings by signing them up.
        reader.language = language
        reader.save(update_fields=["language"])

    now = timezone.now()
    existing = {
        sub.newsletter_id: sub
        for sub in Subscription.objects.select_for_update().filter(
            reader=reader, newsletter__in=list(newsletters)
        )
    }
    pending = []
    for newsletter in newsletters:
        sub = existing.get(newsletter.pk)
        if sub is None:
            sub = Subscription(
                reader=reader, newsletter=newsletter, source=source, consented_at=now
            )
            sub.full_clean(validate_constraints=False)
            try:
                with transaction.atomic():  # savepoint: a concurrent sign-up may have won
                    sub.save()
            except IntegrityError:
                sub = Subscription.objects.select_for_update().get(
                    reader=reader, newsletter=newsletter
                )
        if sub.status == Subscription.Status.CONFIRMED:
            continue
        if sub.consented_at != now:
            # PENDING again (a fresh link replaces the old one) or UNSUBSCRIBED → PENDING.
            sub.status = Subscription.Status.PENDING
            sub.source = source
            sub.consented_at = now
            sub.confirmed_at = None
            sub.save(update_fields=["status", "source", "consented_at", "confirmed_at"])
        pending.append(sub)

    if pending:
        token = tokens.make_token(
            CONFIRM_PURPOSE,
            {"r": reader.pk, "s": sorted(s.pk for s in pending), "v": consent_stamp(now)},
        )
        message = emails.confirmation(reader=reader, subscriptions=pending, token=token)
    elif reader.email_confirmed_at is not None:
        message = emails.already_subscribed(reader=reader, newsletters=list(newsletters))
    else:  # defensive: an unproven address only ever receives a confirmation link
        return
    transaction.on_commit(lambda: emails.send(message))


@transaction.atomic(durable=True)
def confirm_subscriptions(*, token: str) -> list[Subscription]:
    """Confirm what ``token`` names, once: subscriptions CONFIRMED, the address proven.

    Raises ``ConfirmationRefused`` for an expired, tampered or already used link.
    """
    subs = pending_confirmation(token)
    # Lock and re-check, so two concurrent POSTs cannot both confirm.
    locked = list(Subscription.objects.select_for_update().filter(pk__in=[s.pk for s in subs]))
    stamps = {consent_stamp(s.consented_at) for s in subs}
    if any(
        s.status != Subscription.Status.PENDING or consent_stamp(s.consented_at) not in stamps
        for s in locked
    ):
        raise ConfirmationRefused("used")
    now = timezone.now()
    for sub in subs:
        sub.status = Subscription.Status.CONFIRMED
        sub.confirmed_at = now
        sub.save(update_fields=["status", "confirmed_at"])
    reader = subs[0].reader
    if reader.email_confirmed_at is None:
        reader.email_confirmed_at = now
        reader.save(update_fields=["email_confirmed_at"])
    return subs
