"""The admin as an editor meets it: the framework's own notices are for administrators.

The site summary (page, image and document counts of the whole tree) and the Help menu's
"What's new in Wagtail" and "Editor Guide" (Wagtail's release notes and guide, with an
unread badge) say nothing about the publication; a non-admin editor does not see them.
Administrators keep them. The upgrade banner and the "what's new" banner are switched off
for everyone in settings: Masthead pins Wagtail, so an upgrade is Masthead's, not Wagtail's.
"""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

_FRAMEWORK_HELP = ("whats-new-in-wagtail-", "editor-guide")


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


# Late (order): after wagtail.admin, images and documents have added their items.
@hooks.register("construct_homepage_summary_items", order=1000)
def summary_for_admins_only(request: Any, summary_items: list) -> None:
    if not is_admin(request.user):
        summary_items.clear()


@hooks.register("construct_help_menu", order=1000)
def framework_help_for_admins_only(request: Any, menu_items: list) -> None:
    if not is_admin(request.user):
        menu_items[:] = [item for item in menu_items if not item.name.startswith(_FRAMEWORK_HELP)]


@hooks.register("insert_global_admin_css")
def dashboard_css() -> str:
    return format_html('<link rel="stylesheet" href="{}">', static("theme/admin.css"))


@hooks.register("insert_global_admin_js")
def input_labels_js() -> str:
    """Names the rich text and tag inputs that Wagtail leaves unnamed (admin-labels.js)."""
    return format_html('<script src="{}" defer></script>', static("theme/admin-labels.js"))
