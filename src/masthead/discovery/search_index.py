"""Writes of the search index: one ``SearchDocument`` per live, public article.

Called in the worker (tasks.py) when articles are published, edited, unpublished, moved
or deleted, or their contributors renamed, and by ``rebuild_search_index`` and the
synthetic loader. The engine's own index follows the documents table (triggers on SQLite,
``after_write`` on PostgreSQL).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef
from wagtail.models import Page

from masthead.discovery import search_engines
from masthead.discovery.models import SearchDocument
from masthead.discovery.plaintext import plain_body
from masthead.lib import pagecache
from masthead.newsroom.models import ArticleByline, ArticlePage, ArticleSubject
from masthead.newsroom.queries import published_articles

BATCH = 2000


def update(article_ids: Iterable[int]) -> int:
    """Bring the documents of ``article_ids`` up to date; return how many are searchable.

    Idempotent: an article that is no longer live and public loses its document, one that
    is gets it rewritten from its live revision, however often this runs.
    """
    ids = sorted(set(article_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        documents = _documents(published_articles().filter(pk__in=chunk))
        with transaction.atomic():
            # Delete then insert: the triggers keep FTS5 in step on both.
            SearchDocument.objects.filter(article_id__in=chunk).delete()
            SearchDocument.objects.bulk_create(documents, batch_size=500)
            search_engines.current().after_write(documents)
        written += len(documents)
    if ids:
        # Cached results are keyed by the page cache's generation (search.py), and the
        # publish that queued this moved it before these rows existed: move it again, or a
        # search made in between would keep answering without this article.
        transaction.on_commit(lambda: pagecache.invalidate([]))
    return written


def fill_missing(*, limit: int = BATCH) -> int:
    """Index up to ``limit`` live, public articles that have no document yet; how many.

    Run by the scheduler every minute (``search_sweep``): an install upgraded to a version
    with this index fills it by itself (2,000 a minute; ``rebuild_search_index`` does it at
    once), and an article whose indexing task was lost (a worker's queue emptied, Redis
    restarted) is found within a minute.
    """
    indexed = SearchDocument.objects.filter(article_id=OuterRef("pk"))
    missing = list(
        published_articles()
        .exclude(Exists(indexed))
        .order_by("-pk")
        .values_list("pk", flat=True)[:limit]
    )
    return update(missing) if missing else 0


def rebuild() -> int:
    """Rewrite every document from the live, public articles; return how many there are."""
    ids = list(published_articles().order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        SearchDocument.objects.exclude(article_id__in=ids).delete()
    written = update(ids)
    search_engines.current().rebuild()
    return written


def _documents(articles: Iterable[ArticlePage]) -> list[SearchDocument]:
    rows = list(
        articles.order_by("pk").values_list(
            "pk",
            "title",
            "standfirst",
            "body",
            "path",
            "kind",
            "members_only",
            "first_published_at",
            "locale__language_code",
        )
    )
    ids = [row[0] for row in rows]
    steplen = ArticlePage.steplen
    parents = dict(
        Page.objects.filter(path__in={row[4][:-steplen] for row in rows}).values_list("path", "pk")
    )
    people: dict[int, list[str]] = defaultdict(list)
    for model in (ArticleByline, ArticleSubject):
        for pk, name in (
            model.objects.filter(page_id__in=ids)
            .order_by("page_id", "sort_order")
            .values_list("page_id", "contributor__name")
        ):
            people[pk].append(name)
    return [
        SearchDocument(
            article_id=pk,
            language=language,
            section_id=parents.get(path[:-steplen], 0),
            kind=kind,
            published_at=published,
            members_only=members_only,
            headline=title,
            standfirst=standfirst,
            body=" ".join(plain_body(body.raw_data).split()),
            people=", ".join(people[pk]),
        )
        for pk, title, standfirst, body, path, kind, members_only, published, language in rows
    ]
