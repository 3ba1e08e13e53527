"""Writes for readers and their consent: sign-up with double opt-in and its confirmation,
sign-in links, the account page's changes, email changes, unsubscribes, suppressions and
erasure.

The only code that creates or changes Reader, Subscription, ConsentEvent, Suppression and
EmailChangeRequest rows: the apps above (newsletter, funding, channels) call these doors.
Every change of consent writes a ConsentEvent beside the Subscription change. Email is
queued on commit by ids (emails.queue) and built by the worker (outbox.py), so a
rolled-back sign-up never mails anyone and the task table holds no address. This module
imports no app above it (only the inbox, a floor below): what they hold about a reader is
reached through hooks.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.audience import emails, hooks, import_jobs
from masthead.audience.models import (
    DETAIL_MAX_LENGTH,
    WORDING_MAX_LENGTH,
    ConsentEvent,
    EmailChangeRequest,
    Newsletter,
    Reader,
    Subscription,
    Suppression,
)
from masthead.audience.queries import (
    ConfirmationRefused,
    consent_stamp,
    is_suppressed,
    known_reader,
    normalise_email,
    pending_confirmation,
    pending_email_change,
    reader_for_sign_in,
    readers_with_address,
    sign_in_stamp,
    suppression_key,
)
from masthead.inbox import services as inbox

log = logging.getLogger(__name__)


def _log(
    sub: Subscription,
    kind: str,
    *,
    at: dt.datetime,
    source: str,
    wording: str = "",
    client: str = "",
    was_confirmed: bool = False,
) -> ConsentEvent:
    """Append one row to the consent log (never updated afterwards)."""
    return ConsentEvent.objects.create(
        reader_id=sub.reader_id,
        newsletter_id=sub.newsletter_id,
        kind=kind,
        at=at,
        source=source,
        wording=wording[:WORDING_MAX_LENGTH],
        client=client[: ConsentEvent._meta.get_field("client").max_length],
        was_confirmed=was_confirmed,
    )


def _reader_for(email: str, *, language: str) -> Reader:
    reader = known_reader(email)
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
        reader = readers_with_address(email).get()
    return reader


@transaction.atomic
def reader_for_address(email: str, *, language: str = settings.LANGUAGE_CODE) -> Reader:
    """The reader with this address, created (unconfirmed) if there is none.

    For apps that learn an address from an outside event (a payment): the reader gets no
    subscription and no session from it; signing in still takes a link sent to the address.
    """
    return _reader_for(normalise_email(email), language=language)


@transaction.atomic(durable=True)
def sign_up(
    *,
    email: str,
    newsletters: Iterable[Newsletter],
    language: str,
    source: str = Subscription.Source.FORM,
    wording: str = "",
    ip: str = "",
) -> None:
    """Ask ``email`` to confirm its subscription to ``newsletters`` (double opt-in).

    Creates the reader if needed and puts every chosen newsletter the reader is not yet
    confirmed for into PENDING with a fresh consent time; that includes newsletters they
    once unsubscribed from, which are never re-subscribed without a new confirmation.
    Then, on commit, queues exactly one email: the confirmation link, or, when the reader
    is already confirmed for every chosen newsletter, a "you are already subscribed" note.
    Both cases send one email, so neither the response nor its timing tells a stranger
    whether the address is known. Suppressed addresses get nothing and nothing is written.
    Each newsletter asked for is logged as a SUBSCRIBE consent event with ``wording`` (the
    version of the form's text the reader saw) and ``ip`` (already truncated by
    ``ratelimit.client_ip``). The caller rate-limits (views.py).
    """
    email = normalise_email(email)
    newsletters = list(newsletters)
    if not newsletters:
        raise ValueError("sign_up needs at least one newsletter")
    if is_suppressed(email):
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
        _log(sub, ConsentEvent.Kind.SUBSCRIBE, at=now, source=source, wording=wording, client=ip)
        pending.append(sub)

    if pending:
        # The worker signs the link from these, as links.ConfirmLink (outbox.py).
        ids = {
            "reader_id": reader.pk,
            "subscription_ids": sorted(s.pk for s in pending),
            "consent_stamp": consent_stamp(now),
        }
        transaction.on_commit(lambda: emails.queue("send_confirmation", **ids))
    elif reader.email_confirmed_at is not None:
        newsletter_ids = sorted(n.pk for n in newsletters)
        transaction.on_commit(
            lambda: emails.queue(
                "send_already_subscribed", reader_id=reader.pk, newsletter_ids=newsletter_ids
            )
        )
    # else (defensive): an unproven address only ever receives a confirmation link


@transaction.atomic(durable=True)
def confirm_subscriptions(*, token: str, ip: str = "") -> list[Subscription]:
    """Confirm what ``token`` names, once: subscriptions CONFIRMED, the address proven.

    Logs a CONFIRM consent event per subscription (with ``ip``, already truncated).
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
        _log(sub, ConsentEvent.Kind.CONFIRM, at=now, source=sub.source, client=ip)
    reader = subs[0].reader
    if reader.email_confirmed_at is None:
        reader.email_confirmed_at = now
        reader.save(update_fields=["email_confirmed_at"])
    return subs


