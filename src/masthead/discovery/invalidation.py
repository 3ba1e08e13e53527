"""What a cached page depends on, and which changes make it stale (issue 10).

lib/pagecache.py stores every page with the *tags* it declared while it rendered and makes
stale only the pages whose tags an invalidation moves. This module owns the vocabulary:

    page:<id>            the page itself (its own address, and a card of it in a related
                         list); moved for every translation too (their language links)
    list:<tree path>     home and section pages: every article below them, all ?page=N
    section:<slug>       a section's feeds
    topic:<slug>         a topic's page and feeds
    contributor:<slug>   a contributor's page and feeds
    related-topic:<id>   the related-posts box of every article with that topic
    related-person:<id>  ... and of every article by or about that contributor
    related:<id>         the related-posts box of one article, whose stored list changed
    articles             site feeds, sitemaps, the latest-news box: any article at all
    shared               whatever shows people, pictures or topic names: nearly everything

Who declares them: every Wagtail page from the ``before_serve_page`` hook
(discovery/wagtail_hooks.py; a page type not known here depends on ``ANY``), discovery's
own routes by URL name (``route_tags``), and the theme's holes (related posts, latest news).

What moves them. An article published, unpublished, moved, deleted or saved live moves
the tags of every place that shows it: its page and translations, home and its section
(the ``list:`` of each ancestor), its section's, topics' and contributors' pages and feeds
(members of a collective in its byline included), ``articles``, and the related boxes of
articles sharing a topic or a person. Its own ``page:`` tag is *gone* when it is no longer
at its address (unpublished, deleted, moved): never served stale there. Rows that belong
to an article (topic, byline, interviewee) move the same tags plus those of the topic or
person they name, so a topic or byline taken away reaches the pages that showed it.
Contributors, images and topic names move ``shared`` (rare edits: refreshing every page
that can show one is the conservative choice). Any other page type (home, section),
settings, furniture texts and newsletters empty everything (``invalidate_all``), since
the navigation and furniture are on every page. Edits saved as drafts move nothing.

Each change is invalidated at once (a test's transaction never commits) and again when
the transaction commits: a page rendered in between read the old rows, and its clock is
older than the second invalidation.

These are signal receivers, against STYLE.md's habit of hooks, on purpose: Wagtail's admin
hooks fire only for edits made in the admin, while pages are also published by the
scheduled-publishing command, the demo loader and services.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.http import HttpRequest
from taggit.models import Tag
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from masthead.lib import pagecache
from masthead.newsroom.models import (
    ArticleByline,
    ArticlePage,
    ArticleSubject,
    ArticleTopic,
    CollectiveMember,
    Contributor,
    HomePage,
    SectionPage,
)

ARTICLES = "articles"
SHARED = pagecache.SHARED
page_tag = pagecache.page_tag
list_tag = pagecache.list_tag
topic_tag = pagecache.topic_tag

# Apps whose rows show up on reader pages; a row of one empties the page cache unless it
# is handled more precisely below or ignored.
_READER_VISIBLE_APPS = {"newsroom", "wagtailcore", "wagtailimages", "taggit"}
# Rows in those apps that never change what a reader sees.
_IGNORED_MODELS = {
    "wagtailcore.revision",
    "wagtailcore.pagelogentry",
    "wagtailcore.modellogentry",
    "wagtailcore.taskstate",
    "wagtailcore.workflowstate",
    "wagtailcore.pagesubscription",
    "wagtailcore.referenceindex",
    "wagtailimages.rendition",
}
# Single models of other apps that readers see: the newsletters on the sign-up form.
# (Readers, subscriptions and deliveries change all the time and show on no shared page.)
_READER_VISIBLE_MODELS = {"audience.newsletter"}
# Models whose edits show wherever a card, byline or picture does: ``shared``.
_SHARED_MODELS = {
    "newsroom.contributor",
    "newsroom.collectivemember",
    "newsroom.contributorlink",
    "wagtailimages.image",
    "taggit.tag",
}
# A new one of these shows on no page until something else (an article) names it; a new
# collective member or contributor link shows on a contributor's page at once.
_NEW_SHOWS_NOWHERE = {"newsroom.contributor", "wagtailimages.image", "taggit.tag"}
# Page fields Wagtail writes when a draft is saved or a page locked: the live page is the same.
_DRAFT_FIELDS = {
    "latest_revision",
    "latest_revision_created_at",
    "has_unpublished_changes",
    "draft_title",
    "locked",
    "locked_at",
    "locked_by",
}
_ARTICLE_ROWS = (ArticleTopic, ArticleByline, ArticleSubject)


# --- Declaring: what a page shows -------------------------------------------------------


def related_tag(page_id: int) -> str:
    """The related-posts box of one article (its stored list changed: discovery.signals)."""
    return f"related:{page_id}"


def _ancestor_paths(path: str) -> list[str]:
    step = Page.steplen
    return [path[:end] for end in range(step, len(path), step)]


def page_tags(page: Page) -> list[str]:
    """What a Wagtail page shows, from the page alone (no query)."""
    tags = [page_tag(page.pk), SHARED]
    if isinstance(page, HomePage | SectionPage):
        tags.append(list_tag(page.path))
    elif not isinstance(page, ArticlePage):
        tags.append(pagecache.ANY)  # a page type this module does not know
    return tags


def declare_page(page: Page, request: HttpRequest, *args: object, **kwargs: object) -> None:
    """Wagtail's ``before_serve_page`` hook: the page declares its tags (returns nothing,
    so Wagtail goes on serving)."""
    pagecache.depends_on(*page_tags(page.specific))


_ROUTE_TAGS = {
    "feed_rss": ARTICLES,
    "feed_atom": ARTICLES,
    "sitemap": ARTICLES,
    "sitemap_section": ARTICLES,
    "feed_section_rss": "section",
    "feed_section_atom": "section",
    "topic": "topic",
    "feed_topic_rss": "topic",
    "feed_topic_atom": "topic",
    "contributor": "contributor",
    "feed_contributor_rss": "contributor",
    "feed_contributor_atom": "contributor",
}


def route_tags(request: HttpRequest) -> list[str]:
    """Tags of discovery's own pages, from their URL's name and slug (no query)."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name not in _ROUTE_TAGS:
        return []
    kind = _ROUTE_TAGS[match.url_name]
    if kind == ARTICLES:
        return [ARTICLES, SHARED]
    return [f"{kind}:{match.kwargs.get('slug', '')}", SHARED]


