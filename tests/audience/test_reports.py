"""The subscribers report: counts per newsletter and growth over time, counted in the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from masthead.audience import reports, services
from masthead.audience.admin_views import chart
from masthead.audience.models import ConsentEvent, Reader, Subscription
from tests.audience.admin_helpers import newsletter, subscribe

pytestmark = pytest.mark.django_db

Status = Subscription.Status
TODAY = dt.date(2025, 6, 10)


def noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def day(n: int) -> dt.date:
    """Day ``n`` of a five-day window ending on TODAY (day 1 is the first)."""
    return TODAY - dt.timedelta(days=5 - n)


def readers(count: int, prefix: str = "r") -> list[Reader]:
    return [Reader.objects.create(email=f"{prefix}{i}@example.org") for i in range(count)]


def test_three_confirmed_on_day_one_and_one_leaving_on_day_three_make_3_3_2_2_2():
    daily = newsletter("daily")
    first, second, third = readers(3)
    subscribe(first, daily, at=noon(day(1)))
    subscribe(second, daily, at=noon(day(1)))
    subscribe(third, daily, Status.UNSUBSCRIBED, at=noon(day(1)), unsubscribed_at=noon(day(3)))

    series = reports.growth(days=5, today=TODAY)[daily.pk]

    assert [p.day for p in series] == [day(n) for n in range(1, 6)]
    assert [p.subscribed for p in series] == [3, 3, 2, 2, 2]
    assert [p.joined for p in series] == [3, 0, 0, 0, 0]
    assert [p.left for p in series] == [0, 0, 1, 0, 0]


def test_subscribers_from_before_the_window_are_the_starting_line():
    daily = newsletter("daily")
    early, gone_early, gone_later, pending = readers(4)
    long_ago = noon(TODAY - dt.timedelta(days=100))
    subscribe(early, daily, at=long_ago)
    subscribe(gone_early, daily, Status.UNSUBSCRIBED, at=long_ago, unsubscribed_at=long_ago)
    subscribe(gone_later, daily, Status.UNSUBSCRIBED, at=long_ago, unsubscribed_at=noon(day(2)))
    subscribe(pending, daily, Status.PENDING, at=noon(day(4)))

    series = reports.growth(days=5, today=TODAY)[daily.pk]

    assert [p.subscribed for p in series] == [2, 1, 1, 1, 1]


def test_a_reader_who_left_and_came_back_is_drawn_joining_twice_and_leaving_once():
    # The consent log keeps every round; a Subscription row holds only the latest.
    daily = newsletter("daily")
    (back,) = readers(1)
    rounds = [
        (ConsentEvent.Kind.CONFIRM, noon(day(1) - dt.timedelta(days=40)), False),
        (ConsentEvent.Kind.UNSUBSCRIBE, noon(day(2)), True),
        (ConsentEvent.Kind.CONFIRM, noon(day(4)), False),
    ]
    for kind, at, was_confirmed in rounds:
        ConsentEvent.objects.create(
            reader=back,
            newsletter=daily,
            kind=kind,
            at=at,
            source=Subscription.Source.FORM,
            was_confirmed=was_confirmed,
        )

    series = reports.growth(days=5, today=TODAY)[daily.pk]

    assert [p.subscribed for p in series] == [1, 0, 0, 1, 1]
    assert [(p.joined, p.left) for p in series] == [(0, 0), (0, 1), (0, 0), (1, 0), (0, 0)]


def test_leaving_before_confirming_does_not_lower_the_count():
    daily = newsletter("daily")
    (ana, ben) = readers(2)
    subscribe(ana, daily, at=noon(day(1)))
    subscribe(ben, daily, Status.PENDING, at=noon(day(1)))
    services.end_subscription(
        reader_id=ben.pk, newsletter_id=daily.pk, source=Subscription.Source.LINK
    )

    series = reports.growth(days=5, today=timezone.localdate())[daily.pk]

    assert series[-1].subscribed == 1
    assert sum(p.left for p in series) == 0


def test_each_newsletter_has_its_own_series_and_a_newsletter_without_readers_is_flat():
    daily, weekly, empty = newsletter("daily"), newsletter("weekly"), newsletter("empty")
    (ana,) = readers(1)
    subscribe(ana, daily, at=noon(day(5)))
    subscribe(ana, weekly, at=noon(day(3)))

    series = reports.growth(days=5, today=TODAY)

    assert [p.subscribed for p in series[daily.pk]] == [0, 0, 0, 0, 1]
    assert [p.subscribed for p in series[weekly.pk]] == [0, 0, 1, 1, 1]
    assert [p.subscribed for p in series[empty.pk]] == [0, 0, 0, 0, 0]


def test_weekly_steps_sum_the_days_and_end_on_today():
    daily = newsletter("daily")
    for i, reader in enumerate(readers(3)):
        subscribe(reader, daily, at=noon(TODAY - dt.timedelta(days=7 * i)))

    series = reports.growth(days=21, step=7, today=TODAY)[daily.pk]

    assert [p.day for p in series] == [
        TODAY - dt.timedelta(days=14),
        TODAY - dt.timedelta(days=7),
        TODAY,
    ]
    assert [(p.subscribed, p.joined) for p in series] == [(1, 1), (2, 1), (3, 1)]


def test_the_growth_report_costs_the_same_few_queries_at_any_size(
    django_assert_max_num_queries,
):
    newsletters = [newsletter(f"n{i}") for i in range(3)]
    for i, reader in enumerate(readers(30)):
        subscribe(reader, newsletters[i % 3], at=noon(day(1 + i % 5)))
    with django_assert_max_num_queries(3):
        reports.growth(days=30, today=TODAY)
    with django_assert_max_num_queries(1):
        reports.subscriber_counts()


def test_counts_per_newsletter_by_status():
    daily, weekly = newsletter("daily", name="A daily"), newsletter("weekly", name="B weekly")
    a, b, c = readers(3)
    now = timezone.now()
    subscribe(a, daily, at=now)
    subscribe(b, daily, Status.PENDING, at=now)
    subscribe(c, daily, Status.UNSUBSCRIBED, at=now, unsubscribed_at=now)
    subscribe(c, weekly, at=now)

    counts = reports.subscriber_counts()

    assert [(x.newsletter, x.confirmed, x.pending, x.unsubscribed) for x in counts] == [
        (daily, 1, 1, 1),
        (weekly, 1, 0, 0),
    ]


def test_a_reader_listed_by_newsletter_and_status_must_match_both_in_one_subscription():
    daily, weekly = newsletter("daily"), newsletter("weekly")
    mixed, confirmed = readers(2)
    now = timezone.now()
    subscribe(mixed, daily, Status.UNSUBSCRIBED, at=now, unsubscribed_at=now)
    subscribe(mixed, weekly, at=now)
    subscribe(confirmed, daily, at=now)

    found = reports.with_subscription(
        Reader.objects.all(), newsletter=daily, status=Status.CONFIRMED
    )

    assert list(found) == [confirmed]


def test_the_chart_scales_values_into_its_box():
    drawn = chart([0, 5, 10], width=148, height=136)
    # x from 48 to 140 (width - 8); y from 112 (height - 24) for 0 up to 12 for the top value.
    assert drawn.line == "48.0,112.0 94.0,62.0 140.0,12.0"
    assert drawn.area == "48,112 48.0,112.0 94.0,62.0 140.0,12.0 140.0,112"
    assert drawn.top == 10


def test_a_chart_of_zeros_is_a_flat_line_on_the_axis():
    assert chart([0, 0]).line.split() == ["48.0,156.0", "632.0,156.0"]


def test_the_y_axis_counts_in_round_steps_up_to_a_round_top():
    drawn = chart([3, 80, 137])
    assert drawn.top == 150
    assert [tick.label for tick in drawn.y_ticks] == ["0", "50", "100", "150"]
    # 0 sits on the x axis and the top on the box's top edge.
    assert (drawn.y_ticks[0].at, drawn.y_ticks[-1].at) == (156.0, 12.0)


def test_the_x_axis_labels_a_few_evenly_spaced_points_first_and_last_included():
    days = [f"day {n}" for n in range(30)]
    drawn = chart(list(range(30)), labels=days)
    assert [tick.label for tick in drawn.x_ticks] == [
        "day 0",
        "day 7",
        "day 14",
        "day 22",
        "day 29",
    ]
    assert [tick.anchor for tick in drawn.x_ticks] == [
        "start",
        "middle",
        "middle",
        "middle",
        "end",
    ]
    assert (drawn.x_ticks[0].at, drawn.x_ticks[-1].at) == (48.0, 632.0)