@transaction.atomic(durable=True)
def request_sign_in(*, email: str, ip: str = "") -> None:
    """Email a sign-in link to ``email`` if it belongs to a reader who may be mailed.

    Unknown and suppressed addresses are sent nothing; the caller answers every address the
    same way, so the response does not tell a stranger which addresses are known. The link
    signs the reader's ``last_signed_in_at``, which ``sign_in`` moves, so it works once.
    The caller rate-limits (account_views.py); ``ip`` is only logged.
    """
    email = normalise_email(email)
    if is_suppressed(email):
        log.info("sign-in link for a suppressed address not sent (ip %s)", ip)
        return
    reader = known_reader(email)
    if reader is None:
        return
    stamp = sign_in_stamp(reader)
    transaction.on_commit(
        lambda: emails.queue("send_sign_in_link", reader_id=reader.pk, sign_in_stamp=stamp)
    )


@transaction.atomic(durable=True)
def sign_in(*, token: str) -> Reader:
    """Use a sign-in link: move ``last_signed_in_at`` (the link is spent) and return the reader.

    Following the link proves the address, so ``email_confirmed_at`` is set if it was not.
    Raises ``ConfirmationRefused`` for an expired, tampered or already used link. The view
    puts the reader into the session (sessions.sign_in).
    """
    reader = reader_for_sign_in(token)
    # Lock and re-check, so two concurrent POSTs of one link cannot both sign in.
    locked = Reader.objects.select_for_update().get(pk=reader.pk)
    if sign_in_stamp(locked) != sign_in_stamp(reader) or locked.email != reader.email:
        raise ConfirmationRefused("used")
    now = timezone.now()
    locked.last_signed_in_at = now
    fields = ["last_signed_in_at"]
    if locked.email_confirmed_at is None:
        locked.email_confirmed_at = now
        fields.append("email_confirmed_at")
    locked.save(update_fields=fields)
    return locked


class AddressSuppressed(Exception):  # noqa: N818
    """The reader's address is on the suppression list, so it cannot be subscribed."""


