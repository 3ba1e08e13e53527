"""The newsroom's funding pages in the Wagtail admin: dashboard, CSV, offline gifts, comps.

Thin views (DESIGN.md): figures come from ``reports``, writes go through ``funding.ledger``
(the one door for the ledger and memberships) and are logged in Wagtail's audit log.
Wagtail's admin URLs already require admin access; each view also checks its own
permission, because payments carry supporters' names and addresses.
"""

from __future__ import annotations

import csv
import logging
from itertools import chain
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from masthead.audience import services as audience
from masthead.funding import ledger, reports
from masthead.funding.admin_forms import ExportForm, GrantForm, OfflineGiftForm
from masthead.funding.models import Membership
from masthead.lib import money

logger = logging.getLogger(__name__)

VIEW_PAYMENTS = "funding.view_payment"
ADD_PAYMENTS = "funding.add_payment"
ADD_MEMBERSHIPS = "funding.add_membership"
CHANGE_MEMBERSHIPS = "funding.change_membership"
# Registered in wagtail_hooks; record_offline_gift writes this one itself.
OFFLINE_GIFT_ACTION = "masthead.funding.offline_gift"
COMP_GRANT_ACTION = "masthead.funding.comp_grant"
COMP_END_ACTION = "masthead.funding.comp_end"


class _AdminPage(WagtailAdminTemplateMixin):
    permission = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


# --- dashboard -----------------------------------------------------------------------------


def bars(series: list[reports.MonthTotal], currency: str, *, height: int = 120) -> list[dict]:
    """Bar heights (in px of ``height``) and labels for the monthly chart, drawn in SVG."""
    top = max((point.net for point in series), default=0) or 1
    return [
        {
            "month": point.month,
            "net": point.net,
            "shown": money.format_money(point.net, currency),
            "height": round(height * point.net / top),
            "x": 40 + i * 50,
            "y": 10 + height - round(height * point.net / top),
        }
        for i, point in enumerate(series)
    ]


