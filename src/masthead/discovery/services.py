"""Writes of discovery: the stored related lists (issue 12 §1).

``rebuild_related`` fits every language's index afresh and rewrites every list;
``update_related`` takes the articles that were published, edited, unpublished or deleted
and rewrites only the lists that change. Both run in the worker (tasks.py) and, when done,
send ``signals.related_lists_changed`` with the ids whose list changed, on commit.

A list is the engine's ranking in the article's language, merged with the translations
into that language of what its translations are related to (a Spanish article inherits
the Spanish versions of its English original's neighbours), then the editors' choices:
pins first, exclusions never.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from masthead.discovery import related_index, relatedness
from masthead.discovery.models import RelatedChoice, RelatedList
from masthead.discovery.plaintext import plain_body as _plain
from masthead.discovery.signals import related_lists_changed
from masthead.newsroom.models import ArticleByline, ArticlePage, ArticleSubject, ArticleTopic
from masthead.newsroom.queries import published_articles

_SECONDS_PER_DAY = 86400.0


def _docs(
    ids: Iterable[int] | None = None, *, language: str | None = None
) -> dict[str, list[relatedness.Doc]]:
    """Published articles as the engine's documents, by language (all, or of ``ids``)."""
    pages = published_articles()
    if ids is not None:
        pages = pages.filter(pk__in=list(ids))
    if language is not None:
        pages = pages.filter(locale__language_code=language)
    rows = list(
        pages.order_by("pk").values_list(
            "pk",
            "title",
            "standfirst",
            "body",
            "path",
            "first_published_at",
            "locale__language_code",
        )
    )
    tags: dict[int, list[str]] = defaultdict(list)
    found = [row[0] for row in rows]
    for start in range(0, len(found), 5000):
        chunk = found[start : start + 5000]
        for pk, slug in ArticleTopic.objects.filter(content_object_id__in=chunk).values_list(
            "content_object_id", "tag__slug"
        ):
            tags[pk].append(f"topic:{slug}")
        for model in (ArticleByline, ArticleSubject):
            for pk, key in model.objects.filter(page_id__in=chunk).values_list(
                "page_id", "contributor__translation_key"
            ):
                tags[pk].append(f"person:{key}")
    docs: dict[str, list[relatedness.Doc]] = defaultdict(list)
    for pk, title, standfirst, body, path, published, language in rows:
        docs[language].append(
            relatedness.Doc.of(
                id=pk,
                headline=title,
                text=f"{standfirst}\n{_plain(body.raw_data)}",
                tags=tags[pk],
                # The parent's tree path names the section without another query.
                section=zlib.crc32(path[: -ArticlePage.steplen].encode()),
                day=published.timestamp() / _SECONDS_PER_DAY if published else 0.0,
            )
        )
    return docs


def rebuild_related() -> list[int]:
    """Fit every language's index from scratch and rewrite every stored list.

    Deterministic: the same published articles give the same lists. Returns the ids
    whose stored list changed.
    """
    with related_index.locked():
        rankings: dict[int, relatedness.Ranking] = {}
        docs = _docs()
        for language, language_docs in docs.items():
            index = relatedness.fit(language, language_docs)
            ranked = index.rank([doc.id for doc in language_docs])
            index.keep(ranked)
            related_index.save_fitted(index)
            rankings.update(ranked)
        for language in set(related_index.languages()) - set(docs):
            related_index.save_fitted(relatedness.fit(language, []))
        return _store(rankings, everything=True)


def update_related(article_ids: Iterable[int]) -> list[int]:
    """Bring the lists up to date after ``article_ids`` were published, edited or removed.

    Only the lists that change are rewritten; a language whose index is missing or has
    changed much since it was fitted is refitted instead. Returns the ids whose stored
    list changed.
    """
    article_ids = sorted(set(article_ids))
    with related_index.locked():
        docs = _docs(article_ids)
        live = {doc.id for language_docs in docs.values() for doc in language_docs}
        gone = [pk for pk in article_ids if pk not in live]
        rankings: dict[int, relatedness.Ranking] = {}
        for language in sorted(set(related_index.languages()) | set(docs)):
            index = related_index.load(language)
            added = docs.get(language, [])
            removed = [pk for pk in gone if index is not None and pk in index]
            if not added and not removed:
                continue
            if index is None or index.stale:
                every = _docs(language=language)
                index = relatedness.fit(language, every.get(language, []))
                ranked = index.rank(list(index.rows))
                index.keep(ranked)
                related_index.save_fitted(index)
                changed = list(ranked)
            else:
                changed = index.update(added=added, removed=removed)
                related_index.save_changes(index, added=added, removed=removed)
            rankings.update({pk: index.kept(pk) for pk in changed if pk in index})
        return _store(rankings, removed=gone)


def apply_choices(article_id: int) -> list[int]:
    """Rewrite one article's list after an editor changed its pins or exclusions."""
    with related_index.locked():
        language = (
            ArticlePage.objects.filter(pk=article_id)
            .values_list("locale__language_code", flat=True)
            .first()
        )
        index = related_index.load(language) if language else None
        if index is None or article_id not in index:
            return []
        return _store({article_id: index.kept(article_id)})


