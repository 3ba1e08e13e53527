#!/usr/bin/env python3
"""Invalidation benchmark: one publish at 10,000 articles, with every article page cached.

Serves a synthetic corpus with ``masthead serve --workers 2`` (embedded SQLite, file page
cache) on 127.0.0.1, requests every live article page until it is cached, then publishes
one new article from *another process* (``masthead manage shell``, the way a scheduled
publish or the worker would) and reports:

- the share of article pages that are still plain cache hits on the next request
  (target: at least 95 %), and how many of them show the new article in their
  latest-news box (a page-cache hole) and in their related-posts box (another hole);
- for home, the new article's section, topics and contributor pages and their feeds, the
  site feeds and the sitemap: what the first request after the publish got (``STALE`` is
  the old copy, served at once while that request's worker re-renders the page) and
  whether the next request shows the new article.

See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from pages import SERVICE_VARIABLES, Bench, fetch  # noqa: E402

CORPUS = """
import json
from masthead.newsroom.models import ArticlePage, ArticleTopic
articles = ArticlePage.objects.live().public().select_related("locale")
urls = [page.url for page in articles.iterator()]
# The new article looks like the latest English one: same section, topics and writer.
model = (
    articles.filter(locale__language_code="en")
    .exclude(slug__startswith="bench-breaking-news")  # an earlier run's
    .order_by("-first_published_at")
    .first()
)
section = model.get_parent().specific
rows = ArticleTopic.objects.filter(content_object=model).select_related("tag")
topics = [[row.tag.name, row.tag.slug] for row in rows]
writer = model.bylines.first().contributor
print("BENCH " + json.dumps({
    "urls": urls,
    "section": section.url,
    "section_slug": section.slug,
    "section_id": section.pk,
    "topics": topics,
    "writer": writer.slug,
    "writer_id": writer.pk,
}))
"""

PUBLISH = """
import json
from masthead.newsroom import services
from masthead.newsroom.models import Contributor, SectionPage
article = services.create_article(
    section=SectionPage.objects.get(pk=__SECTION__),
    draft=services.ArticleDraft(
        title=__TITLE__,
        slug=__SLUG__,
        standfirst="A piece published during the invalidation benchmark.",
        topics=__TOPICS__,
        bylines=[Contributor.objects.get(pk=__WRITER__)],
    ),
)
print("BENCH " + json.dumps({"url": article.url}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000, help="corpus size (10000)")
    parser.add_argument(
        "--data-dir", help="reuse this data folder (built by `masthead demo --articles N`)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent requests (4)")
    parser.add_argument(
        "--sample",
        type=int,
        default=0,
        help="cache and check only N article pages picked at random (0: all of them)",
    )
    parser.add_argument(
        "--stale-seconds",
        type=int,
        nargs="+",
        default=[30, 0],
        help="MASTHEAD_PAGE_CACHE_STALE_SECONDS of each round, one publish per round (30 0)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--masthead", default=str(REPO / ".venv" / "bin" / "masthead"))
    args = parser.parse_args()
    args.search = ""  # Bench's settings that this benchmark does not use
    if not Path(args.masthead).exists():
        parser.error(f"no masthead command at {args.masthead}: run `make install` first")

    workdir = Path(tempfile.mkdtemp(prefix="masthead-bench-inval-"))
    data = Path(args.data_dir) if args.data_dir else workdir / "data"
    try:
        run(args, data, workdir)
    finally:
        if args.keep and not args.data_dir:
            print(f"\nKept: the data folder {data}")
        elif not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, data: Path, workdir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env |= {
        "MASTHEAD_DATA_DIR": str(data),
        "MASTHEAD_ENV": "development",
        "MASTHEAD_DEBUG": "false",
        "MASTHEAD_LOG_LEVEL": "ERROR",
    }
    bench = Bench(args, env, workdir / "logs")
    if not args.data_dir:
        bench.build(args.articles)
    else:
        bench.masthead("manage", "collectstatic", "--noinput", "--verbosity", "0")
    # An empty page cache: every figure below is about this run's pages.
    shutil.rmtree(data / "cache" / "pages", ignore_errors=True)
    corpus = shell(bench, CORPUS)
    urls = corpus["urls"]
    print(f"{len(urls)} live articles; the new one goes to {corpus['section']}", flush=True)
    if 0 < args.sample < len(urls):
        urls = random.Random(0).sample(urls, args.sample)
        print(f"Caching and checking a random sample of {len(urls)} of them", flush=True)

    watched = watched_urls(corpus)
    first_run = True
    for stale_seconds in args.stale_seconds:
        bench.env["MASTHEAD_PAGE_CACHE_STALE_SECONDS"] = str(stale_seconds)
        with bench.serve(cache=True) as base:
            print(
                f"\n=== MASTHEAD_PAGE_CACHE_STALE_SECONDS={stale_seconds} "
                f"({'stale-while-revalidate' if stale_seconds else 'readers wait for the render'})",
                flush=True,
            )
            started = time.monotonic()
            if first_run:
                sweep(base, urls, args.clients)
            warm = sweep(base, urls, args.clients)
            for url in watched:
                fetch(base + url)
                fetch(base + url)
            print(
                f"{len(urls)} article pages cached ({time.monotonic() - started:.0f} s); "
                f"before the publish: {share(warm, 'HIT')} hits "
                f"(X-Cache {dict(Counter(r['cache'] for r in warm))}; a page expires after "
                f"MASTHEAD_PAGE_CACHE_SECONDS, 600 s: a later round renders them again first)",
                flush=True,
            )
            publish_and_check(bench, base, corpus, urls, watched, args, stale_seconds)
        first_run = False


def publish_and_check(
    bench: Bench,
    base: str,
    corpus: dict,
    urls: list[str],
    watched: list[str],
    args: argparse.Namespace,
    stale_seconds: int,
) -> None:
    stamp = int(time.time())
    title = f"Breaking news from the invalidation bench {stamp}"
    code = (
        PUBLISH.replace("__SECTION__", str(corpus["section_id"]))
        .replace("__TITLE__", json.dumps(title))
        .replace("__SLUG__", json.dumps(f"bench-breaking-news-{stamp}"))
        .replace("__TOPICS__", json.dumps([name for name, _slug in corpus["topics"]]))
        .replace("__WRITER__", str(corpus["writer_id"]))
    )
    new_url = shell(bench, code)["url"]
    print(f"Published {new_url} from another process", flush=True)

    print("\nPages that must show it: the first request after the publish, then requests")
    print("one after another until one shows it (a stale page is re-rendered by the worker")
    print("that served the first request; meanwhile readers get the stale copy):")
    print(f"  {'page':46} {'first':>6} {'shows':>6} {'requests':>9} {'seconds':>8}")
    all_shown = True
    for url in watched:
        started = time.monotonic()
        first = fetch(base + url)
        response, tries = first, 1
        while not shows(response[2], title, new_url) and time.monotonic() - started < 60:
            time.sleep(0.05)
            response, tries = fetch(base + url), tries + 1
        shown = shows(response[2], title, new_url)
        all_shown &= shown
        print(
            f"  {url:46} {first[1].get('X-Cache', '-'):>6} {yes(shows(first[2], title, new_url)):>6}"
            f" {tries if shown else 'never':>9} {time.monotonic() - started:>8.2f}"
        )

    after = sweep(base, [u for u in urls if u != new_url], args.clients, title=title)
    english = [r for r in after if r["url"].startswith("/en/")]
    print("\nEvery cached article page, once, after the publish:")
    print(f"  X-Cache: {dict(Counter(r['cache'] for r in after))}")
    print(f"  still hits: {share(after, 'HIT')} (target >= 95 %)")
    print(
        f"  English pages whose latest-news box shows it: "
        f"{sum(r['latest'] for r in english)} of {len(english)}"
    )
    print(
        f"  pages whose related-posts box shows it: {sum(r['related'] for r in after)}"
        f" (articles sharing a topic or writer; the box is refreshed, the page is a hit)"
    )
    print(f"  every page that must show it came to show it: {yes(all_shown)}")


def shows(body: bytes, title: str, url: str) -> bool:
    return title.encode() in body or f"{url}</loc>".encode() in body


def watched_urls(corpus: dict) -> list[str]:
    section, writer = corpus["section_slug"], corpus["writer"]
    urls = ["/en/", corpus["section"], "/en/feeds/rss/", "/en/feeds/atom/"]
    urls += [f"/en/feeds/sections/{section}/rss/", f"/en/contributors/{writer}/"]
    urls += [f"/en/feeds/contributors/{writer}/rss/"]
    for _name, topic in corpus["topics"]:
        urls += [f"/en/topics/{topic}/", f"/en/feeds/topics/{topic}/rss/"]
    urls.append("/sitemap-pages.xml")
    return urls


def sweep(base: str, urls: list[str], clients: int, *, title: str = "") -> list[dict]:
    def one(url: str) -> dict:
        status, headers, body = fetch(base + url)
        latest = related = False
        if title and b'id="latest-heading"' in body:
            latest = title.encode() in body[body.index(b'id="latest-heading"') :]
        if title and b'id="related-heading"' in body:
            start = body.index(b'id="related-heading"')
            related = title.encode() in body[start : body.index(b"</section>", start)]
        return {
            "url": url,
            "status": status,
            "cache": headers.get("X-Cache", "-"),
            "latest": latest,
            "related": related,
        }

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, urls))


def shell(bench: Bench, code: str) -> dict:
    output = bench.masthead("manage", "shell", "-c", code, cache=True, timeout=600)
    line = next(x for x in output.splitlines() if x.startswith("BENCH "))
    return json.loads(line.removeprefix("BENCH "))


def share(results: list[dict], cache: str) -> str:
    count = sum(1 for r in results if r["cache"] == cache)
    return f"{count} of {len(results)} ({100 * count / max(1, len(results)):.1f} %)"


def yes(value: bool) -> str:
    return "yes" if value else "no"


if __name__ == "__main__":
    main()
