"""The editors' WhatsApp summary on the admin dashboard: the month's budget use, messages
held back over budget, and how many readers are opted in."""

from __future__ import annotations

from wagtail.admin.ui.components import Component

from masthead.channels.whatsapp import graph, queries


class SummaryPanel(Component):
    name = "whatsapp_summary"
    order = 60
    template_name = "channels/whatsapp/summary_panel.html"

    def __init__(self, summary: queries.Summary) -> None:
        self.summary = summary

    def get_context_data(self, parent_context: dict | None = None) -> dict:
        return {"summary": self.summary}


def summary_panel() -> SummaryPanel | None:
    """Shown once WhatsApp is configured, or while readers are still opted in from before."""
    summary = queries.summary()
    if not graph.is_configured() and not summary.opted_in:
        return None
    return SummaryPanel(summary)
