"""Synthetic articles for benchmarks: thousands of live, searchable pages in minutes.

Publishing through Wagtail costs about a tenth of a second a page (tree locks, revisions,
signals), so 10,000 pages would take the better part of an hour. Here rows are written in
bulk, one transaction per batch: the ``wagtailcore_page`` rows with their materialized
paths computed here, then the ``newsroom_articlepage`` rows (Django's ``bulk_create``
refuses multi-table inheritance, so a plain ``executemany``), bylines, topics, the section's
``numchild`` and finally the search index.

The pages have no revisions: Wagtail serves a live page without one, and the admin edits
it from the page itself. Every run adds ``count`` more articles under fresh slugs.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Page

from masthead.demo import loader, search_index
from masthead.demo.content import wordbank
from masthead.demo.content.publication import PEOPLE
from masthead.demo.writer import SyntheticArticle, Writer
from masthead.lib import pagecache
from masthead.newsroom.models import (
    ArticleByline,
    ArticlePage,
    ArticleTopic,
    Contributor,
    SectionPage,
)

# Articles per transaction. Large, because every batch ends with one bulk call to the
# search index, and Wagtail's database backends then scan the whole index table (the title
# norms refresh: an average over every entry, an update of the new ones): at 500 a batch,
# a 100,000-article build scanned it 200 times, 0.2 s each at 14,000 entries and growing.
BATCH_SIZE = 5000
# Synthetic pieces are dated before the demo's own, so the front page still opens on them.
OLDEST_DAYS, NEWEST_DAYS = 1100, 130


@dataclass
class _Target:
    """What every batch needs to know about the demo it adds to."""

    sections: list[SectionPage]
    contributor_ids: list[int]
    heroes: list[tuple[int, str]]
    tag_ids: dict[str, int]
    content_type_id: int


def generate_articles(
    count: int,
    *,
    seed: int | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> list[int]:
    """Add ``count`` live English articles to the demo's sections; return their ids.

    Each batch is its own transaction, so an interrupted run keeps whole batches only.
    Requires the demo publication (``loader.load_publication``).
    """
    home = loader.demo_home()
    if home is None:
        raise ValueError("Load the demo publication before generating articles.")
    target = _target(home)
    taken = set(
        Page.objects.filter(path__startswith=home.path, depth=home.depth + 2).values_list(
            "slug", flat=True
        )
    )
    # Seeded by the archive's size, so a second run writes different articles.
    writer = Writer(random.Random(len(taken) if seed is None else seed), taken)  # noqa: S311
    now = timezone.now()
    ids: list[int] = []
    while len(ids) < count:
        articles = [writer.article() for _ in range(min(batch_size, count - len(ids)))]
        ids.extend(_insert_batch(articles, target=target, rng=writer.rng, now=now))
        if progress is not None:
            progress(len(ids), count)
    pagecache.invalidate_all()  # bulk inserts send no signals
    if connection.vendor == "postgresql":
        # What PostgreSQL's manual asks after a bulk load: planner statistics for the tables
        # just filled. Autovacuum may be off or not yet round; planned without them, a
        # search at 100,000 articles took 98 ms at the median instead of 29 (bench/search.py).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return ids


def _target(home: Page) -> _Target:
    slugs = [person.slug for person in PEOPLE if not person.members]
    contributor_ids = list(
        Contributor.objects.filter(locale=home.locale, slug__in=slugs)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # The demo's own pictures, with the alt text written for them; distinct, because
    # earlier synthetic articles reuse them.
    heroes = sorted(
        set(
            ArticlePage.objects.descendant_of(home)
            .filter(hero_image__isnull=False)
            .values_list("hero_image_id", "hero_alt")
        )
    )
    tag_ids = {}
    for name in wordbank.TOPICS:
        tag = Tag.objects.filter(name=name).first() or Tag.objects.create(name=name)
        tag_ids[name] = tag.pk
    return _Target(
        sections=list(SectionPage.objects.child_of(home).order_by("path")),
        contributor_ids=contributor_ids,
        heroes=heroes,
        tag_ids=tag_ids,
        content_type_id=ContentType.objects.get_for_model(ArticlePage).pk,
    )


@transaction.atomic(durable=True)
def _insert_batch(
    articles: list[SyntheticArticle], *, target: _Target, rng: random.Random, now: dt.datetime
) -> list[int]:
    placed = [(article, rng.choice(target.sections)) for article in articles]
    next_step = {section.pk: _last_step(section) for section in target.sections}
    pages, extra = [], []
    for article, section in placed:
        next_step[section.pk] += 1
        published = now - dt.timedelta(days=rng.uniform(NEWEST_DAYS, OLDEST_DAYS))
        pages.append(
            Page(
                path=section.path + _step(next_step[section.pk]),
                depth=section.depth + 1,
                numchild=0,
                translation_key=uuid.uuid4(),
                locale_id=section.locale_id,
                live=True,
                has_unpublished_changes=False,
                first_published_at=published,
                last_published_at=published,
                title=article.title,
                draft_title=article.title,
                slug=article.slug,
                content_type_id=target.content_type_id,
                url_path=f"{section.url_path}{article.slug}/",
                show_in_menus=False,
                search_description=article.standfirst[:250],
            )
        )
        hero = rng.choice(target.heroes) if target.heroes else (None, "")
        updated = published + dt.timedelta(days=rng.randint(1, 20)) if rng.random() < 0.1 else None
        extra.append((article, hero, updated))
    Page.objects.bulk_create(pages)
    _insert_article_rows(pages, extra)
    ArticleByline.objects.bulk_create(
        ArticleByline(page_id=page.pk, contributor_id=contributor_id, sort_order=order)
        for page in pages
        for order, contributor_id in enumerate(
            rng.sample(target.contributor_ids, 2 if rng.random() < 0.15 else 1)
        )
    )
    ArticleTopic.objects.bulk_create(
        ArticleTopic(content_object_id=page.pk, tag_id=target.tag_ids[topic])
        for page, (article, _hero, _updated) in zip(pages, extra, strict=True)
        for topic in article.topics
    )
    for section in target.sections:
        added = sum(1 for _article, placed_in in placed if placed_in.pk == section.pk)
        if added:
            Page.objects.filter(pk=section.pk).update(numchild=F("numchild") + added)
    ids = [page.pk for page in pages]
    _index(ids)
    return ids


def _last_step(section: SectionPage) -> int:
    """The position of the section's last child; children may have gaps, so not numchild."""
    last = (
        Page.objects.filter(path__startswith=section.path, depth=section.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return int(last[-Page.steplen :], 36) if last else 0


def _step(position: int) -> str:
    """One treebeard path step: ``position`` in base 36, zero-padded to ``steplen``."""
    digits = ""
    while position:
        position, remainder = divmod(position, 36)
        digits = Page.alphabet[remainder] + digits
    if len(digits) > Page.steplen:
        raise OverflowError("A section cannot hold more than 36**4 - 1 articles.")
    return digits.rjust(Page.steplen, Page.alphabet[0])


def _insert_article_rows(pages: list[Page], extra: list[tuple]) -> None:
    fields = ArticlePage._meta.local_concrete_fields
    table = connection.ops.quote_name(ArticlePage._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = []
    for page, (article, (hero_id, hero_alt), updated) in zip(pages, extra, strict=True):
        values = {
            "page_ptr_id": page.pk,
            "standfirst": article.standfirst,
            "kind": article.kind,
            "hero_image_id": hero_id,
            "hero_alt": hero_alt,
            "hero_credit": "The Long Table" if hero_id else "",
            "hero_caption": "",
            "body": [_paragraph(text) for text in article.paragraphs],
            "updated_at": updated,
            "syndication_name": "",
            "syndication_url": "",
            "subject_note": "",
        }
        # get_db_prep_save adapts each value as the ORM would (JSON for the body,
        # datetimes for the backend), so the same rows work on SQLite and PostgreSQL.
        # Fields added to ArticlePage later get their defaults.
        rows.append(
            [
                field.get_db_prep_save(
                    values[field.attname] if field.attname in values else field.get_default(),
                    connection,
                )
                for field in fields
            ]
        )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608 (names from model meta)
            rows,
        )


def _paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>", "id": str(uuid.uuid4())}


def _index(ids: list[int]) -> None:
    """Add the new pages to the search index in one bulk call, as ``update_index`` does."""
    pages = list(
        ArticlePage.objects.filter(pk__in=ids).prefetch_related(
            "bylines__contributor", "subjects__contributor"
        )
    )
    search_index.add_now(ArticlePage, pages)
