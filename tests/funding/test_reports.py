"""The funding dashboard's figures, against a ledger small enough to add up by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from masthead.audience.models import Reader
from masthead.funding import ledger, reports
from masthead.funding.models import Checkout, Interval, Membership, Payment, PlanPrice

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC)
Kind, Status = Payment.Kind, Payment.Status


def at(month: int, day: int, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, 10, 0, tzinfo=dt.UTC)


def pay(reference: str, amount: int, currency: str = "USD", *, when: dt.datetime, **extra):
    return ledger.record_payment(
        provider="local",
        reference=reference,
        status=extra.pop("status", Status.SUCCEEDED),
        amount=amount,
        currency=currency,
        kind=extra.pop("kind", Kind.DONATION),
        paid_at=when,
        email=extra.pop("email", f"{reference}@example.org"),
        **extra,
    )


def refund(reference: str, payment_reference: str, amount: int, currency: str = "USD"):
    ledger.record_refund(
        provider="local",
        reference=reference,
        payment_reference=payment_reference,
        amount=amount,
        currency=currency,
        refunded_at=NOW,
    )


def with_fee(amount: int, fee: int, currency: str = "USD") -> Checkout:
    """The checkout of a supporter who ticked "cover the fees" (``amount`` includes ``fee``)."""
    return Checkout.objects.create(
        kind=Checkout.Kind.DONATION,
        provider="local",
        email="fee@example.org",
        amount=amount - fee,
        fee_covered=fee,
        currency=currency,
    )


@pytest.fixture
def hand_ledger():
    """USD and PEN payments across this month, this year and last year.

    This month (March 2026): USD 25.00 with 1.00 covered fee; USD 100.00 with 40.00
    refunded; USD 7.00 failed; PEN 50.00 refunded in full; PEN 18.00 membership.
    Earlier this year: USD 5.00 membership (February), USD 30.00 offline (January).
    Last year: USD 20.00 (December 2025).
    """
    pay("fee", 2500, when=at(3, 2), checkout=with_fee(2500, 100))
    pay("partly-refunded", 10000, when=at(3, 10))
    refund("re-1", "partly-refunded", 4000)
    pay("failed", 700, when=at(3, 12), status=Status.FAILED)
    pay("pen-refunded", 5000, "PEN", when=at(3, 3))
    refund("re-2", "pen-refunded", 5000, "PEN")
    pay("pen-member", 1800, "PEN", when=at(3, 4), kind=Kind.MEMBERSHIP)
    pay("feb-member", 500, when=at(2, 20), kind=Kind.MEMBERSHIP)
    ledger.record_offline_gift(amount=3000, currency="USD", received_at=at(1, 5), campaign=None)
    pay("last-year", 2000, when=at(12, 20, 2025))


def by_currency(rows: list[reports.Raised]) -> dict[str, tuple]:
    return {r.currency: (r.payments, r.gross, r.fees, r.refunded, r.net) for r in rows}


def test_raised_this_month_is_net_of_covered_fees_and_refunds_per_currency(hand_ledger):
    rows = reports.raised(reports.month_start(NOW), NOW)

    assert by_currency(rows) == {
        "PEN": (2, 6800, 0, 5000, 1800),
        "USD": (2, 12500, 100, 4000, 8400),
    }


def test_raised_this_year_counts_offline_gifts_and_leaves_last_year_out(hand_ledger):
    rows = reports.raised(reports.year_start(NOW), NOW)

    assert by_currency(rows)["USD"] == (4, 16000, 100, 4000, 11900)


def test_a_refund_of_the_whole_charge_with_its_fee_never_makes_a_payment_negative():
    pay("all-back", 2500, when=at(3, 2), checkout=with_fee(2500, 100))
    refund("re-all", "all-back", 2500)

    (usd,) = reports.raised(reports.month_start(NOW), NOW)

    assert (usd.gross, usd.fees, usd.refunded, usd.net) == (2500, 100, 2500, 0)


def test_a_refund_recorded_before_its_payment_counts_once_the_payment_is_there():
    refund("re-early", "late", 1000)
    pay("late", 3000, when=at(3, 5))

    (usd,) = reports.raised(reports.month_start(NOW), NOW)

    assert usd.net == 2000


def test_the_monthly_chart_has_twelve_months_per_currency_with_zeros(hand_ledger):
    series = reports.monthly(NOW)

    assert sorted(series) == ["PEN", "USD"]
    usd = series["USD"]
    assert (usd[0].month, usd[-1].month) == (dt.date(2025, 4, 1), dt.date(2026, 3, 1))
    assert [m.net for m in usd] == [0] * 8 + [2000, 3000, 500, 8400]
    assert [m.net for m in series["PEN"]] == [0] * 11 + [1800]


def membership(plan, reference, *, interval, currency, status=Membership.Status.ACTIVE, **kw):
    price = PlanPrice.objects.get(plan=plan, interval=interval, currency=currency)
    reader, _ = Reader.objects.get_or_create(email=f"{reference}@example.org")
    return ledger.sync_membership(
        provider="local",
        reference=reference,
        reader=reader,
        plan=plan,
        price=price,
        status=status,
        current_period_end=NOW + dt.timedelta(days=20),
        **kw,
    )


def test_recurring_revenue_counts_active_paid_memberships_and_a_twelfth_of_annual_prices(plan):
    membership(plan, "m1", interval=Interval.MONTH, currency="USD")
    membership(plan, "m2", interval=Interval.MONTH, currency="USD")
    membership(plan, "y1", interval=Interval.YEAR, currency="USD")  # 50.00 / 12 = 4.17
    membership(plan, "y2", interval=Interval.YEAR, currency="PEN")  # 180.00 / 12 = 15.00
    # None of these adds anything:
    membership(plan, "due", interval=Interval.MONTH, currency="USD", status="past_due")
    membership(plan, "trial", interval=Interval.MONTH, currency="USD", status="trialing")
    membership(plan, "gone", interval=Interval.YEAR, currency="USD", status="canceled")
    ledger.grant(reader=Reader.objects.create(email="comp@example.org"), plan=plan, until=None)

    assert reports.recurring_revenue() == {"PEN": 1500, "USD": 1417}


def test_active_members_by_plan_split_paid_complimentary_and_gift(plan):
    membership(plan, "m1", interval=Interval.MONTH, currency="USD")
    membership(plan, "y1", interval=Interval.YEAR, currency="PEN")
    # Seen active, then past due: the grace period runs from the second sync.
    membership(plan, "due", interval=Interval.MONTH, currency="USD")
    membership(plan, "due", interval=Interval.MONTH, currency="USD", status="past_due")
    membership(plan, "gone", interval=Interval.MONTH, currency="USD", status="canceled")
    ledger.grant(reader=Reader.objects.create(email="comp@example.org"), plan=plan, until=None)
    ledger.grant(
        reader=Reader.objects.create(email="gift@example.org"),
        plan=plan,
        until=timezone.now() + dt.timedelta(days=90),
        source=Membership.Source.GIFT,
    )
    expired = ledger.grant(
        reader=Reader.objects.create(email="old@example.org"),
        plan=plan,
        until=timezone.now() - dt.timedelta(days=1),
    )
    assert expired.pk

    (row,) = reports.members_by_plan("es")

    # The past-due member is still in the grace period, so still a member.
    assert (row.name, row.paid, row.comp, row.gift, row.total) == ("Socio", 3, 1, 1, 5)


def test_churn_is_paid_memberships_ended_in_30_days_over_those_running_when_it_began(plan):
    def started(days: int) -> dict:
        return {"started_at": NOW - dt.timedelta(days=days)}

    membership(plan, "stays", interval=Interval.MONTH, currency="USD", **started(90))
    membership(plan, "stays-2", interval=Interval.YEAR, currency="USD", **started(45))
    membership(
        plan,
        "left",
        interval=Interval.MONTH,
        currency="USD",
        status="canceled",
        ended_at=NOW - dt.timedelta(days=10),
        **started(60),
    )
    membership(  # left before the window: not there at its start
        plan,
        "left-earlier",
        interval=Interval.MONTH,
        currency="USD",
        status="canceled",
        ended_at=NOW - dt.timedelta(days=40),
        **started(100),
    )
    membership(plan, "new", interval=Interval.MONTH, currency="USD", **started(5))
    comp = ledger.grant(reader=Reader.objects.create(email="c@example.org"), plan=plan, until=None)
    Membership.objects.filter(pk=comp.pk).update(
        started_at=NOW - dt.timedelta(days=60), ended_at=NOW - dt.timedelta(days=3)
    )

    result = reports.churn(NOW)

    assert (result.active_at_start, result.ended) == (3, 1)
    assert result.rate == Decimal("33.3")


def test_churn_with_nobody_there_has_no_rate():
    assert reports.churn(NOW).rate is None


def test_the_dashboard_reads_everything_in_a_handful_of_queries(
    hand_ledger, plan, campaign, django_assert_max_num_queries
):
    for i in range(15):
        pay(f"more-{i}", 1000, when=timezone.now() - dt.timedelta(hours=i))
        membership(plan, f"sub-{i}", interval=Interval.MONTH, currency="USD")

    with django_assert_max_num_queries(12):
        board = reports.dashboard(language="en")
        names = [reports.supporter(p) for p in board.recent]

    assert len(board.recent) == reports.RECENT_SUPPORTERS
    assert names[0] == ("", "more-0@example.org")
    assert board.campaign_title == "Keep the long interviews coming"
