"""Runs inside Masthead's Django (``masthead manage shell``) for ``bench/pages.py``.

Two modes, chosen by the BENCH_PROBE environment variable:

- ``info``: prints one line ``BENCH {json}``: the URLs to measure (the flagship interview,
  home, its section, the busiest topic and contributor), a sample of article URLs for the
  mixed-request run, the flagship's body as Masthead renders it (the bare page shows it),
  and the SQL queries each page runs (Django test client, page cache off, second request).
- ``renditions``: makes every rendition the corpus's pages show (each image in each role it
  plays, the demo articles' body figures), as the publish tasks would have in production:
  the bulk load enqueues none, and without this the bench would time AVIF encoding on the
  first view of each picture instead of page renders. Then every article's related list
  (``rebuild_related``), also a publish task's work, and prints how long that took.
- ``publish``: for every line read on stdin, publishes one new article in the flagship's
  section through Wagtail's own path (a copy of an existing article saved as a draft, then
  ``save_revision().publish()``, what the editor's Publish button does) and prints
  ``PUBLISHED <url>``.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import uuid

from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from taggit.models import Tag
from wagtail.models import Locale, Page

from masthead.newsroom.models import ArticleByline, ArticlePage, ArticleTopic, Contributor

FLAGSHIP_SLUG = "the-altitude-of-power"
SAMPLE = 3000  # article URLs for the mixed-request run
DEMO_ARTICLES = 100  # more than the demo publication has, fewer than any synthetic run


def flagship() -> ArticlePage:
    return ArticlePage.objects.get(slug=FLAGSHIP_SLUG, locale__language_code="en")


def info(search: str) -> dict:
    english = Locale.objects.get(language_code="en")
    article = flagship()
    busiest_contributor = (
        ArticleByline.objects.filter(contributor__locale=english)
        .values("contributor_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    contributor = Contributor.objects.get(pk=busiest_contributor["contributor_id"])
    busiest_tag = (
        ArticleTopic.objects.values("tag_id").annotate(n=Count("id")).order_by("-n").first()
    )
    topic = Tag.objects.get(pk=busiest_tag["tag_id"])
    with translation.override("en"):
        urls = {
            "article": article.url,
            "home": article.get_parent().get_parent().url,
            "section": article.get_parent().url,
            "topic": reverse("discovery:topic", kwargs={"slug": topic.slug}),
            "contributor": reverse("discovery:contributor", kwargs={"slug": contributor.slug}),
            "feed": reverse("discovery:feed_rss"),
            "search": reverse("discovery:search") + "?q=" + search,
        }
    live = ArticlePage.objects.live().filter(locale=english)
    ids = list(live.values_list("pk", flat=True))
    sample = random.Random(1).sample(ids, min(SAMPLE, len(ids)))
    client = Client(HTTP_HOST="127.0.0.1")
    queries = {}
    with override_settings(PAGE_CACHE_ENABLED=False):
        for name, url in urls.items():
            first = client.get(url)
            with CaptureQueriesContext(connection) as captured:
                again = client.get(url)
            if first.status_code != 200 or again.status_code != 200:
                raise RuntimeError(f"{url} answered {again.status_code}")
            queries[name] = len(captured)
    return {
        "urls": urls,
        "listings": [
            *(s.url for s in article.get_parent().get_parent().get_children().live()),
        ],
        "sample": [page.url for page in Page.objects.filter(pk__in=sample)],
        "articles": live.count(),
        "queries": queries,
        "flagship": {
            "title": article.title,
            "slug": article.slug,
            "standfirst": article.standfirst,
            "body": str(article.body),
        },
    }


def publish_forever() -> None:
    article = flagship()
    section = article.get_parent()
    source = ArticlePage.objects.child_of(section).exclude(pk=article.pk).order_by("-pk").first()
    print("READY", flush=True)
    for number, _line in enumerate(sys.stdin, start=1):
        copy = source.copy(
            to=section,
            update_attrs={
                "title": f"Breaking: bench publish {number}",
                "slug": f"bench-publish-{uuid.uuid4().hex[:12]}",
                "live": False,
            },
            keep_live=False,
        )
        copy.specific.save_revision().publish()
        print(f"PUBLISHED {copy.url}", flush=True)


def make_renditions() -> None:
    from wagtail.images import get_image_model

    from masthead.newsroom import renditions

    made = sum(renditions.make_for_image(image) for image in get_image_model().objects.all())
    # The demo's own articles (the first ones) carry the figures; synthetic ones reuse heroes.
    for article in ArticlePage.objects.live().order_by("pk")[:DEMO_ARTICLES]:
        made += renditions.make_for_article(article)
    print(f"RENDITIONS {made}", flush=True)


def make_related_lists() -> None:
    """Every article's stored related list, as the publish tasks leave them in production
    (the bulk load runs none): without them every article page would fall back to
    "shares a topic or a person, newest first", a query the engine's lists replace."""
    from masthead.discovery import services

    started = time.monotonic()
    services.rebuild_related()
    print(f"RELATED {time.monotonic() - started:.1f}", flush=True)


if __name__ == "__main__":
    if os.environ["BENCH_PROBE"] == "info":
        print("BENCH " + json.dumps(info(os.environ.get("BENCH_SEARCH", "Merrow"))), flush=True)
    elif os.environ["BENCH_PROBE"] == "renditions":
        make_renditions()
        make_related_lists()
    else:
        publish_forever()
