"""Who pays for it: plans, memberships, campaigns, checkouts and the payment ledger.

Money is integer minor units plus an ISO currency (lib/money.py). The ledger is two
tables, written only by funding.ledger from verified provider events (or by an editor, for
offline gifts): ``Payment``, unique by the provider's money object, and ``Refund``, unique
by the refund's id and tied to its payment by the payment's provider reference, not by a
foreign key, so a refund that arrives before its payment is kept and counts once the
payment lands (RELIABILITY.md §1). Totals are sums over these rows, never stored.

A paying supporter is a Reader (DESIGN.md). Rows keep the reader's address only while the
reader exists: erasure anonymises them and the ledger stays (GDPR Art. 17(3)(b)).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from masthead.audience.models import ONE_LINE, Reader
from masthead.lib import money

CURRENCY_CHOICES = [(code, code) for code in sorted(money.EXPONENTS)]
PROVIDER_MAX_LENGTH = 30
REFERENCE_MAX_LENGTH = 120


class Interval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Annual")


class Plan(ClusterableModel):
    """A membership plan ("Member", "Patron"), with a price per interval and currency."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    trial_days = models.PositiveSmallIntegerField(
        _("free trial (days)"), default=0, validators=[MaxValueValidator(365)]
    )
    active = models.BooleanField(_("offered"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.slug


class PlanText(models.Model):
    """A plan's name and benefits in one language."""

    plan = ParentalKey(Plan, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    name = models.CharField(_("name"), max_length=80, validators=[ONE_LINE])
    benefits = models.TextField(_("benefits"), blank=True, help_text=_("One benefit per line."))

    class Meta:
        verbose_name = _("plan text")
        constraints = [
            models.UniqueConstraint(fields=["plan", "language"], name="plan_text_per_language")
        ]

    def __str__(self) -> str:
        return self.name


class PlanPrice(models.Model):
    """What one interval of a plan costs in one currency."""

    plan = ParentalKey(Plan, on_delete=models.CASCADE, related_name="prices")
    interval = models.CharField(_("interval"), max_length=5, choices=Interval.choices)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    amount = models.PositiveIntegerField(
        _("amount (minor units)"),
        validators=[MinValueValidator(1)],
        help_text=_("In cents (or the currency's smallest unit): 500 is 5.00."),
    )

    class Meta:
        verbose_name = _("plan price")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "interval", "currency"], name="plan_price_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{money.format_money(self.amount, self.currency)} / {self.get_interval_display()}"


class Campaign(ClusterableModel):
    """A fund-raising drive with a goal and a deadline; its total comes from the ledger.

    Current = started, not ended; periods may not overlap, so there is at most one. It
    "closes itself" because every reading compares with the clock: after ``ends_at`` it is
    no longer current and payments are no longer attributed to it.
    """

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    goal = models.PositiveBigIntegerField(
        _("goal (minor units)"),
        validators=[MinValueValidator(1)],
        help_text=_("In cents (or the currency's smallest unit): 5000000 is 50,000.00."),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="campaign_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.slug

    def clean(self) -> None:
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                raise ValidationError({"ends_at": _("The end must come after the start.")})
            overlapping = Campaign.objects.filter(
                starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(
                    _("Another campaign runs in these dates: only one campaign is current.")
                )

    @property
    def is_open(self) -> bool:
        return self.starts_at <= timezone.now() < self.ends_at


class CampaignText(models.Model):
    """A campaign's title and story in one language."""

    campaign = ParentalKey(Campaign, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=120, validators=[ONE_LINE])
    story = models.TextField(_("story"), blank=True)

    class Meta:
        verbose_name = _("campaign text")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "language"], name="campaign_text_per_language"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Offer(models.Model):
    """An offer code: a percent or a fixed amount off, once, for N months or forever."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percent off")
        FIXED = "fixed", _("Fixed amount off")

    class Duration(models.TextChoices):
        ONCE = "once", _("First payment only")
        REPEATING = "repeating", _("A number of months")
        FOREVER = "forever", _("Every payment")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    percent_off = models.PositiveSmallIntegerField(
        _("percent off"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    amount_off = models.PositiveIntegerField(_("amount off (minor units)"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, blank=True)
    duration = models.CharField(_("duration"), max_length=10, choices=Duration.choices)
    duration_months = models.PositiveSmallIntegerField(
        _("months"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    max_redemptions = models.PositiveIntegerField(_("maximum redemptions"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("offer code")
        verbose_name_plural = _("offer codes")

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        if self.kind == self.Kind.PERCENT and not self.percent_off:
            raise ValidationError({"percent_off": _("Give the percentage.")})
        if self.kind == self.Kind.FIXED and not (self.amount_off and self.currency):
            raise ValidationError({"amount_off": _("Give the amount and its currency.")})
        if self.duration == self.Duration.REPEATING and not self.duration_months:
            raise ValidationError({"duration_months": _("Give the number of months.")})


class Checkout(models.Model):
    """A checkout a reader (or guest) started: what they chose, before the provider answers.

    Its id travels to the provider as metadata (client reference), so every event can be
    tied back to what the reader asked for. The checkout grants nothing by itself.
    """

    class Kind(models.TextChoices):
        DONATION = "donation", _("One-off gift")
        MEMBERSHIP = "membership", _("Membership")
        GIFT = "gift", _("Gift membership")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    provider = models.CharField(_("provider"), max_length=PROVIDER_MAX_LENGTH)
    provider_session = models.CharField(max_length=REFERENCE_MAX_LENGTH, blank=True)
    reader = models.ForeignKey(
        Reader, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(_("email"), max_length=254, blank=True)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    amount = models.PositiveIntegerField(_("amount (minor units)"))
    fee_covered = models.PositiveIntegerField(_("covered fee (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    anonymous = models.BooleanField(_("hidden from the supporters list"), default=False)
    name = models.CharField(
        _("name for the supporters list"), max_length=120, blank=True, validators=[ONE_LINE]
    )
    price = models.ForeignKey(
        PlanPrice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gift_recipient = models.EmailField(_("gift for"), max_length=254, blank=True)
    gift_message = models.CharField(_("gift message"), max_length=500, blank=True)
    # Where to send the reader afterwards: a path on this site, checked when it was stored.
    return_path = models.CharField(max_length=500, default="/")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # When the thanks page offered the monthly option after this gift: it is offered once.
    upsell_shown_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("checkout")
        verbose_name_plural = _("checkouts")

    def __str__(self) -> str:
        return f"{self.kind} {money.format_money(self.amount, self.currency)}"


class Customer(models.Model):
    """A reader as one provider knows them (a Stripe customer, a Mercado Pago payer)."""

    provider = models.CharField(max_length=PROVIDER_MAX_LENGTH)
    reference = models.CharField(max_length=REFERENCE_MAX_LENGTH)
    reader = models.ForeignKey(
        Reader, null=True, on_delete=models.SET_NULL, related_name="payment_customers"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference"], name="customer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.reference}"


class Membership(models.Model):
    """A reader's membership: paid through a provider, complimentary, or a gift.

    Paid memberships mirror the provider's subscription object as last fetched
    (funding.ledger.sync_membership), so the order events arrive in does not matter.
    """

    class Source(models.TextChoices):
        PAID = "paid", _("Paid")
        COMP = "comp", _("Complimentary")
        GIFT = "gift", _("Gift")

    class Status(models.TextChoices):
        TRIALING = "trialing", _("Free trial")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Payment due")
        CANCELED = "canceled", _("Cancelled")
        INCOMPLETE = "incomplete", _("Not started")

    reader = models.ForeignKey(
        Reader, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="memberships")
    price = models.ForeignKey(
        PlanPrice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=5, choices=Source.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    provider = models.CharField(_("provider"), max_length=PROVIDER_MAX_LENGTH, blank=True)
    reference = models.CharField(
        _("provider subscription"), max_length=REFERENCE_MAX_LENGTH, blank=True
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    # Paid: end of the period paid for (next renewal); comp and gift: access ends (None: never).
    current_period_end = models.DateTimeField(_("paid until"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("ends at period end"), default=False)
    past_due_since = models.DateTimeField(_("payment due since"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    renewal_reminded_for = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reference"],
                condition=~Q(reference=""),
                name="membership_subscription_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} ({self.get_status_display()})"


class Payment(models.Model):
    """One row of the ledger: money a supporter paid, unique by the provider's money object.

    ``amount`` is what was charged, ``fee_covered`` the part the supporter added to cover
    the provider's fee (not counted toward a campaign). Offline gifts are rows with
    provider "offline", entered by an editor and logged in the audit log.
    """

    class Kind(models.TextChoices):
        DONATION = "donation", _("One-off gift")
        MEMBERSHIP = "membership", _("Membership")
        GIFT = "gift", _("Gift membership")
        OFFLINE = "offline", _("Offline gift")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    provider = models.CharField(_("provider"), max_length=PROVIDER_MAX_LENGTH)
    reference = models.CharField(_("provider reference"), max_length=REFERENCE_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    amount = models.PositiveBigIntegerField(_("amount (minor units)"))
    fee_covered = models.PositiveIntegerField(_("covered fee (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    reader = models.ForeignKey(
        Reader, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    # A guest's address (no reader), blanked by erasure; the supporters count uses it.
    email = models.EmailField(_("email"), max_length=254, blank=True)
    name = models.CharField(_("name"), max_length=120, blank=True, validators=[ONE_LINE])
    anonymous = models.BooleanField(_("hidden from the supporters list"), default=False)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    checkout = models.ForeignKey(
        Checkout, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    # The first payment of a membership: only that one counts toward a campaign.
    first_of_membership = models.BooleanField(default=False)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the "payment failed" notice, so a replayed failure mails once (funding.outbox).
    failure_noticed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference"], name="payment_unique"),
            models.CheckConstraint(
                condition=Q(fee_covered__lte=models.F("amount")), name="payment_fee_within"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="payment_campaign_status")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.reference} {money.format_money(self.amount, self.currency)}"


class Refund(models.Model):
    """Money given back, unique by the provider's refund id, tied to its payment by reference."""

    provider = models.CharField(max_length=PROVIDER_MAX_LENGTH)
    reference = models.CharField(max_length=REFERENCE_MAX_LENGTH)
    payment_reference = models.CharField(max_length=REFERENCE_MAX_LENGTH)
    amount = models.PositiveBigIntegerField(_("amount (minor units)"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    refunded_at = models.DateTimeField(_("refunded"), default=timezone.now)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference"], name="refund_unique")
        ]
        indexes = [
            models.Index(fields=["provider", "payment_reference"], name="refund_payment_ref")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.reference}"


class Gift(models.Model):
    """A gift membership bought for someone, redeemed from the link emailed to them."""

    checkout = models.OneToOneField(Checkout, on_delete=models.PROTECT, related_name="gift")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    months = models.PositiveSmallIntegerField(_("months"), validators=[MinValueValidator(1)])
    recipient_email = models.EmailField(_("recipient"), max_length=254)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    membership = models.OneToOneField(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="gift"
    )

    class Meta:
        verbose_name = _("gift membership")
        verbose_name_plural = _("gift memberships")

    def __str__(self) -> str:
        return f"{self.plan} x {self.months}"
