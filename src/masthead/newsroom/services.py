"""Writes: the one door through which code (the demo loader, importers, tests) publishes.

Editors publish through the Wagtail admin; everything else calls these functions, which
validate like the admin does (``full_clean``) and publish a revision, so Wagtail's
history, signals and search index see the same thing either way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page, Site

from masthead.lib import fanout, pagecache
from masthead.newsroom.models import (
    ArticleByline,
    ArticlePage,
    ArticleSubject,
    CollectiveMember,
    Contributor,
    ContributorLink,
    HomePage,
    PublicationSettings,
    PublicationText,
    SectionPage,
)


def ensure_locales(language_codes: Sequence[str]) -> dict[str, Locale]:
    """Create the Wagtail locales that are missing; return them by language code."""
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code in language_codes}


def _site_address() -> tuple[str, int]:
    """The host and port of MASTHEAD_BASE_URL: Wagtail builds absolute URLs from the Site."""
    address = urlsplit(settings.BASE_URL)
    default_port = 443 if address.scheme == "https" else 80
    return address.hostname or "localhost", address.port or default_port


@transaction.atomic
def create_home(*, title: str, slug: str, locale: Locale, intro: str = "") -> HomePage:
    """Create the home page of ``locale`` under Wagtail's root.

    The first home becomes the default site's root, replacing Wagtail's welcome page, and
    the site takes its host and port from MASTHEAD_BASE_URL.
    """
    hostname, port = _site_address()
    root = Page.get_first_root_node()
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    # Wagtail's initial migration leaves a "Welcome" page (slug "home") as the site root;
    # the first real home replaces it.
    welcome = site.root_page if site and type(site.root_page.specific) is Page else None
    if welcome is not None and not welcome.get_children().exists():
        site.root_page = root
        site.save(update_fields=["root_page"])
        welcome.delete()
        root.refresh_from_db()
    home = HomePage(title=title, slug=slug, locale=locale, intro=intro)
    root.add_child(instance=home)
    home.save_revision().publish()
    if site is None:
        Site.objects.create(
            hostname=hostname, port=port, root_page=home, is_default_site=True, site_name=title
        )
    elif welcome is not None or site.root_page_id == root.pk:
        site.root_page = home
        site.site_name = title
        site.hostname, site.port = hostname, port
        site.save(update_fields=["root_page", "site_name", "hostname", "port"])
    return home


@transaction.atomic
def translate_page(page: Page, *, locale: Locale, **fields: object) -> Page:
    """Copy ``page`` into ``locale`` as a linked translation, set ``fields`` and publish."""
    translation = page.copy_for_translation(locale, copy_parents=False).specific
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.full_clean()
    translation.save()
    translation.save_revision().publish()
    return translation


@transaction.atomic
def create_section(*, home: HomePage, title: str, slug: str, intro: str = "") -> SectionPage:
    section = SectionPage(title=title, slug=slug, intro=intro, locale=home.locale)
    home.add_child(instance=section)
    section.save_revision().publish()
    return section


@transaction.atomic
def create_contributor(
    *,
    name: str,
    slug: str,
    locale: Locale,
    role: str = "",
    bio: str = "",
    kind: str = Contributor.Kind.PERSON,
    photo: object = None,
    members: Sequence[Contributor] = (),
    links: Sequence[tuple[str, str]] = (),
    translation_of: Contributor | None = None,
) -> Contributor:
    """Create a contributor; with ``translation_of``, as that contributor's translation."""
    contributor = Contributor(
        name=name, slug=slug, locale=locale, role=role, bio=bio, kind=kind, photo=photo
    )
    if translation_of is not None:
        contributor.translation_key = translation_of.translation_key
    contributor.members = [CollectiveMember(member=m) for m in members]
    contributor.links = [ContributorLink(label=label, url=url) for label, url in links]
    contributor.full_clean()
    contributor.save()
    return contributor


@dataclass
class ArticleDraft:
    """Everything an article needs, so callers build it field by field and publish once."""

    title: str
    slug: str
    standfirst: str
    kind: str = ArticlePage.Kind.NEWS
    body: list = field(default_factory=list)
    bylines: Sequence[Contributor] = ()
    subjects: Sequence[Contributor] = ()
    topics: Sequence[str] = ()
    hero_image: object = None
    hero_alt: str = ""
    hero_credit: str = ""
    hero_caption: str = ""
    first_published_at: datetime | None = None
    updated_at: datetime | None = None
    syndication_name: str = ""
    syndication_url: str = ""
    search_description: str = ""
    members_only: bool = False
    post_to_channels: bool = True


def _apply_draft(article: ArticlePage, draft: ArticleDraft) -> None:
    for name in (
        "title",
        "slug",
        "standfirst",
        "kind",
        "body",
        "hero_image",
        "hero_alt",
        "hero_credit",
        "hero_caption",
        "updated_at",
        "syndication_name",
        "syndication_url",
        "search_description",
        "members_only",
        "post_to_channels",
    ):
        setattr(article, name, getattr(draft, name))
    article.bylines = [ArticleByline(contributor=c) for c in draft.bylines]
    article.subjects = [ArticleSubject(contributor=c) for c in draft.subjects]
    article.topics.set(list(draft.topics))


def _backdate(article: ArticlePage, draft: ArticleDraft) -> None:
    """Give a just-published article the dates of its draft (demo content, imports)."""
    if draft.first_published_at is None:
        return
    # update() rather than save(): publishing has just set both dates to now.
    ArticlePage.objects.filter(pk=article.pk).update(
        first_published_at=draft.first_published_at,
        last_published_at=draft.updated_at or draft.first_published_at,
    )
    article.refresh_from_db()
    pagecache.invalidate_all()  # update() sends no signal; listings are ordered by date


def _quiet_if_backdated(draft: ArticleDraft) -> contextlib.AbstractContextManager:
    # A backdated article is loaded (the demo, an import), not news: publishing it must
    # not post it to the channels (issue 11).
    return fanout.quiet() if draft.first_published_at is not None else contextlib.nullcontext()


@transaction.atomic
def create_article(
    *, section: SectionPage, draft: ArticleDraft, publish: bool = True
) -> ArticlePage:
    """Create an article under ``section``; publish it unless ``publish`` is False.

    ``draft.first_published_at`` backdates the publication (demo and imports).
    """
    article = ArticlePage(locale=section.locale, live=False)
    _apply_draft(article, draft)
    article.full_clean(exclude=["path", "depth"])
    section.add_child(instance=article)
    revision = article.save_revision()
    if publish:
        with _quiet_if_backdated(draft):
            revision.publish()
        _backdate(article, draft)
    return article


@transaction.atomic
def translate_article(article: ArticlePage, *, locale: Locale, draft: ArticleDraft) -> ArticlePage:
    """Publish ``draft`` as the translation of ``article`` in ``locale``.

    The parent section's translation must exist already.
    """
    translation = article.copy_for_translation(locale, copy_parents=False).specific
    _apply_draft(translation, draft)
    translation.full_clean()
    translation.save()
    with _quiet_if_backdated(draft):
        translation.save_revision().publish()
    _backdate(translation, draft)
    return translation


@transaction.atomic
def configure_publication(
    *, site: Site, texts: dict[str, dict[str, str]], **links: object
) -> None:
    """Set the publication's name, logo and links, and its furniture texts per language."""
    settings = PublicationSettings.for_site(site)
    for name, value in links.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    locales = ensure_locales(list(texts))
    for language, values in texts.items():
        text, _created = PublicationText.objects.get_or_create(locale=locales[language])
        for name, value in values.items():
            setattr(text, name, value)
        text.full_clean()
        text.save()
