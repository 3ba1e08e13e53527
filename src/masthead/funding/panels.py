"""The editors' dashboard panel from funding: this month's support."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from wagtail.admin.ui.components import Component

from masthead.funding import reports
from masthead.funding.admin_views import VIEW_PAYMENTS


class MonthSupportPanel(Component):
    name = "month_support"
    order = 70
    template_name = "funding/admin/home/month_support.html"

    def get_context_data(self, parent_context: Any = None) -> dict:
        support = reports.month_support()
        return {
            "support": support,
            "raised": [(row, row.shown) for row in support.raised],
        }


def panels_for(request: HttpRequest) -> list[Component]:
    # Supporters' money is for those who may see the ledger (Funding → Dashboard's rule).
    return [MonthSupportPanel()] if request.user.has_perm(VIEW_PAYMENTS) else []
