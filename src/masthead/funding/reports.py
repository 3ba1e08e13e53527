"""Reads for the newsroom's funding dashboard and the accountant's CSV, counted in the database.

What each figure counts (the dashboard says the same in words):
- Raised: succeeded payments paid in the period (online and offline), less the fees the
  supporters chose to cover (that money goes to the provider) and less what was refunded
  of those payments, whenever the refund came; per currency, never converted.
- Monthly recurring revenue: active paid memberships at their plan price, an annual price
  counted as a twelfth; trials, payments due, complimentary and gift memberships add
  nothing. List prices, before any offer discount.
- Churn: paid memberships that had started before the last 30 days and were still running
  when they began, and that ended within them, over all of those.

Every function runs a fixed handful of grouped queries, whatever the size of the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    CharField,
    Count,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Lower, NullIf, TruncMonth
from django.utils import timezone

from masthead.audience.exporting import csv_cell
from masthead.funding import queries
from masthead.funding.models import Interval, Membership, Payment, PlanText
from masthead.lib import money

CHURN_DAYS = 30
CHART_MONTHS = 12
RECENT_SUPPORTERS = 10
ANONYMISED = "anonymised"
CSV_COLUMNS = (
    "date",
    "kind",
    "status",
    "amount",
    "covered_fee",
    "refunded",
    "net",
    "currency",
    "provider",
    "reference",
    "campaign",
    "name",
    "email",
)


def with_refunds(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    """Annotate ``refunded`` (all refunds of the row) and ``net`` (amount, less the covered
    fee, less refunds, never below zero): the campaign bar's own definition, so the
    dashboard and the campaign page cannot disagree. Refunds join by the provider's
    reference, so a refund recorded before its payment counts once the payment is there."""
    return queries._with_net(payments)


def _succeeded() -> QuerySet[Payment]:
    return Payment.objects.filter(status=Payment.Status.SUCCEEDED).order_by()


# --- raised --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Raised:
    """One currency's takings over a period, in minor units."""

    currency: str
    payments: int
    gross: int  # what supporters paid
    fees: int  # of which covered fees
    refunded: int  # refunded of those payments
    net: int  # gross - fees - refunds (per payment, never below zero)

    @property
    def shown(self) -> dict[str, str]:
        """Each amount formatted for people, for the dashboard's table."""
        return {
            name: money.format_money(getattr(self, name), self.currency)
            for name in ("gross", "fees", "refunded", "net")
        }


def raised(start: dt.datetime, end: dt.datetime) -> list[Raised]:
    """Takings of payments paid in [start, end), one row per currency (one query)."""
    rows = (
        with_refunds(_succeeded().filter(paid_at__gte=start, paid_at__lt=end))
        .values("currency")
        .annotate(
            n=Count("pk"),
            gross_sum=Sum("amount"),
            fees_sum=Sum("fee_covered"),
            refunded_sum=Sum("refunded"),
            net_sum=Sum("net"),
        )
        .order_by("currency")
    )
    return [
        Raised(
            row["currency"],
            row["n"],
            row["gross_sum"],
            row["fees_sum"],
            row["refunded_sum"],
            row["net_sum"],
        )
        for row in rows
    ]


