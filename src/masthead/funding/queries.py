"""Reads: who has access, what a campaign has raised, a reader's memberships and payments.

Every figure is a sum over the ledger at the time of reading (DESIGN.md: a campaign's
total is never typed in, never stored).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least, Lower
from django.utils import timezone

from masthead.audience.models import Reader
from masthead.funding.models import (
    Campaign,
    CampaignText,
    Membership,
    Payment,
    Plan,
    PlanPrice,
    PlanText,
    Refund,
)

# Statuses that give access while the period they paid for runs.
_PAYING = (Membership.Status.ACTIVE, Membership.Status.TRIALING)


def grace_period() -> dt.timedelta:
    return dt.timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)


def access_condition(now: dt.datetime | None = None) -> Q:
    """Memberships that give access at ``now``.

    Paid: active or on trial (the provider says so; it ends them when the period runs out);
    past due for less than the grace period. Complimentary and gift: until their end date,
    or forever when there is none. Anything cancelled or ended gives nothing.
    """
    now = now or timezone.now()
    open_ended = Q(current_period_end__isnull=True) | Q(current_period_end__gt=now)
    paid = Q(source=Membership.Source.PAID) & (
        Q(status__in=_PAYING)
        | Q(status=Membership.Status.PAST_DUE, past_due_since__gt=now - grace_period())
    )
    given = ~Q(source=Membership.Source.PAID) & Q(status=Membership.Status.ACTIVE) & open_ended
    return Q(ended_at__isnull=True) & (paid | given)


def has_access(reader: Reader | None) -> bool:
    """Whether ``reader`` may read members-only articles now."""
    if reader is None:
        return False
    return Membership.objects.filter(access_condition(), reader=reader).exists()


def members_among(reader_ids: list[int]) -> set[int]:
    """The ids, among ``reader_ids``, of readers whose membership gives access now."""
    return set(
        Membership.objects.filter(access_condition(), reader_id__in=reader_ids).values_list(
            "reader_id", flat=True
        )
    )


def current_membership(reader: Reader) -> Membership | None:
    """The reader's membership that gives access (the paid one first), if any."""
    return _pick(Membership.objects.filter(access_condition(), reader=reader))


def _pick(memberships: QuerySet[Membership]) -> Membership | None:
    rows = list(memberships.select_related("plan", "price").order_by("-started_at"))
    paid = [row for row in rows if row.source == Membership.Source.PAID]
    return (paid or rows or [None])[0]


def reader_memberships(reader: Reader) -> list[Membership]:
    return list(
        Membership.objects.filter(reader=reader)
        .select_related("plan", "price")
        .order_by("-started_at")
    )


def reader_payments(reader: Reader) -> list[Payment]:
    return list(
        Payment.objects.filter(reader=reader)
        .exclude(status=Payment.Status.PENDING)
        .select_related("campaign")
        .order_by("-paid_at", "-created_at")
    )


def current_campaign(now: dt.datetime | None = None) -> Campaign | None:
    now = now or timezone.now()
    return (
        Campaign.objects.filter(starts_at__lte=now, ends_at__gt=now)
        .prefetch_related("texts")
        .first()
    )


def campaign_text(campaign: Campaign, language: str) -> CampaignText | None:
    texts = {text.language: text for text in campaign.texts.all()}
    return (
        texts.get(language)
        or texts.get(settings.LANGUAGE_CODE)
        or next(iter(texts.values()), None)
    )


def plan_text(plan: Plan, language: str) -> PlanText | None:
    """The plan's name and benefits in ``language`` (else the default language, else any)."""
    texts = {text.language: text for text in plan.texts.all()}
    return (
        texts.get(language)
        or texts.get(settings.LANGUAGE_CODE)
        or next(iter(texts.values()), None)
    )


def counted_payments(campaign: Campaign) -> QuerySet[Payment]:
    """The payments a campaign counts: succeeded, in its currency, gifts and first payments
    of memberships started from it, offline gifts entered for it."""
    return Payment.objects.filter(
        campaign=campaign, status=Payment.Status.SUCCEEDED, currency=campaign.currency
    ).filter(~Q(kind=Payment.Kind.MEMBERSHIP) | Q(first_of_membership=True))


def _with_net(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    """Annotate ``net``: amount less the covered fee, less refunds (never below zero)."""
    refunded = (
        Refund.objects.filter(
            provider=OuterRef("provider"), payment_reference=OuterRef("reference")
        )
        .values("payment_reference")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    # amount and fee_covered are different integer fields: Django needs the result's type.
    whole = BigIntegerField()
    return payments.annotate(
        counted=ExpressionWrapper(F("amount") - F("fee_covered"), output_field=whole),
        refunded=Coalesce(Subquery(refunded), Value(0), output_field=whole),
    ).annotate(
        net=ExpressionWrapper(
            F("counted") - Least(F("counted"), F("refunded")), output_field=whole
        )
    )


@dataclass(frozen=True)
class Progress:
    campaign: Campaign
    raised: int  # minor units, campaign currency
    supporters: int
    now: dt.datetime

    @property
    def goal(self) -> int:
        return self.campaign.goal

    @property
    def currency(self) -> str:
        return self.campaign.currency

    @property
    def percent(self) -> int:
        return min(100, math.floor(self.raised * 100 / self.goal)) if self.goal else 0

    @property
    def days_left(self) -> int:
        """Whole days until the end, counting a part day as one; 0 once it has ended."""
        seconds = (self.campaign.ends_at - self.now).total_seconds()
        return max(0, math.ceil(seconds / 86400))

    @property
    def is_open(self) -> bool:
        return self.campaign.starts_at <= self.now < self.campaign.ends_at


def progress(campaign: Campaign, now: dt.datetime | None = None) -> Progress:
    """What ``campaign`` has raised and from how many supporters, from the ledger now.

    One aggregate query, summed by the database: the campaign page asks on every request,
    and a campaign may hold tens of thousands of gifts. Supporters are distinct readers,
    distinct addresses of guests (case-insensitive), and each anonymised row on its own;
    a payment refunded in full counts for neither.
    """
    guest = Q(reader__isnull=True)
    figures = (
        _with_net(counted_payments(campaign))
        .filter(net__gt=0)
        .aggregate(
            raised=Coalesce(Sum("net"), Value(0), output_field=BigIntegerField()),
            readers=Count("reader_id", distinct=True),
            guests=Count(Lower("email"), distinct=True, filter=guest & ~Q(email="")),
            anonymised=Count("pk", filter=guest & Q(email="")),
        )
    )
    return Progress(
        campaign=campaign,
        raised=figures["raised"],
        supporters=figures["readers"] + figures["guests"] + figures["anonymised"],
        now=now or timezone.now(),
    )


def public_supporters(campaign: Campaign, limit: int = 20) -> list[str]:
    """Names of recent supporters who did not ask to be hidden (offline gifts with a name)."""
    names = (
        counted_payments(campaign)
        .filter(anonymous=False)
        .exclude(name="")
        .order_by("-paid_at")
        .values_list("name", flat=True)[:limit]
    )
    return list(names)


def offered_plans() -> list[Plan]:
    return list(Plan.objects.filter(active=True).prefetch_related("texts", "prices"))


def price(pk: int) -> PlanPrice | None:
    return PlanPrice.objects.select_related("plan").filter(pk=pk, plan__active=True).first()