class DashboardView(_AdminPage, TemplateView):
    permission = VIEW_PAYMENTS
    template_name = "funding/admin/dashboard.html"
    page_title = gettext_lazy("Funding")
    header_icon = "pick"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        board = reports.dashboard(language=translation.get_language() or "en")
        charts = [
            {
                "currency": currency,
                "bars": bars(series, currency),
                "top": money.format_money(max(p.net for p in series), currency),
            }
            for currency, series in board.monthly.items()
        ]
        recent = [
            (
                payment,
                *reports.supporter(payment),
                money.format_money(payment.amount, payment.currency),
            )
            for payment in board.recent
        ]
        progress = board.progress
        campaign = None
        if progress is not None:
            campaign = {
                "title": board.campaign_title,
                "raised": money.format_money(progress.raised, progress.currency),
                "goal": money.format_money(progress.goal, progress.currency),
                "progress": progress,
                "value": money.to_major(progress.raised, progress.currency),
                "max": money.to_major(progress.goal, progress.currency),
            }
        today = timezone.localdate()
        return super().get_context_data(
            board=board,
            periods=[(_("This month"), board.this_month), (_("This year"), board.this_year)],
            charts=charts,
            recent=recent,
            campaign=campaign,
            recurring=[(c, money.format_money(a, c)) for c, a in board.recurring.items()],
            export_form=ExportForm(initial={"start": today.replace(month=1, day=1), "end": today}),
            export_url=reverse("funding_dashboard:export"),
            payments_url=reverse("funding_payment:index"),
            gift_url=reverse("funding_payment:offline_gift"),
            grant_url=reverse("funding_membership:grant"),
            can_add_payments=self.request.user.has_perm(ADD_PAYMENTS),
            can_grant=self.request.user.has_perm(ADD_MEMBERSHIPS),
            **kwargs,
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"  # supporters' names and addresses
        return response


# --- CSV for the accountant ----------------------------------------------------------------


class _Echo:
    """A file-like object that hands back what csv.writer writes (Django's streaming recipe)."""

    def write(self, value: str) -> str:
        return value


def export_payments(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Payments dated within ?start=YYYY-MM-DD&end=YYYY-MM-DD as CSV, streamed."""
    if not request.user.has_perm(VIEW_PAYMENTS):
        raise PermissionDenied
    form = ExportForm(request.GET)
    if not form.is_valid():
        reasons = [f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()]
        return HttpResponseBadRequest(
            _("The dates are not valid.") + "\n" + "\n".join(reasons),
            content_type="text/plain; charset=utf-8",
        )
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    writer = csv.writer(_Echo())
    lines = (writer.writerow(row) for row in reports.payment_rows(start, end))
    # The byte-order mark makes Excel read the file as UTF-8 (names with accents).
    response = StreamingHttpResponse(
        chain(["\ufeff"], lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="payments-{start}-{end}.csv"'
    response["Cache-Control"] = "no-store"
    logger.info("payments %s to %s exported by user %s", start, end, request.user.pk)
    return response


# --- offline gifts -------------------------------------------------------------------------


class OfflineGiftView(_AdminPage, FormView):
    permission = ADD_PAYMENTS
    form_class = OfflineGiftForm
    template_name = "funding/admin/form.html"
    page_title = gettext_lazy("Record an offline gift")
    header_icon = "pick"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            intro=_(
                "A bank transfer or cash gift the publication has received. It is added to "
                "the ledger as a payment, counts toward the campaign you choose, and the "
                "entry is kept in the audit log with your name."
            ),
            submit_label=_("Record the gift"),
            **kwargs,
        )

    def form_valid(self, form: OfflineGiftForm) -> HttpResponse:
        data = form.cleaned_data
        payment = ledger.record_offline_gift(
            amount=data["amount"],
            currency=data["currency"],
            received_at=data["received"],
            campaign=data["campaign"],
            name=data["name"],
            email=data["email"],
            anonymous=data["anonymous"],
            note=data["note"],
            user=self.request.user,
        )
        messages.success(
            self.request,
            _("Offline gift of %(amount)s recorded.")
            % {"amount": money.format_money(payment.amount, payment.currency)},
        )
        return HttpResponseRedirect(reverse("funding_payment:index"))


# --- complimentary memberships ------------------------------------------------------------


class GrantView(_AdminPage, FormView):
    permission = ADD_MEMBERSHIPS
    form_class = GrantForm
    template_name = "funding/admin/form.html"
    page_title = gettext_lazy("Grant a complimentary membership")
    header_icon = "pick"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            intro=_(
                "The reader gets members' access without paying, until the date you give "
                "or until you end it. Granting it is kept in the audit log with your name. "
                "Readers sign in with a link sent to this address."
            ),
            submit_label=_("Grant"),
            **kwargs,
        )

    def form_valid(self, form: GrantForm) -> HttpResponse:
        data = form.cleaned_data
        with transaction.atomic():
            reader = audience.reader_for_address(data["email"])
            membership = ledger.grant(
                reader=reader, plan=data["plan"], until=data["until_at"], note=data["note"]
            )
            until = data["until"].isoformat() if data["until"] else None
            log(
                instance=membership,
                action=COMP_GRANT_ACTION,
                user=self.request.user,
                data={"plan": data["plan"].slug, "until": until},
            )
        messages.success(
            self.request,
            _("%(email)s is now a member.") % {"email": reader.email},
        )
        return HttpResponseRedirect(reverse("funding_membership:index"))


def end_membership(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks; POST ends a complimentary or gift membership now (paid ones end at the
    provider, from the reader's account page or the provider's dashboard)."""
    if not request.user.has_perm(CHANGE_MEMBERSHIPS):
        raise PermissionDenied
    membership = get_object_or_404(
        Membership.objects.select_related("reader", "plan"),
        pk=pk,
    )
    index_url = reverse("funding_membership:index")
    if membership.source == Membership.Source.PAID or membership.ended_at is not None:
        messages.warning(
            request,
            _("Only a running complimentary or gift membership can be ended here."),
        )
        return HttpResponseRedirect(index_url)
    if request.method == "POST":
        with transaction.atomic():
            ledger.end_membership(membership)
            membership.refresh_from_db()  # the log's label shows the ended state
            log(instance=membership, action=COMP_END_ACTION, user=request.user)
        messages.success(request, _("The membership has ended."))
        return HttpResponseRedirect(index_url)
    return TemplateResponse(
        request,
        "funding/admin/end_membership.html",
        {
            "membership": membership,
            "page_title": _("End this membership"),
            "index_url": index_url,
            "header_icon": "pick",
        },
    )