def month_start(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def year_start(moment: dt.datetime) -> dt.datetime:
    return month_start(moment).replace(month=1)


@dataclass(frozen=True)
class MonthSupport:
    """The current month's support, for the editors' dashboard."""

    start: dt.datetime  # the month's first moment, in the publication's time zone
    raised: list[Raised]
    new_members: int  # memberships started this month (paid that began, gifts, comps)
    donors: int  # people who gave a one-off or offline gift this month


def month_support(now: dt.datetime | None = None) -> MonthSupport:
    """This month so far: takings per currency, new memberships, one-off donors (three
    queries). A donor is counted once however many gifts they made: by reader, else by
    address; a gift with neither (an anonymous offline gift) counts as one donor."""
    now = now or timezone.now()
    # The publication's month, not the editor's: the admin may have switched to the zone
    # of the editor's profile.
    with timezone.override(timezone.get_default_timezone()):
        start = month_start(now)
    new_members = (
        Membership.objects.filter(started_at__gte=start, started_at__lte=now)
        .exclude(status=Membership.Status.INCOMPLETE)
        .count()
    )
    identity = Coalesce(
        Cast("reader_id", CharField()),
        NullIf(Lower("email"), Value("")),
        output_field=CharField(),
    )
    donors = (
        _succeeded()
        .filter(
            kind__in=[Payment.Kind.DONATION, Payment.Kind.OFFLINE],
            paid_at__gte=start,
            paid_at__lte=now,
        )
        .annotate(identity=identity)
        .aggregate(
            known=Count("identity", distinct=True),
            unknown=Count("pk", filter=Q(identity__isnull=True)),
        )
    )
    return MonthSupport(
        start=start,
        raised=raised(start, now + dt.timedelta(microseconds=1)),
        new_members=new_members,
        donors=donors["known"] + donors["unknown"],
    )


@dataclass(frozen=True)
class MonthTotal:
    month: dt.date  # the month's first day
    net: int


def _months_back(first: dt.date, count: int) -> list[dt.date]:
    """``count`` first-of-month dates ending with ``first``."""
    months = []
    year, month = first.year, first.month
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def monthly(now: dt.datetime | None = None, months: int = CHART_MONTHS) -> dict[str, list]:
    """Net raised per month for the last ``months`` months (this one included), per currency,
    every month present (zero when nothing came in). One grouped query."""
    now = now or timezone.now()
    this_month = month_start(now)
    dates = _months_back(this_month.date(), months)
    start = timezone.make_aware(dt.datetime.combine(dates[0], dt.time.min))
    rows = (
        with_refunds(_succeeded().filter(paid_at__gte=start, paid_at__lte=now))
        .annotate(month=TruncMonth("paid_at"))
        .values("currency", "month")
        .annotate(total=Sum("net"))
    )
    found: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for row in rows:
        month = row["month"]
        day = timezone.localtime(month).date() if isinstance(month, dt.datetime) else month
        found[row["currency"]][day.replace(day=1)] = row["total"]
    return {
        currency: [MonthTotal(day, totals.get(day, 0)) for day in dates]
        for currency, totals in sorted(found.items())
    }


# --- memberships ---------------------------------------------------------------------------


def _twelfth(amount: int) -> int:
    return int((Decimal(amount) / 12).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def recurring_revenue() -> dict[str, int]:
    """Monthly recurring revenue per currency, minor units (one grouped query)."""
    rows = (
        Membership.objects.filter(
            source=Membership.Source.PAID,
            status=Membership.Status.ACTIVE,
            ended_at__isnull=True,
            price__isnull=False,
        )
        .order_by()
        .values("price__currency", "price__interval")
        .annotate(total=Sum("price__amount"))
    )
    monthly_sums: dict[str, int] = defaultdict(int)
    annual_sums: dict[str, int] = defaultdict(int)
    for row in rows:
        target = annual_sums if row["price__interval"] == Interval.YEAR else monthly_sums
        target[row["price__currency"]] += row["total"]
    # Annual prices are added up first and divided once, so rounding happens once.
    return {
        currency: monthly_sums.get(currency, 0) + _twelfth(annual_sums.get(currency, 0))
        for currency in sorted(set(monthly_sums) | set(annual_sums))
    }


@dataclass(frozen=True)
class PlanMembers:
    plan_id: int
    name: str
    paid: int
    comp: int
    gift: int

    @property
    def total(self) -> int:
        return self.paid + self.comp + self.gift


def members_by_plan(language: str, now: dt.datetime | None = None) -> list[PlanMembers]:
    """Memberships giving access now, per plan and source (two queries)."""
    source = Membership.Source
    rows = (
        Membership.objects.filter(queries.access_condition(now))
        .order_by()
        .values("plan_id", "plan__slug")
        .annotate(
            paid=Count("pk", filter=Q(source=source.PAID)),
            comp=Count("pk", filter=Q(source=source.COMP)),
            gift=Count("pk", filter=Q(source=source.GIFT)),
        )
        .order_by("plan__position", "plan_id")
    )
    rows = list(rows)
    names = dict(
        PlanText.objects.filter(
            plan_id__in=[row["plan_id"] for row in rows], language=language
        ).values_list("plan_id", "name")
    )
    return [
        PlanMembers(
            row["plan_id"],
            names.get(row["plan_id"], row["plan__slug"]),
            row["paid"],
            row["comp"],
            row["gift"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Churn:
    days: int
    active_at_start: int
    ended: int

    @property
    def rate(self) -> Decimal | None:
        """Percent, one decimal; None when nobody was there to leave."""
        if not self.active_at_start:
            return None
        return (Decimal(self.ended * 100) / self.active_at_start).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def churn(now: dt.datetime | None = None, days: int = CHURN_DAYS) -> Churn:
    """Paid memberships running at the window's start, and how many of them ended in it."""
    now = now or timezone.now()
    start = now - dt.timedelta(days=days)
    running = (
        Membership.objects.filter(source=Membership.Source.PAID, started_at__lt=start)
        .exclude(status=Membership.Status.INCOMPLETE)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))
    )
    counts = running.aggregate(active=Count("pk"), ended=Count("pk", filter=Q(ended_at__lt=now)))
    return Churn(days, counts["active"], counts["ended"])


# --- supporters and the campaign -----------------------------------------------------------


def recent_payments(limit: int = RECENT_SUPPORTERS) -> list[Payment]:
    """The latest succeeded payments with their supporter and campaign (one query)."""
    return list(
        _succeeded().select_related("reader", "campaign").order_by("-paid_at", "-pk")[:limit]
    )


def supporter(payment: Payment) -> tuple[str, str]:
    """(name, email) as staff may see them; ("anonymised", "") when nothing is known."""
    email = payment.reader.email if payment.reader_id else payment.email
    if not (payment.name or email):
        return ANONYMISED, ""
    return payment.name, email


@dataclass
class Dashboard:
    now: dt.datetime
    this_month: list[Raised]
    this_year: list[Raised]
    recurring: dict[str, int]
    members: list[PlanMembers]
    churn: Churn
    progress: queries.Progress | None
    campaign_title: str
    recent: list[Payment]
    monthly: dict[str, list[MonthTotal]] = field(default_factory=dict)


def dashboard(*, language: str, now: dt.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    campaign = queries.current_campaign(now)
    text = queries.campaign_text(campaign, language) if campaign else None
    return Dashboard(
        now=now,
        this_month=raised(month_start(now), now),
        this_year=raised(year_start(now), now),
        recurring=recurring_revenue(),
        members=members_by_plan(language, now),
        churn=churn(now),
        progress=queries.progress(campaign, now) if campaign else None,
        campaign_title=text.title if text else (campaign.slug if campaign else ""),
        recent=recent_payments(),
        monthly=monthly(now),
    )


# --- CSV for the accountant ----------------------------------------------------------------


def _major(amount: int, currency: str) -> str:
    return str(money.to_major(amount, currency))


def payment_rows(start: dt.date, end: dt.date) -> Iterator[list[str]]:
    """The header, then every payment dated from ``start`` to ``end`` (inclusive, site time
    zone) in major units, oldest first, read in chunks from one query.

    A payment is dated when it was paid, or when it was recorded if it never was. Net is
    zero for a payment that did not succeed. Cells go through ``csv_cell``, so a name typed
    as a formula reaches the spreadsheet as text.
    """
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    rows = (
        with_refunds(Payment.objects.all())
        .annotate(day=Coalesce("paid_at", "created_at"))
        .filter(day__gte=since, day__lt=until)
        .order_by("day", "pk")
        .values_list(
            "day",
            "kind",
            "status",
            "amount",
            "fee_covered",
            "refunded",
            "net",
            "currency",
            "provider",
            "reference",
            "campaign__slug",
            "name",
            "email",
            "reader__email",
        )
    )
    yield list(CSV_COLUMNS)
    for row in rows.iterator(chunk_size=2000):
        day, kind, status, amount, fee, refunded, net, currency = row[:8]
        provider, reference, campaign, name, email, reader_email = row[8:]
        email = reader_email or email
        if not (name or email):
            name = ANONYMISED
        if status != Payment.Status.SUCCEEDED:
            net = 0
        values = [
            timezone.localtime(day).date().isoformat(),
            kind,
            status,
            _major(amount, currency),
            _major(fee, currency),
            _major(refunded, currency),
            _major(net, currency),
            currency,
            provider,
            reference,
            campaign or "",
            name,
            email,
        ]
        yield [csv_cell(value) for value in values]
