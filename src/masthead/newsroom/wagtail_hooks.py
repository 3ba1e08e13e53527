"""Admin registration: contributors and publication texts are snippets; the translations
report is under Reports."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.userbar import ContentCheckerItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.newsroom import admin_views
from masthead.newsroom import panels as newsroom_panels
from masthead.newsroom.models import Contributor, PublicationText


class ContributorViewSet(SnippetViewSet):
    model = Contributor
    icon = "user"
    menu_label = _("Contributors")
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "role", "kind", "locale"]
    list_filter = ["kind", "locale"]
    search_fields = ["name"]


class PublicationTextViewSet(SnippetViewSet):
    model = PublicationText
    icon = "doc-full"
    menu_label = _("Publication texts")
    list_display = ["__str__", "tagline"]


register_snippet(ContributorViewSet)
register_snippet(PublicationTextViewSet)


class _TranslationsMenuItem(MenuItem):
    def is_shown(self, request: object) -> bool:
        return admin_views.can_see_translations(request.user)


@hooks.register("register_admin_urls")
def translations_report_urls() -> list:
    return [
        path(
            "reports/translations/",
            admin_views.TranslationsReportView.as_view(),
            name="newsroom_translations",
        )
    ]


@hooks.register("register_reports_menu_item")
def translations_report_menu_item() -> MenuItem:
    return _TranslationsMenuItem(
        _("Translations"), reverse("newsroom_translations"), icon_name="globe", order=650
    )


@hooks.register("construct_homepage_panels")
def newsroom_dashboard_panels(request: object, panels: list) -> None:
    panels.extend(newsroom_panels.panels_for(request))


@hooks.register("insert_global_admin_css")
def editor_admin_css() -> str:
    """The newsroom's admin styles: the page's language in the header, the phone layout."""
    return format_html('<link rel="stylesheet" href="{}">', static("theme/editor-admin.css"))


class ContentChecks(ContentCheckerItem):
    """The Checks panel's accessibility checker, on what the editor writes: the page's
    ``<main>``, not the header and footer every page shares (issues there are the
    theme's, and would be reported on every article)."""

    axe_include = ["main"]


@hooks.register("construct_wagtail_userbar")
def check_the_content_only(request: object, items: list, page: object) -> None:
    items[:] = [
        ContentChecks() if isinstance(item, ContentCheckerItem) else item for item in items
    ]
