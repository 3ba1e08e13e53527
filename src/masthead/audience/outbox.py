"""Readers' emails as the worker sends them: each rebuilt from the database when it runs.

A task names ids only (a reader, subscriptions, a stamp, an email change request), because
the task table keeps a task's arguments after it ran: an address, a body or a live link
there would outlive the reader's erasure (issue 8). Each function signs the same link
payload the request would have signed, and sends nothing when the state moved on since the
request: the reader was erased, the link was used or replaced, the address was suppressed.
Such a state is not a failure, so each returns whether it sent and none raises for it.
"""

from __future__ import annotations

from masthead.audience import emails, links, queries, services
from masthead.audience.models import Newsletter, Reader


def send_confirmation(*, reader_id: int, subscription_ids: list[int], consent_stamp: int) -> bool:
    """Mail the double opt-in link for the subscriptions a sign-up left PENDING.

    The link signs the subscription ids and their consent time, as the request did; if a
    newer sign-up moved the consent time, or they were confirmed, nothing is sent (a newer
    task carries the newer link).
    """
    token = links.CONFIRM.make(
        links.ConfirmLink(
            reader_id=reader_id,
            subscription_ids=tuple(sorted(subscription_ids)),
            consent_stamp=consent_stamp,
        )
    )
    try:
        # The check the link itself will meet when followed: nothing is mailed that
        # would only show "already used".
        subscriptions = queries.pending_confirmation(token)
    except queries.ConfirmationRefused:
        return False
    reader = subscriptions[0].reader
    if queries.is_suppressed(reader.email):
        return False
    subscriptions.sort(key=lambda s: (s.newsletter.name, s.pk))
    emails.deliver(emails.confirmation(reader=reader, subscriptions=subscriptions, token=token))
    return True


def send_already_subscribed(*, reader_id: int, newsletter_ids: list[int]) -> bool:
    """Tell a confirmed reader who signed up again that they already have these newsletters."""
    reader = Reader.objects.filter(pk=reader_id).first()
    # Only a proven address gets this note; an unproven one only ever gets a link.
    if reader is None or reader.email_confirmed_at is None or queries.is_suppressed(reader.email):
        return False
    newsletters = list(Newsletter.objects.filter(pk__in=newsletter_ids))
    if not newsletters:
        return False
    emails.deliver(emails.already_subscribed(reader=reader, newsletters=newsletters))
    return True


def send_sign_in_link(*, reader_id: int, sign_in_stamp: int) -> bool:
    """Mail a sign-in link that signs ``sign_in_stamp`` and the reader's address digest.

    Nothing is sent once the reader signed in after the request (the stamp moved, so the
    link would be spent). The digest is of the address the reader has when this runs: it
    is the same account's proven address, and a link bound to it works only there.
    """
    reader = Reader.objects.filter(pk=reader_id).first()
    if (
        reader is None
        or queries.sign_in_stamp(reader) != sign_in_stamp
        or queries.is_suppressed(reader.email)
    ):
        return False
    token = links.SIGN_IN.make(
        links.SignInLink(
            reader_id=reader.pk,
            sign_in_stamp=sign_in_stamp,
            address_digest=queries.address_digest(reader.email),
        )
    )
    emails.deliver(emails.sign_in_link(reader=reader, token=token))
    return True


def send_email_change(*, request_id: int) -> bool:
    """Mail an email change request: a link to the new address and a notice to the old one.

    The request row is taken (deleted) first, so it is mailed once and the new address is
    held no longer than needed. An address another reader holds gets a note instead of a
    link, decided here rather than in the request, so the requester's page cannot tell.
    Suppressed addresses are sent nothing.
    """
    change = services.take_email_change(request_id=request_id)
    if change is None or queries.is_suppressed(change.new_email):
        return False
    reader, new_email = change.reader, change.new_email
    if queries.is_taken(new_email, by_other_than=reader):
        emails.deliver(emails.email_change_unavailable(reader=reader, new_email=new_email))
        return True
    token = links.EMAIL_CHANGE.make(
        links.EmailChangeLink(reader_id=reader.pk, old_email=reader.email, new_email=new_email)
    )
    emails.deliver(emails.email_change_link(reader=reader, new_email=new_email, token=token))
    if not queries.is_suppressed(reader.email):
        emails.deliver(emails.email_change_notice(reader=reader, new_email=new_email))
    return True
