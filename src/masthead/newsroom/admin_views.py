"""The newsroom's admin views: the translations report (Reports → Translations), what the
board still has to translate, and the interview editor's transcript reader."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Locale, Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from masthead.newsroom import queries, reports, transcripts
from masthead.newsroom.models import ArticlePage


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


@require_POST
def transcript_pairs(request: HttpRequest) -> JsonResponse:
    """A pasted transcript as the exchange block's pairs, in the editor's form state.

    POST (Django's CSRF check applies) ``transcript`` and, to match speakers in the page's
    language, ``page`` (the page edited) or ``parent`` (where it is being created). Answers
    ``{"pairs", "new_speakers", "problems"}``, or 400 with ``{"error"}`` when nothing could
    be read; nothing is stored either way.
    """
    if not can_edit_pages(request.user):
        raise PermissionDenied
    try:
        transcript = transcripts.parse_transcript(request.POST.get("transcript", ""))
    except transcripts.TranscriptError as error:
        return JsonResponse({"error": str(error)}, status=400)
    known = queries.contributors_named(
        transcript.speakers,
        locale=_locale_of(request.POST.get("page") or request.POST.get("parent")),
    )
    raw = transcripts.pairs_from_turns(
        [
            {
                "kind": turn.kind,
                "speaker": known[turn.speaker].pk if turn.speaker in known else None,
                "speaker_name": "" if turn.speaker in known else turn.speaker,
                "text": turn.html,
            }
            for turn in transcript.turns
        ]
    )
    exchange = ArticlePage.body.field.stream_block.child_blocks["exchange"]
    pair_block = exchange.child_blocks["pairs"].child_block
    return JsonResponse(
        {
            "pairs": [pair_block.get_form_state(pair_block.to_python(pair)) for pair in raw],
            "new_speakers": [name for name in transcript.speakers if name not in known],
            "problems": transcript.problems,
        }
    )


def can_edit_pages(user: object) -> bool:
    """Whoever may write or change a page somewhere: the only people who paste transcripts."""
    return (
        bool(getattr(user, "is_active", False))
        and user.has_perm("wagtailadmin.access_admin")
        and PagePermissionPolicy().user_has_any_permission(user, {"add", "change"})
    )


def _locale_of(page_id: str | None) -> Locale:
    # A page id that is not a number or not a page falls back to the default language: the
    # match is a convenience, and every name still arrives (as a free-text name).
    if page_id and page_id.isdigit():
        page = Page.objects.filter(pk=int(page_id)).select_related("locale").first()
        if page is not None:
            return page.locale
    return Locale.get_default()
