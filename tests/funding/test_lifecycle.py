"""What the clock decides, run by funding_sweep: lapses, ends, reminders, stale checkouts.

Time is moved with freezegun; every step is run twice to show it is idempotent.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format
from freezegun import freeze_time

from masthead import cli
from masthead.audience.models import Reader
from masthead.funding import ledger, lifecycle, outbox, queries
from masthead.funding.models import Checkout, Interval, Membership
from tests.funding import paying

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _paid(reader, plan, *, interval=Interval.YEAR, status="active", period_end=None, **extra):
    return ledger.sync_membership(
        provider="local",
        reference=f"sub_{reader.pk}_{interval}",
        reader=reader,
        plan=plan,
        price=plan.prices.get(interval=interval, currency="USD"),
        status=status,
        current_period_end=period_end or timezone.now() + 30 * DAY,
        **extra,
    )


def _sweep(capture, when=None):
    with freeze_time(when or timezone.now()), capture(execute=True):
        return lifecycle.sweep()


# --- past due and the grace period ------------------------------------------------------


def test_a_past_due_member_keeps_access_for_the_grace_period_then_lapses(
    plan, reader, django_capture_on_commit_callbacks
):
    _paid(reader, plan, status="past_due")
    now = timezone.now()

    within = _sweep(django_capture_on_commit_callbacks, now + 6 * DAY)
    with freeze_time(now + 6 * DAY):
        assert queries.has_access(reader) and queries.current_membership(reader)
    assert within.lapsed == 0

    after = _sweep(django_capture_on_commit_callbacks, now + 8 * DAY)
    with freeze_time(now + 8 * DAY):
        assert not queries.has_access(reader)
        assert queries.current_membership(reader) is None  # the account page's view
        assert not Membership.objects.filter(queries.access_condition()).exists()  # counts
    assert after.lapsed == 1
    # The provider still says past_due: the row keeps saying so, and nothing else changed.
    membership = Membership.objects.get()
    assert (membership.status, membership.ended_at) == ("past_due", None)


def test_a_lapsed_member_who_pays_is_back_on_the_next_sync(plan, reader):
    membership = _paid(reader, plan, status="past_due")
    Membership.objects.filter(pk=membership.pk).update(past_due_since=timezone.now() - 10 * DAY)
    assert lifecycle.lapsed_memberships().count() == 1 and not queries.has_access(reader)
    _paid(reader, plan, status="active")
    assert queries.has_access(reader) and lifecycle.lapsed_memberships().count() == 0


# --- complimentary and gift memberships end ---------------------------------------------


def test_comps_and_gifts_past_their_end_date_end_at_that_date(
    plan, reader, django_capture_on_commit_callbacks
):
    now = timezone.now()
    other = Reader.objects.create(email="bea@example.org")
    comp = ledger.grant(reader=reader, plan=plan, until=now + 5 * DAY)
    gift = ledger.grant(reader=other, plan=plan, until=now + 2 * DAY, source="gift")
    forever = ledger.grant(reader=other, plan=plan, until=None)
    paid = _paid(reader, plan, period_end=now + DAY)

    first = _sweep(django_capture_on_commit_callbacks, now + 3 * DAY)
    again = _sweep(django_capture_on_commit_callbacks, now + 3 * DAY)

    assert (first.ended, again.ended) == (1, 0)
    gift.refresh_from_db()
    assert (gift.status, gift.ended_at) == ("canceled", now + 2 * DAY)
    for untouched in (comp, forever, paid):
        untouched.refresh_from_db()
        assert untouched.ended_at is None
    assert _sweep(django_capture_on_commit_callbacks, now + 6 * DAY).ended == 1
    comp.refresh_from_db()
    assert comp.ended_at == now + 5 * DAY
    with freeze_time(now + 6 * DAY):
        giving = set(Membership.objects.filter(queries.access_condition()).values_list("pk"))
    assert giving == {(forever.pk,), (paid.pk,)}  # the provider ends paid ones, not the clock


# --- renewal reminders --------------------------------------------------------------------


def test_an_annual_member_is_reminded_once_seven_days_before_renewal(
    publication, plan, reader, smtp_sink, django_capture_on_commit_callbacks
):
    now = timezone.now()
    renews = now + 10 * DAY
    _paid(reader, plan, period_end=renews)

    _sweep(django_capture_on_commit_callbacks, now + 2 * DAY)  # 8 days before: not yet
    assert smtp_sink.messages == []
    for hours in (0, 1, 24):  # every sweep in the last seven days
        _sweep(django_capture_on_commit_callbacks, now + 4 * DAY + dt.timedelta(hours=hours))

    [message] = smtp_sink.to(reader.email)
    assert message["Subject"] == "Your annual membership renews soon"
    text = paying.text_part(message)
    date = date_format(timezone.localtime(renews), "DATE_FORMAT")
    assert (
        f"Your annual Member membership of The Test Gazette renews on {date}, for US$50.00."
        in (text)
    )
    assert paying.link_path(message, "/account/") == "/en/account/"
    assert Membership.objects.get().renewal_reminded_for == renews


def test_the_next_period_gets_its_own_reminder(
    publication, plan, reader, smtp_sink, django_capture_on_commit_callbacks
):
    now = timezone.now()
    _paid(reader, plan, period_end=now + 5 * DAY)
    _sweep(django_capture_on_commit_callbacks, now)
    # It renewed: the provider reports the next period; a year later the reminder is due again.
    next_end = now + 370 * DAY
    _paid(reader, plan, period_end=next_end)
    _sweep(django_capture_on_commit_callbacks, now + 6 * DAY)
    assert len(smtp_sink.to(reader.email)) == 1
    _sweep(django_capture_on_commit_callbacks, next_end - 6 * DAY)
    _sweep(django_capture_on_commit_callbacks, next_end - 5 * DAY)
    assert len(smtp_sink.to(reader.email)) == 2


def test_no_reminder_for_monthly_members_those_who_cancel_or_ended_memberships(
    publication, plan, smtp_sink, django_capture_on_commit_callbacks
):
    now = timezone.now()
    monthly = Reader.objects.create(email="monthly@example.org")
    leaving = Reader.objects.create(email="leaving@example.org")
    gone = Reader.objects.create(email="gone@example.org")
    _paid(monthly, plan, interval=Interval.MONTH, period_end=now + 3 * DAY)
    _paid(leaving, plan, period_end=now + 3 * DAY, cancel_at_period_end=True)
    _paid(gone, plan, status="canceled", period_end=now + 3 * DAY)

    result = _sweep(django_capture_on_commit_callbacks, now)
    assert result.reminders_queued == 0
    assert smtp_sink.messages == []


def test_a_spanish_member_is_reminded_with_spanish_links(
    publication, plan, smtp_sink, django_capture_on_commit_callbacks
):
    lector = Reader.objects.create(email="lucia@example.org", language="es")
    _paid(lector, plan, period_end=timezone.now() + 3 * DAY)
    _sweep(django_capture_on_commit_callbacks)
    [message] = smtp_sink.to("lucia@example.org")
    assert paying.link_path(message, "/account/") == "/es/account/"
    assert "50,00" in paying.text_part(message)


def test_a_member_who_cancels_after_the_sweep_queued_the_reminder_is_not_sent_it(
    publication, plan, reader, smtp_sink
):
    membership = _paid(reader, plan, period_end=timezone.now() + 3 * DAY)
    Membership.objects.filter(pk=membership.pk).update(cancel_at_period_end=True)
    assert outbox.send_renewal_reminder(membership_id=membership.pk) is False
    assert smtp_sink.messages == []


# --- checkouts ----------------------------------------------------------------------------


def test_checkouts_open_for_more_than_a_day_expire_and_others_are_left(
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    with freeze_time(now - 25 * dt.timedelta(hours=1)):
        stale = paying.checkout()
        done = paying.checkout()
    Checkout.objects.filter(pk=done.pk).update(status=Checkout.Status.COMPLETE)
    with freeze_time(now - 23 * dt.timedelta(hours=1)):
        recent = paying.checkout()

    assert _sweep(django_capture_on_commit_callbacks, now).checkouts_expired == 1
    assert _sweep(django_capture_on_commit_callbacks, now).checkouts_expired == 0
    statuses = {c.pk: c.status for c in Checkout.objects.all()}
    assert statuses == {stale.pk: "expired", done.pk: "complete", recent.pk: "open"}


def test_a_payment_that_lands_for_an_expired_checkout_is_still_recorded(
    publication, smtp_sink, django_capture_on_commit_callbacks
):
    with freeze_time(timezone.now() - 2 * DAY):
        stale = paying.checkout(email="slow@example.org")
    _sweep(django_capture_on_commit_callbacks)
    paying.pay(django_capture_on_commit_callbacks, stale)
    stale.refresh_from_db()
    assert stale.status == "complete" and stale.payments.get().status == "succeeded"


# --- the command --------------------------------------------------------------------------


def test_funding_sweep_is_scheduled_and_runs_as_a_command(plan, reader):
    assert "funding_sweep" in cli.SCHEDULED_COMMANDS
    ledger.grant(reader=reader, plan=plan, until=timezone.now() - DAY)
    out = StringIO()
    call_command("funding_sweep", verbosity=2, stdout=out)
    assert "1 ended" in out.getvalue()
    call_command("funding_sweep", verbosity=2, stdout=(out := StringIO()))
    assert "0 ended" in out.getvalue()
