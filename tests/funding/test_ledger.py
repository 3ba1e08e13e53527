"""The ledger's core, as behaviour: funding.ledger writes and funding.queries reads.

Every figure a campaign shows is a sum over these rows; these tests pin what counts.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from freezegun import freeze_time
from wagtail.models import ModelLogEntry

from masthead.audience.models import Reader
from masthead.funding import ledger, queries
from masthead.funding.models import (
    Checkout,
    Customer,
    Gift,
    Interval,
    Membership,
    Payment,
    Refund,
)
from masthead.lib.money import MoneyError

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def signals(django_capture_on_commit_callbacks):
    """The payment signals sent, as (name, payment id), with on-commit callbacks run."""
    sent = []

    def succeeded(sender, payment_id, **kwargs):
        sent.append(("succeeded", payment_id))

    def failed(sender, payment_id, **kwargs):
        sent.append(("failed", payment_id))

    ledger.payment_succeeded.connect(succeeded)
    ledger.payment_failed.connect(failed)
    yield sent
    ledger.payment_succeeded.disconnect(succeeded)
    ledger.payment_failed.disconnect(failed)


def _pay(reference="pi_1", status="succeeded", amount=2500, currency="USD", **extra):
    return ledger.record_payment(
        provider="local",
        reference=reference,
        status=status,
        amount=amount,
        currency=currency,
        kind=extra.pop("kind", Payment.Kind.DONATION),
        **extra,
    )


def _toward(campaign, *, amount=2500, fee=0, email="guest@example.org", reader=None, **extra):
    checkout = Checkout.objects.create(
        kind=Checkout.Kind.DONATION,
        provider="local",
        reader=reader,
        email=email,
        amount=amount,
        fee_covered=fee,
        currency=extra.pop("currency", "USD"),
        campaign=campaign,
        **extra,
    )
    return checkout


def _refund(reference, payment_reference, amount):
    return ledger.record_refund(
        provider="local",
        reference=reference,
        payment_reference=payment_reference,
        amount=amount,
        currency="USD",
    )


# --- record_payment -------------------------------------------------------------------------


def test_recording_one_payment_three_times_leaves_one_row_and_one_signal(
    signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = {_pay().pk for _ in range(3)}
    assert len(rows) == 1 and Payment.objects.count() == 1
    assert signals == [("succeeded", rows.pop())]


def test_a_late_pending_after_succeeded_leaves_it_succeeded(
    signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _pay(status="succeeded")
        _pay(status="pending")
        _pay(status="failed")
    payment = Payment.objects.get()
    assert payment.status == "succeeded" and payment.paid_at is not None
    assert [name for name, _ in signals] == ["succeeded"]


def test_a_failed_payment_that_goes_through_after_all_becomes_succeeded(
    signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _pay(status="pending")
        _pay(status="failed")
        _pay(status="succeeded")
    assert Payment.objects.get().status == "succeeded"
    assert [name for name, _ in signals] == ["failed", "succeeded"]


def test_a_pending_payment_has_no_paid_date_and_sends_no_signal(
    signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = _pay(status="pending")
    assert payment.paid_at is None and signals == []


def test_an_unknown_currency_is_refused_before_anything_is_written():
    with pytest.raises(MoneyError):
        _pay(currency="XXX")
    assert not Payment.objects.exists()


def test_a_later_event_fills_in_what_an_earlier_one_did_not_know(campaign, reader):
    _pay(status="pending")
    checkout = _toward(campaign, reader=reader)
    payment = _pay(status="succeeded", checkout=checkout)
    assert (payment.checkout, payment.reader, payment.campaign) == (checkout, reader, campaign)


# --- what a campaign counts -----------------------------------------------------------------


def test_a_covered_fee_is_not_counted(campaign):
    _pay(amount=2630, checkout=_toward(campaign, amount=2630, fee=130))
    progress = queries.progress(campaign)
    assert (progress.raised, progress.supporters) == (2500, 1)


def test_a_refund_seen_before_its_payment_counts_once_the_payment_lands(campaign):
    _refund("re_1", "pi_1", 1000)
    assert queries.progress(campaign).raised == 0
    _pay(checkout=_toward(campaign))
    assert queries.progress(campaign).raised == 1500


def test_partial_refunds_add_up_and_a_grown_refund_counts_at_its_larger_amount(campaign):
    _pay(checkout=_toward(campaign))
    _refund("re_1", "pi_1", 500)
    _refund("re_2", "pi_1", 700)
    assert queries.progress(campaign).raised == 1300
    _refund("re_2", "pi_1", 900)  # the same refund, reported again with its final amount
    _refund("re_2", "pi_1", 100)  # a stale report never shrinks it
    assert queries.progress(campaign).raised == 1100
    assert Refund.objects.count() == 2


def test_a_refund_larger_than_what_was_counted_never_makes_the_total_negative(campaign):
    _pay(amount=2630, checkout=_toward(campaign, amount=2630, fee=130))
    _pay(reference="pi_2", amount=1000, checkout=_toward(campaign, email="b@example.org"))
    _refund("re_1", "pi_1", 2630)  # the whole charge, fee included
    progress = queries.progress(campaign)
    assert (progress.raised, progress.supporters) == (1000, 1)


def test_a_payment_in_another_currency_is_not_attributed_to_the_campaign(campaign):
    payment = _pay(currency="PEN", checkout=_toward(campaign, currency="PEN"))
    assert payment.campaign is None
    assert queries.progress(campaign).raised == 0


def test_only_the_first_payment_of_a_membership_counts(campaign, plan, reader):
    membership = ledger.sync_membership(
        provider="local",
        reference="sub_1",
        reader=reader,
        plan=plan,
        price=plan.prices.get(interval=Interval.MONTH, currency="USD"),
        status="active",
        current_period_end=timezone.now() + 30 * DAY,
        campaign=campaign,
    )
    for number in (1, 2, 3):
        _pay(
            reference=f"in_{number}",
            amount=500,
            kind=Payment.Kind.MEMBERSHIP,
            membership=membership,
            first_of_membership=number == 1,
        )
    assert queries.progress(campaign).raised == 500
    assert Payment.objects.filter(campaign=campaign).count() == 1


def test_supporters_are_distinct_readers_and_distinct_guest_addresses(campaign, reader):
    _pay("pi_1", checkout=_toward(campaign, reader=reader))
    _pay("pi_2", checkout=_toward(campaign, reader=reader))  # the same reader twice
    _pay("pi_3", checkout=_toward(campaign, email="guest@example.org"))
    _pay("pi_4", checkout=_toward(campaign, email="GUEST@example.org"))  # same guest
    _pay("pi_5", checkout=_toward(campaign, email="other@example.org"))
    progress = queries.progress(campaign)
    assert (progress.raised, progress.supporters) == (12500, 3)

    ledger.scrub_reader(reader=reader)
    # Anonymised rows can no longer be told apart: each counts as one supporter.
    assert queries.progress(campaign).supporters == 4
    assert queries.progress(campaign).raised == 12500


def test_pending_and_failed_payments_are_not_counted(campaign):
    _pay("pi_1", status="pending", checkout=_toward(campaign))
    _pay("pi_2", status="failed", checkout=_toward(campaign))
    assert queries.progress(campaign).raised == 0


def test_progress_reports_percent_and_whole_days_left(campaign):
    _pay(amount=1_250_000, checkout=_toward(campaign, amount=1_250_000))
    progress = queries.progress(campaign)
    assert progress.percent == 25
    assert progress.days_left == 21  # 20 days and an hour: a part day counts as one
    with freeze_time(campaign.ends_at + DAY):
        assert queries.progress(campaign).days_left == 0
        assert queries.current_campaign() is None


# --- offline gifts --------------------------------------------------------------------------


def test_an_offline_gift_counts_and_writes_an_audit_log_entry(campaign, django_user_model):
    editor = django_user_model.objects.create_user(username="ed", password="x")
    payment = ledger.record_offline_gift(
        amount=10_000,
        currency="USD",
        received_at=timezone.now(),
        campaign=campaign,
        name="The Miners' Union",
        user=editor,
    )
    entry = ModelLogEntry.objects.get(action="masthead.funding.offline_gift")
    assert (entry.object_id, entry.user) == (str(payment.pk), editor)
    assert queries.progress(campaign).raised == 10_000
    assert queries.public_supporters(campaign) == ["The Miners' Union"]


def test_an_offline_gift_in_another_currency_than_its_campaign_is_refused(campaign):
    with pytest.raises(MoneyError, match="counts USD"):
        ledger.record_offline_gift(
            amount=10_000, currency="PEN", received_at=timezone.now(), campaign=campaign
        )
    assert not Payment.objects.exists()
    assert not ModelLogEntry.objects.filter(action="masthead.funding.offline_gift").exists()


# --- access ---------------------------------------------------------------------------------


def _member(reader, plan, status, **extra):
    return ledger.sync_membership(
        provider="local",
        reference=f"sub_{status}",
        reader=reader,
        plan=plan,
        price=None,
        status=status,
        current_period_end=timezone.now() + 30 * DAY,
        **extra,
    )


@pytest.mark.parametrize(
    ("status", "access"),
    [("active", True), ("trialing", True), ("canceled", False), ("incomplete", False)],
)
def test_paid_memberships_give_access_while_the_provider_says_they_run(
    plan, reader, status, access
):
    _member(reader, plan, status)
    assert queries.has_access(reader) is access


def test_past_due_gives_access_within_the_grace_period_only(plan, reader):
    _member(reader, plan, "past_due")
    assert queries.has_access(reader)
    with freeze_time(timezone.now() + 6 * DAY):
        assert queries.has_access(reader)
    with freeze_time(timezone.now() + 8 * DAY):
        assert not queries.has_access(reader)


def test_a_second_past_due_report_does_not_restart_the_grace_period(plan, reader):
    _member(reader, plan, "past_due")
    with freeze_time(timezone.now() + 5 * DAY):
        _member(reader, plan, "past_due")
    with freeze_time(timezone.now() + 8 * DAY):
        assert not queries.has_access(reader)


def test_comps_give_access_until_their_date_or_forever_and_gifts_like_comps(plan, reader):
    other = Reader.objects.create(email="bea@example.org")
    ledger.grant(reader=reader, plan=plan, until=timezone.now() + 10 * DAY)
    ledger.grant(reader=other, plan=plan, until=None, source=Membership.Source.GIFT)
    assert queries.has_access(reader) and queries.has_access(other)
    with freeze_time(timezone.now() + 11 * DAY):
        assert not queries.has_access(reader)
        assert queries.has_access(other)  # no end date: forever


def test_an_ended_membership_gives_nothing(plan, reader):
    membership = ledger.grant(reader=reader, plan=plan, until=None)
    ledger.end_membership(membership)
    assert not queries.has_access(reader) and queries.current_membership(reader) is None
    assert not queries.has_access(None)


def test_the_current_membership_prefers_the_paid_one(plan, reader):
    ledger.grant(reader=reader, plan=plan, until=None)
    paid = _member(reader, plan, "active")
    assert queries.current_membership(reader) == paid


# --- erasure --------------------------------------------------------------------------------


def test_scrubbing_a_reader_anonymises_their_rows_and_keeps_the_amounts(campaign, plan, reader):
    checkout = _toward(campaign, reader=reader, name="Ana", gift_recipient="bea@example.org")
    _pay(checkout=checkout)
    ledger.link_customer(provider="local", reference="cus_1", reader=reader)
    _member(reader, plan, "active")

    ledger.scrub_reader(reader=reader)

    payment = Payment.objects.get()
    assert (payment.reader, payment.email, payment.name, payment.amount) == (None, "", "", 2500)
    checkout.refresh_from_db()
    assert (checkout.reader, checkout.email, checkout.gift_recipient) == (None, "", "")
    assert Customer.objects.get().reader is None
    assert Membership.objects.get().reader is None
    assert queries.progress(campaign).raised == 2500


def test_scrubbing_clears_gift_messages_the_reader_wrote_and_gifts_addressed_to_them(plan, reader):
    bought = _toward(None, reader=reader, gift_recipient="bea@example.org")
    to_them = _toward(None, gift_recipient=reader.email.upper())
    for number, checkout in enumerate([bought, to_them]):
        Checkout.objects.filter(pk=checkout.pk).update(kind=Checkout.Kind.GIFT)
        Gift.objects.create(
            checkout=checkout,
            plan=plan,
            months=3,
            recipient_email=checkout.gift_recipient,
            message=f"A note {number}",
        )

    ledger.scrub_reader(reader=reader)

    mine, theirs = Gift.objects.order_by("pk")
    assert (mine.recipient_email, mine.message) == ("bea@example.org", "")
    assert (theirs.recipient_email, theirs.message) == ("", "")
    to_them.refresh_from_db()
    assert to_them.gift_recipient == ""