# --- Invalidating: what a change reaches -------------------------------------------------


def article_tags(page_id: int) -> set[str]:
    """Every tag an article's change must move, read from the database as it is now."""
    tags = {page_tag(page_id), ARTICLES}
    page = Page.objects.filter(pk=page_id).values("path", "translation_key").first()
    if page is not None:
        # Its translations: their language links name it.
        translations = Page.objects.filter(translation_key=page["translation_key"])
        tags.update(page_tag(pk) for pk in translations.values_list("pk", flat=True))
        ancestors = _ancestor_paths(page["path"])
        tags.update(list_tag(path) for path in ancestors)
        if ancestors:
            parent = Page.objects.filter(path=ancestors[-1]).values_list("slug", flat=True)
            tags.update(f"section:{slug}" for slug in parent)
    for tag_id, slug in ArticleTopic.objects.filter(content_object_id=page_id).values_list(
        "tag_id", "tag__slug"
    ):
        tags.update({topic_tag(slug), f"related-topic:{tag_id}"})
    people = [
        *ArticleByline.objects.filter(page_id=page_id).values_list("contributor_id", flat=True),
        *ArticleSubject.objects.filter(page_id=page_id).values_list("contributor_id", flat=True),
    ]
    tags.update(_people_tags(people))
    return tags


def _people_tags(contributor_ids: Iterable[int]) -> set[str]:
    """Contributors' pages and related boxes, and those of the members of a collective
    among them (a member's page lists what the collective signed)."""
    ids = set(contributor_ids)
    if not ids:
        return set()
    members = CollectiveMember.objects.filter(collective_id__in=ids).values_list(
        "member_id", flat=True
    )
    slugs = Contributor.objects.filter(pk__in=ids | set(members)).values_list("slug", flat=True)
    return {f"related-person:{pk}" for pk in ids} | {f"contributor:{slug}" for slug in slugs}


def _now_and_on_commit(tags: set[str], gone: set[str] = frozenset()) -> None:
    pagecache.invalidate(tags, gone=gone)
    transaction.on_commit(lambda: pagecache.invalidate(tags, gone=gone))


