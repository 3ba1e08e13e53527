#!/usr/bin/env python3
"""Related-posts benchmark: precision on labelled news, and speed at scale (issue 12 §1).

``bench/related.py CSV [--language en|es]``: imports a UTF-8 CSV with columns
``id,label,title,text`` as published articles (in a temporary data folder, on SQLite)
through the bulk path the synthetic archive uses (the same page and article rows, body
as paragraphs, the first paragraph as standfirst), runs ``rebuild_related`` (the service
``masthead manage rebuild_related`` calls), and prints precision@5 (the share of each
article's first five related items with its label, averaged over all articles) for the
engine's stored lists, a plain TF-IDF cosine (scikit-learn's defaults on title + text)
and random picks. The last line is ``precision@5 engine=… plain=… random=…``.

``bench/related.py --articles N``: the engine on N synthetic articles (the demo's text
writer): full fit and ranking time, the time of one incremental update (a new article
published into the fitted index), and peak memory.

``bench/related.py --data-dir DIR``: the same services end to end, database included, on
a data folder built by ``masthead demo --articles N`` (``bench/pages.py --keep`` leaves
one): ``rebuild_related`` (reading every article, fitting, ranking, writing every list),
then six new articles published one at a time, each followed by ``update_related`` as
the publish task runs it, and peak memory. The labelled corpora are read from
where they are (../shared/eval); nothing of them is copied. See bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

K = 5


def _django(data_dir: str, *, tasks: str = "immediate") -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "SEARCH_URL", "MASTHEAD_RELATED_INDEX_DIR"):
        os.environ.pop(name, None)
    os.environ["MASTHEAD_DATA_DIR"] = data_dir
    os.environ["MASTHEAD_TASK_BACKEND"] = tasks
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _rows(path: str) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"id", "label", "title", "text"} <= set(rows[0]):
        sys.exit(f"{path}: expected a CSV with columns id,label,title,text")
    return rows


def _import(rows: list[dict[str, str]], language: str) -> list[int]:
    """The rows as published articles of one section; their page ids, in row order."""
    import datetime as dt

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from wagtail.models import Page

    from masthead.demo import synthetic
    from masthead.demo.writer import SyntheticArticle
    from masthead.newsroom import services
    from masthead.newsroom.models import ArticleByline, ArticlePage

    locale = services.ensure_locales([language])[language]
    home = services.create_home(title="Bench", slug=f"bench-{language}", locale=locale)
    section = services.create_section(home=home, title="News", slug="news")
    writer = services.create_contributor(name="Bench", slug="bench", locale=locale)
    target = synthetic._Target(
        sections=[section],
        contributor_ids=[writer.pk, writer.pk],
        heroes=[],
        tag_ids={},
        content_type_id=ContentType.objects.get_for_model(ArticlePage).pk,
    )
    rng = random.Random(0)
    now = timezone.now()
    ids: list[int] = []
    for start in range(0, len(rows), synthetic.BATCH_SIZE):
        batch = []
        for number, row in enumerate(rows[start : start + synthetic.BATCH_SIZE], start):
            paragraphs = [p.strip() for p in row["text"].split("\n") if p.strip()] or ["-"]
            # The standfirst holds 1,500 characters: a longer first paragraph goes on in
            # the body, so the article keeps every word of the row.
            cut = paragraphs[0].rfind(" ", 0, 1500) if len(paragraphs[0]) > 1500 else -1
            if cut > 0:
                paragraphs[:1] = [paragraphs[0][:cut], paragraphs[0][cut + 1 :]]
            batch.append(
                SyntheticArticle(
                    title=row["title"][:255] or "-",
                    slug=f"a{number}",
                    standfirst=paragraphs[0][:1500],
                    kind=ArticlePage.Kind.NEWS,
                    paragraphs=tuple(paragraphs[1:]),
                    topics=(),
                )
            )
        ids.extend(synthetic._insert_batch(batch, target=target, rng=rng, now=now))
    # The CSV has no bylines and no dates: none shared, one date for all (no recency).
    ArticleByline.objects.filter(page_id__in=ids).delete()
    Page.objects.filter(pk__in=ids).update(
        first_published_at=now - dt.timedelta(days=1), last_published_at=now
    )
    return ids


def _precision(lists: list[list[int]], labels: list[str]) -> float:
    hits = [sum(labels[j] == labels[i] for j in found[:K]) / K for i, found in enumerate(lists)]
    return sum(hits) / len(hits)


def _plain(rows: list[dict[str, str]]) -> list[list[int]]:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer().fit_transform(f"{r['title']} {r['text']}" for r in rows)
    lists = []
    for start in range(0, matrix.shape[0], 1000):
        similar = (matrix[start : start + 1000] @ matrix.T).toarray()
        for offset, scores in enumerate(similar):
            scores[start + offset] = -1
            lists.append([int(j) for j in np.argsort(-scores, kind="stable")[:K]])
    return lists


def corpus(args: argparse.Namespace) -> None:
    rows = _rows(args.csv)
    labels = [row["label"] for row in rows]
    with tempfile.TemporaryDirectory(prefix="masthead-related-") as data_dir:
        _django(data_dir)
        from masthead.discovery import services
        from masthead.discovery.models import RelatedList

        started = time.monotonic()
        ids = _import(rows, args.language)
        imported = time.monotonic() - started
        started, cpu = time.monotonic(), time.process_time()
        services.rebuild_related()
        rebuilt, rebuilt_cpu = time.monotonic() - started, time.process_time() - cpu
        row_of = {pk: i for i, pk in enumerate(ids)}
        stored = dict(RelatedList.objects.values_list("article_id", "article_ids"))
        engine = [[row_of[pk] for pk in stored.get(pk, [])] for pk in ids]
    rng = random.Random(0)
    chance = [rng.sample([j for j in range(len(rows)) if j != i], K) for i in range(len(rows))]
    print(f"articles={len(rows)} language={args.language}")
    print(f"import_s={imported:.1f} rebuild_s={rebuilt:.1f} rebuild_cpu_s={rebuilt_cpu:.1f}")
    print(f"peak_rss_mib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
    print(
        f"precision@5 engine={_precision(engine, labels):.3f} "
        f"plain={_precision(_plain(rows), labels):.3f} random={_precision(chance, labels):.3f}"
    )


def synthetic_scale(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="masthead-related-") as data_dir:
        _django(data_dir)
        from masthead.demo.writer import Writer
        from masthead.discovery import related_index, relatedness

        writer = Writer(random.Random(1), set())
        rng = random.Random(2)

        def doc(pk: int) -> relatedness.Doc:
            article = writer.article()
            return relatedness.Doc.of(
                id=pk,
                headline=article.title,
                text="\n".join([article.standfirst, *article.paragraphs]),
                tags=[f"topic:{t}" for t in article.topics] + [f"person:{rng.randrange(40)}"],
                section=rng.randrange(8),
                day=20_000 + rng.uniform(0, 1000),
            )

        started = time.monotonic()
        docs = [doc(pk) for pk in range(1, args.articles + 1)]
        words = sum(len(d.text.split()) for d in docs) / len(docs)
        generated = time.monotonic() - started
        started, cpu = time.monotonic(), time.process_time()
        index = relatedness.fit("en", docs)
        fitted = time.monotonic() - started
        index.keep(index.rank([d.id for d in docs]))
        full, full_cpu = time.monotonic() - started, time.process_time() - cpu
        started = time.monotonic()
        with related_index.locked():
            related_index.save_fitted(index)
        saved = time.monotonic() - started
        timings = []
        for pk in range(args.articles + 1, args.articles + 6):
            new = doc(pk)
            started = time.monotonic()
            # What update_related does around the database: rank, then record the delta.
            with related_index.locked():
                changed = index.update(added=[new])
                related_index.save_changes(index, added=[new], removed=[])
            timings.append(time.monotonic() - started)
        print(f"articles={args.articles} words_per_article={words:.0f} generate_s={generated:.1f}")
        print(f"full_rebuild_s={full:.1f} (fit {fitted:.1f}) cpu_s={full_cpu:.1f}")
        print(f"index_write_s={saved:.1f}")
        print(
            f"incremental_ms median={sorted(timings)[2] * 1000:.0f} "
            f"max={max(timings) * 1000:.0f} lists_changed_last={len(changed)}"
        )
        print(f"peak_rss_mib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


def existing_archive(args: argparse.Namespace) -> None:
    # Tasks are queued, not run: the bench times update_related itself, as the task would.
    _django(args.data_dir, tasks="database")
    from masthead.demo.writer import Writer
    from masthead.discovery import services
    from masthead.discovery.models import RelatedList
    from masthead.newsroom import services as newsroom
    from masthead.newsroom.models import ArticleByline, ArticlePage, SectionPage

    live = ArticlePage.objects.live().count()
    started, cpu = time.monotonic(), time.process_time()
    services.rebuild_related()
    full, full_cpu = time.monotonic() - started, time.process_time() - cpu
    print(f"articles={live} lists_stored={RelatedList.objects.count()}")
    print(f"full_rebuild_s={full:.1f} cpu_s={full_cpu:.1f} (database read and write included)")
    sections = list(SectionPage.objects.live().filter(locale__language_code="en"))
    byline = ArticleByline.objects.filter(page__locale__language_code="en").first().contributor
    writer, timings = Writer(random.Random(3), set()), []
    for number in range(6):
        text = writer.article()
        draft = newsroom.ArticleDraft(
            title=text.title,
            slug=f"bench-related-{number}-{random.Random().getrandbits(32):x}",
            standfirst=text.standfirst,
            body=[{"type": "paragraph", "value": f"<p>{p}</p>"} for p in text.paragraphs],
            bylines=[byline],
            topics=list(text.topics),
        )
        article = newsroom.create_article(section=sections[number % len(sections)], draft=draft)
        started = time.monotonic()
        changed = services.update_related([article.pk])
        timings.append(time.monotonic() - started)
    later = sorted(timings[1:])
    print(
        f"incremental_ms first={timings[0] * 1000:.0f} median_after={later[2] * 1000:.0f} "
        f"max_after={later[-1] * 1000:.0f} lists_changed_last={len(changed)}"
    )
    print(f"peak_rss_mib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", help="a CSV with columns id,label,title,text")
    parser.add_argument("--language", default="", help="the corpus language (en or es)")
    parser.add_argument("--articles", type=int, default=0, help="synthetic articles instead")
    parser.add_argument("--data-dir", help="an existing data folder (masthead demo --articles N)")
    args = parser.parse_args()
    if args.data_dir:
        if not (Path(args.data_dir) / "masthead.sqlite3").exists():
            parser.error(f"no masthead.sqlite3 in {args.data_dir}")
        existing_archive(args)
        return
    if args.articles:
        if args.articles < 10:
            parser.error("--articles must be at least 10")
        synthetic_scale(args)
        return
    if not args.csv:
        parser.error("give a CSV, or --articles N")
    if not args.language:
        # The eval folders are named after their language: bbc-news-en, elcomercio-es.
        args.language = "es" if Path(args.csv).stem.endswith("-es") else "en"
    corpus(args)


if __name__ == "__main__":
    main()