@transaction.atomic(durable=True)
def update_preferences(
    *,
    reader: Reader,
    newsletters: Iterable[Newsletter],
    language: str,
    wording: str = "",
    ip: str = "",
) -> None:
    """Set which public newsletters a signed-in reader receives, and their language.

    Newly chosen newsletters are CONFIRMED at once with source ACCOUNT: signing in proved
    the address, so no second opt-in is needed. Public newsletters left out are
    UNSUBSCRIBED; private ones are not the account page's to change. A suppressed address
    cannot be subscribed to anything (raises ``AddressSuppressed``, nothing written).
    Every change is logged as consent events (SUBSCRIBE and CONFIRM, or UNSUBSCRIBE).
    """
    chosen = {n.pk for n in newsletters if n.is_public}
    now = timezone.now()
    existing = {
        sub.newsletter_id: sub
        for sub in Subscription.objects.select_for_update().filter(
            reader=reader, newsletter__is_public=True
        )
    }
    active = (Subscription.Status.PENDING, Subscription.Status.CONFIRMED)
    to_subscribe = [
        pk
        for pk in chosen
        if pk not in existing or existing[pk].status != Subscription.Status.CONFIRMED
    ]
    if to_subscribe and is_suppressed(reader.email):
        raise AddressSuppressed(reader.email)
    for pk in to_subscribe:
        sub = existing.get(pk) or Subscription(reader=reader, newsletter_id=pk)
        sub.status = Subscription.Status.CONFIRMED
        sub.source = Subscription.Source.ACCOUNT
        sub.consented_at = now
        sub.confirmed_at = now
        sub.unsubscribed_at = None
        if sub.pk is None:
            sub.full_clean(validate_constraints=False)
            sub.save()
        else:
            sub.save(
                update_fields=[
                    "status",
                    "source",
                    "consented_at",
                    "confirmed_at",
                    "unsubscribed_at",
                ]
            )
        for kind in (ConsentEvent.Kind.SUBSCRIBE, ConsentEvent.Kind.CONFIRM):
            _log(sub, kind, at=now, source=sub.source, wording=wording, client=ip)
    for pk, sub in existing.items():
        if pk not in chosen and sub.status in active:
            was_confirmed = sub.status == Subscription.Status.CONFIRMED
            sub.status = Subscription.Status.UNSUBSCRIBED
            sub.unsubscribed_at = now
            sub.save(update_fields=["status", "unsubscribed_at"])
            _log(
                sub,
                ConsentEvent.Kind.UNSUBSCRIBE,
                at=now,
                source=Subscription.Source.ACCOUNT,
                client=ip,
                was_confirmed=was_confirmed,
            )
    if reader.language != language:
        reader.language = language
        reader.full_clean(validate_constraints=False)
        reader.save(update_fields=["language"])


@transaction.atomic(durable=True)
def request_email_change(*, reader: Reader, new_email: str, ip: str = "") -> None:
    """Ask the owner of ``new_email`` to confirm it as ``reader``'s address.

    Records the new address on an EmailChangeRequest and queues its id on commit; the
    worker (outbox.send_email_change) mails a link to the new address and a short notice to
    the old one. An address another reader holds gets a note that it cannot be used instead
    of a link, so the page the requester sees is the same either way (no enumeration); a
    suppressed address is sent nothing and nothing is written. The caller rate-limits;
    ``ip`` is only logged.
    """
    new_email = normalise_email(new_email)
    if new_email == reader.email:
        return
    if is_suppressed(new_email):
        log.info("email change to a suppressed address not sent (ip %s)", ip)
        return
    # The address waits on a row, not in the task's arguments, which outlive the task.
    change = EmailChangeRequest(reader=reader, new_email=new_email)
    change.full_clean()
    change.save()
    transaction.on_commit(lambda: emails.queue("send_email_change", request_id=change.pk))


@transaction.atomic
def take_email_change(*, request_id: int) -> EmailChangeRequest | None:
    """Delete and return the email change request ``request_id``, with its reader loaded.

    For the worker, which mails it: whoever takes the row mails it, so it is mailed once,
    and the new address is held no longer than that. None when it is gone: mailed already,
    applied, or its reader erased.
    """
    change = (
        EmailChangeRequest.objects.select_for_update()
        .select_related("reader")
        .filter(pk=request_id)
        .first()
    )
    if change is not None:
        change.delete()
    return change