def _everything() -> None:
    pagecache.invalidate_all()
    transaction.on_commit(pagecache.invalidate_all)


def _article_changed(page: Page, *, gone: bool = False, extra: Iterable[str] = ()) -> None:
    tags = article_tags(page.pk) | set(extra)
    away = gone or not Page.objects.filter(pk=page.pk, live=True).exists()
    _now_and_on_commit(tags, {page_tag(page.pk)} if away else set())


def _is_article(page: Page) -> bool:
    # A plain Page row may be an article: deleting one sends pre_delete for both classes.
    return issubclass(page.specific_class or Page, ArticlePage)


def _page_event(sender: type, instance: Page, **kwargs: object) -> None:
    """Published, unpublished, or saved live (a direct save also changes the live page)."""
    if not isinstance(instance, Page):
        return
    if _is_article(instance):
        _article_changed(instance)
    else:
        _everything()


def _page_saved(sender: type, instance: Page, **kwargs: object) -> None:
    fields = kwargs.get("update_fields")
    if fields is not None and set(fields) <= _DRAFT_FIELDS:
        return  # a draft: the live page is unchanged
    if not instance.live and (kwargs.get("created") or not _is_article(instance)):
        # A new draft shows nowhere; a page taken offline sends page_unpublished too.
        return
    _page_event(sender, instance)


def _page_moved(sender: type, instance: Page, **kwargs: object) -> None:
    if not _is_article(instance):
        _everything()
        return
    before = kwargs.get("parent_page_before")
    extra: set[str] = set()
    if isinstance(before, Page):
        extra = {list_tag(path) for path in [*_ancestor_paths(before.path), before.path]}
        extra.add(f"section:{before.slug}")
    _article_changed(instance, gone=True, extra=extra)


def _page_deleting(sender: type, instance: Page, **kwargs: object) -> None:
    if _is_article(instance):
        _article_changed(instance, gone=True)
    else:
        _everything()


def _article_row(sender: type, instance: object, **kwargs: object) -> None:
    """A topic, byline or interviewee of an article added or taken away."""
    if isinstance(instance, ArticleTopic):
        page_id = instance.content_object_id
        # Not instance.tag: when the tag itself is being deleted, it is no longer there.
        slugs = Tag.objects.filter(pk=instance.tag_id).values_list("slug", flat=True)
        tags = {f"related-topic:{instance.tag_id}", *(topic_tag(slug) for slug in slugs)}
    else:
        page_id = instance.page_id
        tags = _people_tags([instance.contributor_id])
    _now_and_on_commit(article_tags(page_id) | tags)


def _changed(sender: type, **kwargs: object) -> None:
    meta = sender._meta
    if issubclass(sender, Page) or issubclass(sender, _ARTICLE_ROWS):
        return  # the receivers above
    label = meta.label_lower
    if label in _SHARED_MODELS:
        if not (kwargs.get("created") and label in _NEW_SHOWS_NOWHERE):
            _now_and_on_commit({SHARED})
        return
    if label in _READER_VISIBLE_MODELS or (
        meta.app_label in _READER_VISIBLE_APPS and label not in _IGNORED_MODELS
    ):
        _everything()


def connect() -> None:
    post_save.connect(_changed, dispatch_uid="masthead.pagecache.save")
    post_delete.connect(_changed, dispatch_uid="masthead.pagecache.delete")
    for model in (Page, HomePage, SectionPage, ArticlePage):
        uid = model._meta.label_lower
        post_save.connect(_page_saved, sender=model, dispatch_uid=f"masthead.pagecache.s.{uid}")
        pre_delete.connect(
            _page_deleting, sender=model, dispatch_uid=f"masthead.pagecache.d.{uid}"
        )
    for model in _ARTICLE_ROWS:
        uid = model._meta.label_lower
        post_save.connect(_article_row, sender=model, dispatch_uid=f"masthead.pagecache.r.{uid}")
        post_delete.connect(
            _article_row, sender=model, dispatch_uid=f"masthead.pagecache.rd.{uid}"
        )
    page_published.connect(_page_event, dispatch_uid="masthead.pagecache.published")
    page_unpublished.connect(_page_event, dispatch_uid="masthead.pagecache.unpublished")
    post_page_move.connect(_page_moved, dispatch_uid="masthead.pagecache.moved")
    pagecache.register_tagger(route_tags)
