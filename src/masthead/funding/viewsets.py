"""Wagtail admin for funding: the dashboard, the ledger's listings, plans, campaigns, offers.

Payments and memberships are read-only listings (lib.adminviews): the ledger changes only
through funding.ledger, from provider events or from the two editors' forms linked here
(an offline gift, a complimentary membership). Plans, campaigns and offer codes are edited
with amounts typed in major units (admin_forms). Every page follows the model permissions
(view/add/change/delete), which the Editors group is given by migration 0002.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton, ListingButton

from masthead.funding import admin_views, reports
from masthead.funding.admin_forms import CampaignForm, OfferForm, PlanPriceForm
from masthead.funding.models import (
    CURRENCY_CHOICES,
    Campaign,
    Membership,
    Offer,
    Payment,
    Plan,
)
from masthead.lib import money
from masthead.lib.adminviews import ReadOnlyModelViewSet


def _amount(row: Any) -> str:
    return money.format_money(row.amount, row.currency)


# --- plans, campaigns, offers --------------------------------------------------------------


class PriceInlinePanel(InlinePanel):
    """Prices typed in major units: the child form converts them (admin_forms)."""

    def get_form_options(self) -> dict:
        options = super().get_form_options()
        options["formsets"][self.relation_name]["form"] = PlanPriceForm
        return options


def plan_prices(plan: Plan) -> SafeString:
    return format_html_join(", ", "{}", ((str(price),) for price in plan.prices.all()))


def plan_names(plan: Plan) -> SafeString:
    return format_html_join(" / ", "{}", ((text.name,) for text in plan.texts.all()))


class PlanViewSet(ModelViewSet):
    model = Plan
    name = "funding_plan"
    url_prefix = "funding/plans"
    icon = "tag"
    menu_label = _("Plans")
    list_display = [
        "slug",
        Column("names", label=_("Names"), accessor=plan_names),
        Column("prices", label=_("Prices"), accessor=plan_prices),
        "trial_days",
        "active",
    ]
    copy_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("slug"), FieldPanel("position")]),
        FieldRowPanel([FieldPanel("trial_days"), FieldPanel("active")]),
        InlinePanel("texts", heading=_("Name and benefits per language"), min_num=1),
        PriceInlinePanel(
            "prices",
            heading=_("Prices"),
            min_num=1,
            panels=[FieldPanel("interval"), FieldPanel("currency"), FieldPanel("amount")],
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Plan]:
        return Plan.objects.prefetch_related("texts", "prices")


def campaign_goal(campaign: Campaign) -> str:
    return money.format_money(campaign.goal, campaign.currency)


class CampaignViewSet(ModelViewSet):
    model = Campaign
    name = "funding_campaign"
    url_prefix = "funding/campaigns"
    icon = "date"
    menu_label = _("Campaigns")
    list_display = [
        "slug",
        Column("goal", label=_("Goal"), accessor=campaign_goal),
        "starts_at",
        "ends_at",
    ]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("slug"),
            FieldRowPanel([FieldPanel("currency"), FieldPanel("goal")]),
            FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
            InlinePanel("texts", heading=_("Title and story per language"), min_num=1),
        ],
        base_form_class=CampaignForm,
    )


def offer_value(offer: Offer) -> str:
    if offer.kind == Offer.Kind.PERCENT:
        return f"{offer.percent_off} %"
    if offer.amount_off and offer.currency:
        return money.format_money(offer.amount_off, offer.currency)
    return ""


class OfferViewSet(ModelViewSet):
    model = Offer
    name = "funding_offer"
    url_prefix = "funding/offers"
    icon = "tag"
    menu_label = _("Offer codes")
    list_display = [
        "code",
        Column("value", label=_("Off"), accessor=offer_value),
        "duration",
        "expires_at",
        "active",
    ]
    list_filter = ["active", "kind", "duration"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("code"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("percent_off")]),
            FieldRowPanel([FieldPanel("amount_off"), FieldPanel("currency")]),
            FieldRowPanel([FieldPanel("duration"), FieldPanel("duration_months")]),
            FieldRowPanel([FieldPanel("max_redemptions"), FieldPanel("expires_at")]),
            FieldPanel("active"),
        ],
        base_form_class=OfferForm,
    )


# --- the ledger: payments and memberships (read-only) --------------------------------------


def _providers() -> list[tuple[str, str]]:
    names = Payment.objects.order_by("provider").values_list("provider", flat=True).distinct()
    return [(name, name) for name in names]


class PaymentFilterSet(WagtailFilterSet):
    currency = django_filters.ChoiceFilter(choices=CURRENCY_CHOICES, label=_("Currency"))
    provider = django_filters.ChoiceFilter(choices=_providers, label=_("Provider"))

    class Meta:
        model = Payment
        fields = ["kind", "status", "currency", "campaign", "provider"]


def supporter(payment: Payment) -> str:
    name, email = reports.supporter(payment)
    return " ".join(part for part in (name, email and f"<{email}>") if part)


class PaymentIndexView(generic.IndexView):
    @cached_property
    def header_buttons(self) -> list:
        buttons = list(super().header_buttons)
        user = self.request.user
        if user.has_perm(admin_views.ADD_PAYMENTS):
            buttons.append(
                HeaderButton(
                    _("Record an offline gift"),
                    url=reverse("funding_payment:offline_gift"),
                    icon_name="plus",
                )
            )
        if user.has_perm(admin_views.VIEW_PAYMENTS):
            buttons.append(
                HeaderButton(
                    _("Dashboard and CSV"),
                    url=reverse("funding_dashboard:index"),
                    icon_name="pick",
                )
            )
        return buttons


class PaymentViewSet(ReadOnlyModelViewSet):
    model = Payment
    name = "funding_payment"
    url_prefix = "funding/payments"
    icon = "list-ul"
    menu_label = _("Payments")
    index_view_class = PaymentIndexView
    # The first column links to the row's page (Wagtail makes a string its title column).
    list_display = [
        "reference",
        Column("amount", label=_("Amount"), accessor=_amount),
        "kind",
        "status",
        Column("supporter", label=_("Supporter"), accessor=supporter),
        "campaign",
        "provider",
        "paid_at",
    ]
    filterset_class = PaymentFilterSet
    search_fields = ["reference", "name", "email", "reader__email"]
    search_backend_name = None  # the ledger is not in the search index: a database lookup
    ordering = ["-created_at", "-pk"]
    inspect_view_fields = [
        "provider",
        "reference",
        "kind",
        "status",
        "amount",
        "fee_covered",
        "currency",
        "reader",
        "email",
        "name",
        "anonymous",
        "campaign",
        "membership",
        "first_of_membership",
        "paid_at",
        "created_at",
        "note",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        return Payment.objects.select_related("reader", "campaign")

    def get_urlpatterns(self) -> list:
        return [
            *super().get_urlpatterns(),
            path("offline-gift/", admin_views.OfflineGiftView.as_view(), name="offline_gift"),
        ]


def member(membership: Membership) -> str:
    return membership.reader.email if membership.reader_id else str(_("(anonymised)"))


class MembershipIndexView(generic.IndexView):
    @cached_property
    def header_buttons(self) -> list:
        buttons = list(super().header_buttons)
        if self.request.user.has_perm(admin_views.ADD_MEMBERSHIPS):
            buttons.append(
                HeaderButton(
                    _("Grant a complimentary membership"),
                    url=reverse("funding_membership:grant"),
                    icon_name="plus",
                )
            )
        return buttons

    def get_list_more_buttons(self, instance: Membership) -> list:
        buttons = super().get_list_more_buttons(instance)
        running = instance.source != Membership.Source.PAID and instance.ended_at is None
        if running and self.request.user.has_perm(admin_views.CHANGE_MEMBERSHIPS):
            buttons.append(
                ListingButton(
                    _("End"),
                    url=reverse("funding_membership:end", args=[instance.pk]),
                    icon_name="cross",
                    priority=20,
                )
            )
        return buttons


class MembershipViewSet(ReadOnlyModelViewSet):
    model = Membership
    name = "funding_membership"
    url_prefix = "funding/memberships"
    icon = "group"
    menu_label = _("Memberships")
    index_view_class = MembershipIndexView
    list_display = [
        "plan",  # the title column: links to the row's page and carries "End"
        Column("reader", label=_("Reader"), accessor=member),
        "source",
        "status",
        "started_at",
        "current_period_end",
        "ended_at",
    ]
    list_filter = ["source", "status", "plan"]
    search_fields = ["reader__email", "reference"]
    search_backend_name = None
    ordering = ["-started_at", "-pk"]
    inspect_view_fields = [
        "reader",
        "plan",
        "price",
        "source",
        "status",
        "provider",
        "reference",
        "campaign",
        "offer",
        "started_at",
        "current_period_end",
        "cancel_at_period_end",
        "past_due_since",
        "ended_at",
        "note",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return Membership.objects.select_related("reader", "plan")

    def get_urlpatterns(self) -> list:
        return [
            *super().get_urlpatterns(),
            path("grant/", admin_views.GrantView.as_view(), name="grant"),
            path("end/<int:pk>/", admin_views.end_membership, name="end"),
        ]


# --- dashboard -----------------------------------------------------------------------------


class _PermissionMenuItem(MenuItem):
    permission = ""

    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(self.permission)


class DashboardViewSet(ViewSet):
    """The dashboard and the CSV export; its menu entry shows to those who may view payments."""

    name = "funding_dashboard"
    url_prefix = "funding/dashboard"
    icon = "pick"
    menu_label = _("Dashboard")

    @property
    def menu_item_class(self) -> type[MenuItem]:
        return type(
            "FundingDashboardMenuItem",
            (_PermissionMenuItem,),
            {"permission": admin_views.VIEW_PAYMENTS},
        )

    def get_urlpatterns(self) -> list:
        return [
            path("", admin_views.DashboardView.as_view(), name="index"),
            path("export/", admin_views.export_payments, name="export"),
        ]


class FundingGroup(ViewSetGroup):
    items = (
        DashboardViewSet,
        PaymentViewSet,
        MembershipViewSet,
        PlanViewSet,
        CampaignViewSet,
        OfferViewSet,
    )
    menu_label = _("Funding")
    menu_icon = "pick"
    menu_order = 320  # after Newsletters (300) and Readers (310)