@transaction.atomic(durable=True)
def change_email(*, token: str) -> Reader:
    """Apply an email-change link: the reader's address becomes the new, now proven, one.

    Raises ``ConfirmationRefused``: "used" once applied (the token signs the old address),
    "unavailable" if another reader took the new address meanwhile. Sessions are bound to
    the address (sessions.py), so every other session of this reader ends.
    """
    change = pending_email_change(token)
    reader = Reader.objects.select_for_update().get(pk=change.reader.pk)
    if reader.email != change.reader.email:
        raise ConfirmationRefused("used")
    reader.email = change.new_email
    reader.email_confirmed_at = timezone.now()
    reader.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # savepoint: the address may have been taken meanwhile
            reader.save(update_fields=["email", "email_confirmed_at"])
    except IntegrityError:
        raise ConfirmationRefused("unavailable") from None
    # Requests not mailed yet were made from the old address: they mail nothing now.
    EmailChangeRequest.objects.filter(reader=reader).delete()
    return reader


@transaction.atomic
def end_subscription(*, reader_id: int, newsletter_id: int, source: str, ip: str = "") -> bool:
    """End one reader's subscription to one newsletter; True if it was active.

    Idempotent: an already ended (or unknown) subscription changes nothing and logs
    nothing. Logs an UNSUBSCRIBE consent event with ``source`` (the link, a mailed request,
    the ESP, a complaint, ...). Joins the caller's transaction, so the newsletter app can
    count the unsubscribe against an edition in the same commit.
    """
    sub = (
        Subscription.objects.select_for_update()
        .filter(
            reader_id=reader_id,
            newsletter_id=newsletter_id,
            status__in=[Subscription.Status.PENDING, Subscription.Status.CONFIRMED],
        )
        .first()
    )
    if sub is None:
        return False
    was_confirmed = sub.status == Subscription.Status.CONFIRMED
    sub.status = Subscription.Status.UNSUBSCRIBED
    sub.unsubscribed_at = timezone.now()
    sub.save(update_fields=["status", "unsubscribed_at"])
    _log(
        sub,
        ConsentEvent.Kind.UNSUBSCRIBE,
        at=sub.unsubscribed_at,
        source=source,
        client=ip,
        was_confirmed=was_confirmed,
    )
    return True


@transaction.atomic
def suppress(*, email: str, reason: str, detail: str = "") -> bool:
    """Never mail ``email`` again; True if it was not suppressed before.

    Idempotent: the first reason and detail stay (a complaint about an address that
    already bounced adds nothing). The address is keyed by ``queries.suppression_key``,
    the one place that lower-cases it. Joins the caller's transaction.
    """
    _, created = Suppression.objects.get_or_create(
        email=suppression_key(email),
        defaults={"reason": reason, "detail": detail[:DETAIL_MAX_LENGTH]},
    )
    return created


@transaction.atomic(durable=True)
def erase_reader(*, reader: Reader) -> None:
    """Erase a reader at their request, in one transaction.

    - Every app that holds something about the reader scrubs it first, through
      ``hooks.erasing`` (newsletter anonymises its deliveries; funding will anonymise
      payments, which the law requires us to keep). Any hook's failure rolls the whole
      erasure back.
    - The inbox replaces the address in every stored outside event (a bounce report, a
      payment notice) that still holds it, and refused CSV imports forget it.
    - The Reader row is deleted; their subscriptions and email change requests go with it
      (CASCADE). Their consent events stay, anonymous (reader and client address cleared),
      so past counts hold.
    - audience.Suppression rows are kept on purpose: they exist so that an address that
      bounced or complained is never mailed again, even after erasure or a re-import.
    - The reader's email tasks are left in the task table: their arguments are ids and
      stamps only (tasks.py), so what remains is a reader id that names nobody. One still
      queued sends nothing when it runs (outbox.py); finished ones are purged
      ``TASK_RETENTION_DAYS`` after they ran (lib/taskresults.py).

    The caller signs the reader out; the session check (sessions.py) ends every other one.
    """
    reader = Reader.objects.select_for_update().get(pk=reader.pk)
    reader_id = reader.pk
    hooks.erasing.send(sender=Reader, reader=reader)
    inbox.scrub_address(email=reader.email)
    import_jobs.scrub_address(email=reader.email)
    ConsentEvent.objects.filter(reader=reader).update(reader=None, client="")
    reader.delete()
    log.info("reader %s erased at their request", reader_id)