def _store(
    rankings: dict[int, relatedness.Ranking],
    *,
    removed: Iterable[int] = (),
    everything: bool = False,
) -> list[int]:
    """Write the lists of ``rankings`` (and of their translations); return what changed."""
    owners = set(rankings) | _translations_of(rankings)
    members = {other for ranking in rankings.values() for other in ranking.ids}
    articles = _Articles(owners | members, everything=everything)
    choices = _choices(owners)
    lists = {pk: _assemble(pk, rankings, articles, choices) for pk in sorted(owners)}
    changed = []
    with transaction.atomic():
        stale = RelatedList.objects.filter(article_id__in=list(removed))
        if everything:
            stale = RelatedList.objects.exclude(article_id__in=list(lists))
        changed.extend(stale.values_list("article_id", flat=True))
        stale.delete()
        before = dict(
            RelatedList.objects.filter(article_id__in=list(lists)).values_list(
                "article_id", "article_ids"
            )
        )
        now = timezone.now()
        fresh = [
            RelatedList(article_id=pk, article_ids=ids, computed_at=now)
            for pk, ids in lists.items()
        ]
        written = [row for row in fresh if before.get(row.article_id) != row.article_ids]
        # Rewritten as delete and insert, in this one transaction: Django's bulk_update
        # sends a CASE with a branch per row, which the database tries row by row, so
        # rewriting 100,000 lists took 150 s more than writing them afresh (bench/related.py).
        RelatedList.objects.filter(
            article_id__in=[row.article_id for row in written if row.article_id in before]
        ).delete()
        RelatedList.objects.bulk_create(written, batch_size=2000)
        changed.extend(row.article_id for row in written)
        changed = sorted(set(changed))
        transaction.on_commit(
            lambda: related_lists_changed.send(sender=RelatedList, article_ids=changed)
        )
    return changed


def _choices(owners: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    """The editors' pins and exclusions in ``owners``' lists, of published articles only."""
    rows = list(
        RelatedChoice.objects.filter(article_id__in=list(owners)).values_list(
            "article_id", "other_id", "action"
        )
    )
    # Checked for the few articles chosen, not joined: joining every published article
    # was most of one publish's update at 100,000 articles.
    published = set(
        published_articles()
        .filter(pk__in={other for _pk, other, _action in rows})
        .values_list("pk", flat=True)
    )
    choices: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, other, action in rows:
        if other in published:
            choices[pk].append((other, action))
    return choices


class _Articles:
    """Language and translation key of the published articles a batch of lists needs."""

    def __init__(self, ids: Iterable[int], *, everything: bool = False) -> None:
        rows = published_articles()
        if not everything:
            # The articles and their translations, by key: one index lookup per key, where
            # "id in … or key in …" made SQLite read the whole page table (900 ms).
            keys = set(
                ArticlePage.objects.filter(pk__in=list(ids)).values_list(
                    "translation_key", flat=True
                )
            )
            rows = rows.filter(translation_key__in=keys)
        self.meta = {
            pk: (locale, key)
            for pk, locale, key in rows.values_list("pk", "locale_id", "translation_key")
        }
        self.by_key = defaultdict(dict)
        for pk, (locale, key) in self.meta.items():
            self.by_key[key][locale] = pk

    def translations(self, pk: int) -> list[int]:
        locale, key = self.meta[pk]
        return [other for loc, other in sorted(self.by_key[key].items()) if loc != locale]

    def in_locale(self, pk: int, locale: int) -> int | None:
        found = self.meta.get(pk)
        return None if found is None else self.by_key[found[1]].get(locale)


def _translations_of(ids: Iterable[int]) -> set[int]:
    keys = ArticlePage.objects.filter(pk__in=list(ids)).values("translation_key")
    return set(published_articles().filter(translation_key__in=keys).values_list("pk", flat=True))


def _assemble(
    pk: int,
    rankings: dict[int, relatedness.Ranking],
    articles: _Articles,
    choices: dict[int, list[tuple[int, str]]],
) -> list[int]:
    """One article's list: its ranking, what its translations bring, then pins/exclusions."""
    if pk not in articles.meta:
        return []
    locale = articles.meta[pk][0]
    scores: dict[int, float] = {}
    own = rankings.get(pk) or _kept(pk)
    for other, score in zip(own.ids, own.scores, strict=True):
        scores[other] = score
    # The neighbours of this article's translations, in this article's language.
    for source in articles.translations(pk):
        theirs = rankings.get(source) or _kept(source)
        for other, score in zip(theirs.ids, theirs.scores, strict=True):
            translated = articles.in_locale(other, locale)
            if translated is not None and translated != pk:
                scores[translated] = max(scores.get(translated, score), score)
    ranked = sorted(scores, key=lambda other: (-scores[other], other))
    pins = [other for other, action in choices.get(pk, []) if action == "pin"]
    excluded = {other for other, action in choices.get(pk, []) if action == "exclude"}
    rest = [o for o in ranked if o not in excluded and o not in pins and o != pk]
    return [*pins, *rest[: relatedness.KEEP]]


def _kept(pk: int) -> relatedness.Ranking:
    language = (
        ArticlePage.objects.filter(pk=pk).values_list("locale__language_code", flat=True).first()
    )
    index = related_index.load(language) if language else None
    if index is None or pk not in index:
        return relatedness.Ranking([], [])
    return index.kept(pk)
