"""Admin registration: the Funding menu, and the audit log's words for funding actions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.log_actions import LogActionRegistry, LogFormatter

from masthead.funding import admin_views
from masthead.funding import panels as funding_panels
from masthead.funding.viewsets import FundingGroup


@hooks.register("register_admin_viewset")
def register_funding() -> FundingGroup:
    return FundingGroup()


@hooks.register("register_log_actions")
def register_funding_log(actions: LogActionRegistry) -> None:
    @actions.register_action(admin_views.OFFLINE_GIFT_ACTION)
    class OfflineGiftFormatter(LogFormatter):
        label = gettext_lazy("Record an offline gift")

        def format_message(self, log_entry: Any) -> str:
            return _("Offline gift recorded: %(payment)s") % {"payment": log_entry.label}

    @actions.register_action(admin_views.COMP_GRANT_ACTION)
    class CompGrantFormatter(LogFormatter):
        label = gettext_lazy("Grant a complimentary membership")

        def format_message(self, log_entry: Any) -> str:
            data = log_entry.data or {}
            # No address in the log: erasure could not reach it there.
            return _("Complimentary membership granted on plan %(plan)s until %(until)s") % {
                "plan": data.get("plan", ""),
                "until": data.get("until") or _("no end date"),
            }

    @actions.register_action(admin_views.COMP_END_ACTION)
    class CompEndFormatter(LogFormatter):
        label = gettext_lazy("End a complimentary membership")

        def format_message(self, log_entry: Any) -> str:
            return _("Membership ended: %(membership)s") % {"membership": log_entry.label}


@hooks.register("construct_homepage_panels")
def month_support_panel(request: Any, panels: list) -> None:
    panels.extend(funding_panels.panels_for(request))
