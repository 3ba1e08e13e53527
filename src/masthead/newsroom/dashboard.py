"""Reads for the editors' dashboard: where to write, what is mine, what is coming, what
went out, and what still waits for a translation.

Each list is one query of at most ``limit`` rows (the translations list adds its count and
the locales), so the dashboard costs the same whatever the size of the archive
(tests/theme/test_dashboard.py counts them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from wagtail.models import Locale, Page, Revision
from wagtail.permission_policies.pages import PagePermissionPolicy

from masthead.newsroom import reports
from masthead.newsroom.models import ArticlePage, SectionPage

LIMIT = 8  # rows per list: a dashboard is a glance, the explorer has the rest


def writable_sections(user: AbstractBaseUser) -> list[SectionPage]:
    """Sections the user may add an article to, by language then tree order."""
    allowed = PagePermissionPolicy().instances_user_has_any_permission_for(user, {"add"})
    return list(
        SectionPage.objects.filter(pk__in=allowed.values("pk"))
        .select_related("locale")
        .order_by("locale__language_code", "path")
    )


def _schedule() -> QuerySet[Revision]:
    """The page's approved go-live time, if a revision of it is scheduled."""
    return Revision.page_revisions.filter(
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        approved_go_live_at__isnull=False,
    ).order_by("approved_go_live_at")


def my_drafts(user: AbstractBaseUser, *, limit: int = LIMIT) -> list[Page]:
    """Pages whose latest revision is the user's and which readers do not see as saved:
    never published, or published with changes since. Scheduled pages are listed under
    "Scheduled", not here. Most recently edited first."""
    return list(
        Page.objects.filter(latest_revision__user=user)
        .filter(Q(live=False) | Q(has_unpublished_changes=True))
        .exclude(Exists(_schedule()))
        .select_related("locale", "latest_revision")
        .order_by("-latest_revision_created_at", "-pk")[:limit]
    )


def scheduled(*, limit: int = LIMIT) -> list[Page]:
    """Pages with a revision approved to go live at a time, soonest first; each carries
    ``go_live`` (aware; templates show it in the publication's time zone)."""
    return list(
        Page.objects.annotate(go_live=Subquery(_schedule().values("approved_go_live_at")[:1]))
        .filter(go_live__isnull=False)
        .select_related("locale")
        .order_by("go_live", "pk")[:limit]
    )


def recently_published(*, limit: int = LIMIT) -> list[ArticlePage]:
    """Live articles, the last published first (a correction moves one up)."""
    return list(
        ArticlePage.objects.live()
        .select_related("locale")
        .order_by("-last_published_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class Untranslated:
    article: ArticlePage
    missing: list[Locale]  # the languages it has no translation in


@dataclass(frozen=True)
class AwaitingTranslation:
    count: int
    items: list[Untranslated]


def awaiting_translation(*, limit: int = LIMIT) -> AwaitingTranslation:
    """Live articles lacking a translation into some language, newest first (the rule of
    Reports → Translations, over every language at once)."""
    locales = list(Locale.objects.all())
    queryset, flags = reports.missing_in_any(
        ArticlePage.objects.live().select_related("locale"), ArticlePage, locales
    )
    queryset = queryset.order_by("-first_published_at", "-pk")
    items = [
        Untranslated(
            article=article,
            missing=[
                locale
                for locale in locales
                if locale.pk != article.locale_id and not getattr(article, flags[locale.pk])
            ],
        )
        for article in queryset[:limit]
    ]
    return AwaitingTranslation(count=queryset.count(), items=items)
