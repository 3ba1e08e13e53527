"""Admin registration: contributors and publication texts are snippets; the translations
report is under Reports; the interview editor reads transcripts here; an article's main action is the publish dialog."""

from django.apps import apps
from django.forms import Media
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.action_menu import PublishMenuItem
from wagtail.admin.menu import MenuItem
from wagtail.admin.userbar import ContentCheckerItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.newsroom import admin_views, publishing
from masthead.newsroom import panels as newsroom_panels
from masthead.newsroom.choosers import ContributorChooserViewSet
from masthead.newsroom.models import ArticlePage, Contributor, PublicationText


class ContributorViewSet(SnippetViewSet):
    model = Contributor
    icon = "user"
    menu_label = _("Contributors")
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "role", "kind", "locale"]
    list_filter = ["kind", "locale"]
    search_fields = ["name"]
    # Its chooser also creates one, in the page's language, without leaving the page.
    chooser_viewset_class = ContributorChooserViewSet


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
def newsroom_admin_urls() -> list:
    return [
        path(
            "reports/translations/",
            admin_views.TranslationsReportView.as_view(),
            name="newsroom_translations",
        ),
        path(
            "newsroom/transcript-pairs/",
            admin_views.transcript_pairs,
            name="newsroom_transcript_pairs",
        ),
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


@hooks.register("insert_editor_js")
def editor_form_js() -> str:
    """Alt text from the image's description, and tab badges that count every error."""
    return format_html('<script src="{}"></script>', static("theme/editor_form.js"))


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


class PublishDialogItem(PublishMenuItem):
    """An article's main action: "Publish…" opens one dialog with when to publish and
    what to send with it (publishing.py); its own button publishes."""

    template_name = "newsroom/admin/publish_dialog.html"
    label = _("Publish…")

    def get_context_data(self, parent_context: dict) -> dict:
        context = super().get_context_data(parent_context)
        request = parent_context["request"]
        page = parent_context.get("page")
        article = page if page is not None and page.pk else None
        locale = (page or parent_context["parent_page"]).locale
        # Shown again as typed when the page comes back invalid; its own errors only when
        # it was the publish that failed (they open the dialog by themselves).
        data = request.POST if request.method == "POST" else None
        when = publishing.when_form(data, article)
        forms = [when]
        parts = []
        for option in publishing.options():
            form = option.form(data, article, locale.language_code, request.user)
            if form is not None:
                forms.append(form)
                parts.append({"template_name": option.template_name, "form": form})
        context.update(
            when=when,
            parts=parts,
            has_errors=publishing.is_publishing(data) and not all(f.is_valid() for f in forms),
        )
        return context

    @property
    def media(self) -> Media:
        return Media(js=["theme/publish_dialog.js"])


@hooks.register("construct_page_action_menu")
def publish_first_for_articles(menu_items: list, request: object, context: dict) -> None:
    """Publishing is an article's main action, and it happens through the dialog."""
    page = context.get("page")
    page_class = type(page) if page is not None else None
    if page_class is None and context.get("view") == "create":
        page_class = _created_class(request)
    if page_class is None or not issubclass(page_class, ArticlePage):
        return
    for index, item in enumerate(menu_items):
        if type(item) is PublishMenuItem:
            menu_items.pop(index)
            menu_items.insert(0, PublishDialogItem(order=item.order))
            return


def _created_class(request: object) -> type | None:
    # The create view's URL names the page type: /admin/pages/add/<app>/<model>/<parent>/.
    kwargs = getattr(request.resolver_match, "kwargs", {})
    try:
        return apps.get_model(kwargs["content_type_app_name"], kwargs["content_type_model_name"])
    except (KeyError, LookupError):
        return None
