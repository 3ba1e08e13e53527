"""Membership lifecycle over time: what happens because the clock moved, not because of a request.

Run every minute by ``funding_sweep`` (cli.SCHEDULED_COMMANDS). Policy:
- A past-due paid membership keeps access for MEMBERSHIP_GRACE_DAYS (queries.access_condition)
  and then lapses. Its status stays what the provider last said (past_due): the provider
  owns a paid membership's state, and a later payment brings it back through
  ledger.sync_membership. Lapsing needs no write, because every reading (access, the
  account page's current_membership, member counts) goes through access_condition; the sweep
  only counts them, so an operator sees how many lapsed.
- Complimentary and gift memberships past their end date end: ``ended_at`` is set to the end
  date (when it ended, not when the sweep noticed) and the status to cancelled.
- Annual renewal reminders are queued for memberships due one (outbox.reminder_owed); the
  task claims each per period.
- Checkouts left open for more than CHECKOUT_OPEN_HOURS expire. A provider event that still
  arrives for one is applied all the same (the adapters mark it complete).
- Mail still owed after a failed send or a queue outage (thanks, failure notices, gifts)
  from the last RETRY_DAYS is queued again; the claims in outbox.py keep it to one copy.
Every step is idempotent: running the sweep twice, or at any time, changes nothing more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from masthead.funding import emails, outbox, queries
from masthead.funding.models import Checkout, Gift, Membership, Payment

CHECKOUT_OPEN_HOURS = 24
RETRY_DAYS = 3
# The signal's own task normally sends within seconds; the sweep only takes what it left.
RETRY_AFTER = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class SweepResult:
    lapsed: int
    ended: int
    reminders_queued: int
    checkouts_expired: int
    mail_requeued: int


def lapsed_memberships(now: dt.datetime | None = None) -> QuerySet[Membership]:
    """Paid memberships past due for longer than the grace period, not ended: no access."""
    now = now or timezone.now()
    return Membership.objects.filter(
        source=Membership.Source.PAID,
        status=Membership.Status.PAST_DUE,
        ended_at__isnull=True,
        past_due_since__lte=now - queries.grace_period(),
    )


@transaction.atomic
def end_given_memberships(now: dt.datetime | None = None) -> int:
    """End complimentary and gift memberships whose end date has passed; how many ended."""
    now = now or timezone.now()
    due = Membership.objects.filter(
        ~Q(source=Membership.Source.PAID),
        ended_at__isnull=True,
        current_period_end__isnull=False,
        current_period_end__lte=now,
    )
    ended = 0
    for pk, until in due.values_list("pk", "current_period_end"):
        ended += Membership.objects.filter(pk=pk, ended_at__isnull=True).update(
            status=Membership.Status.CANCELED, ended_at=until
        )
    return ended


@transaction.atomic
def expire_checkouts(now: dt.datetime | None = None) -> int:
    """Mark checkouts open for more than CHECKOUT_OPEN_HOURS expired; how many."""
    now = now or timezone.now()
    return Checkout.objects.filter(
        status=Checkout.Status.OPEN,
        created_at__lte=now - dt.timedelta(hours=CHECKOUT_OPEN_HOURS),
    ).update(status=Checkout.Status.EXPIRED)


@transaction.atomic
def queue_renewal_reminders(now: dt.datetime | None = None) -> int:
    """Queue a reminder for each annual membership due one; the task claims it once."""
    now = now or timezone.now()
    ids = list(Membership.objects.filter(outbox.reminder_owed(now)).values_list("pk", flat=True))
    for pk in ids:
        emails.queue("send_renewal_reminder", membership_id=pk)
    return len(ids)


@transaction.atomic
def requeue_owed_mail(now: dt.datetime | None = None) -> int:
    """Queue again the mail from the last RETRY_DAYS that a failed send left owed."""
    now = now or timezone.now()
    window = {"created_at__gte": now - dt.timedelta(days=RETRY_DAYS)}
    window_end = now - RETRY_AFTER
    thanks = Payment.objects.filter(
        outbox.thanks_owed(), thanked_at__isnull=True, paid_at__lte=window_end, **window
    ).exclude(reader__isnull=True, email="")
    failures = Payment.objects.filter(
        outbox.failure_notice_owed(),
        failure_noticed_at__isnull=True,
        created_at__lte=window_end,
        **window,
    )
    unsent_gifts = Gift.objects.filter(
        sent_at__isnull=True, created_at__lte=window_end, **window
    ).exclude(recipient_email="")
    queued = 0
    for pk in thanks.values_list("pk", flat=True):
        emails.queue("send_thanks", payment_id=pk)
        queued += 1
    for pk in failures.values_list("pk", flat=True):
        emails.queue("send_payment_failed", payment_id=pk)
        queued += 1
    for pk in unsent_gifts.values_list("pk", flat=True):
        emails.queue("send_gift", gift_id=pk)
        queued += 1
    return queued


def sweep(now: dt.datetime | None = None) -> SweepResult:
    """Everything above, in order; safe to run at any time and any number of times."""
    now = now or timezone.now()
    return SweepResult(
        lapsed=lapsed_memberships(now).count(),
        ended=end_given_memberships(now),
        reminders_queued=queue_renewal_reminders(now),
        checkouts_expired=expire_checkouts(now),
        mail_requeued=requeue_owed_mail(now),
    )
