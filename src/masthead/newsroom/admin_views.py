"""The translations report (Reports → Translations): what the board still has to translate."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Locale

from masthead.newsroom import reports


def can_see_translations(user: object) -> bool:
    """Anyone who may edit pages: the report only lists titles and links to the editor."""
    return bool(getattr(user, "is_active", False)) and user.has_perm("wagtailadmin.access_admin")


class TranslationsReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "newsroom/admin/translations.html"
    page_title = gettext_lazy("Translations")
    header_icon = "globe"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_see_translations(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        locales = {locale.language_code: locale for locale in Locale.objects.all()}
        languages = [(code, name) for code, name in settings.LANGUAGES if code in locales]
        default = next((code for code, _ in languages if code != settings.LANGUAGE_CODE), None)
        # An unknown ?language= falls back to the first language other than the default:
        # never an error page for a hand-edited link.
        chosen = self.request.GET.get("language")
        if chosen not in locales:
            chosen = default or settings.LANGUAGE_CODE
        return super().get_context_data(
            report=reports.translation_report(locales[chosen]) if chosen in locales else None,
            languages=languages,
            chosen=chosen,
            **kwargs,
        )
