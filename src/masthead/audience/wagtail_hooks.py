"""Admin registration: the Readers menu (readers, suppressions, subscribers, CSV import)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.log_actions import LogActionRegistry, LogFormatter

from masthead.audience import importing
from masthead.audience.viewsets import ReadersGroup


@hooks.register("register_admin_viewset")
def register_readers() -> ReadersGroup:
    return ReadersGroup()


@hooks.register("register_log_actions")
def register_import_log(actions: LogActionRegistry) -> None:
    @actions.register_action(importing.LOG_ACTION)
    class ImportFormatter(LogFormatter):
        label = gettext_lazy("Import readers")

        def format_message(self, log_entry: Any) -> str:
            data = log_entry.data or {}
            return _(
                "Readers imported from CSV: %(created)s new, %(total)s rows. "
                "Consent source: %(source)s"
            ) % {
                "created": data.get("created", 0),
                "total": data.get("total", 0),
                "source": data.get("source", ""),
            }
