"""Site search: ranked, filtered, highlighted, cached (issue 12 §2).

Whatever a reader types is reduced to plain words before it reaches an engine: SQLite
FTS5 and PostgreSQL's tsquery both give punctuation (``"``, ``*``, ``(``, ``&``, ``:``) a
meaning, so a stray quote was a 500 (DESIGN.md: bad input never is). The words are folded
(case and accents) and handed to the engine of this installation (``search_engines``),
which answers with one page of article ids and the total.

Results are cached until the next publish (the page cache's generation), keyed by the
folded words, the filters and the page, for readers who are not members: a member's
results may show members-only text in their snippets. Only articles live and public now
are shown, so one unpublished or restricted since it was indexed never is, whatever the
index says.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.core.cache import cache
from django.db.models import Q
from django.utils.safestring import SafeString
from wagtail.models import Locale

from masthead.discovery import search_engines, snippets
from masthead.lib import pagecache
from masthead.newsroom.bylines import join_names
from masthead.newsroom.models import ArticleByline, ArticlePage, Contributor
from masthead.newsroom.queries import public, published_articles

# Longer queries are cut, not refused: a pasted paragraph still finds its article.
MAX_QUERY_LENGTH = 200
# Every term is ANDed; past a dozen, a query only gets slower without getting narrower.
MAX_TERMS = 12
MAX_CONTRIBUTORS = 5
PER_PAGE = 10
# Results are kept until the next publish, or this long.
RESULTS_SECONDS = 600
# Words only: the backends quote each word, so AND, NOT or NEAR are searched as words.
_WORD = re.compile(r"\w+")


def clean_query(raw: str | None) -> str:
    """The query a reader typed, with control characters removed and length bounded.

    This is what the page shows back (escaped by the template), not what is searched.
    """
    if not raw:
        return ""
    printable = "".join(ch if ch.isprintable() else " " for ch in raw[: MAX_QUERY_LENGTH * 4])
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def search_terms(query: str) -> list[str]:
    """The words of ``query``: runs of letters, digits and underscores, at most MAX_TERMS."""
    return _WORD.findall(query)[:MAX_TERMS]


def folded_terms(query: str) -> tuple[str, ...]:
    """The words the engines search for: folded, each once, in the reader's order.

    A word may fold to nothing or to more than one word ("ﬁ" → "fi", "²" → "2"): only
    the word characters of the folded form are kept.
    """
    words = (
        part for term in search_terms(query) for part in _WORD.findall(search_engines.fold(term))
    )
    return tuple(dict.fromkeys(words))[:MAX_TERMS]


@dataclass(frozen=True)
class Result:
    article_id: int
    headline: SafeString
    snippet: SafeString
    # The frame's context (theme/cards.result_html), asked for only if it must be drawn.
    facts: Callable[[], dict[str, object]]


@dataclass(frozen=True)
class ResultPage:
    """One page of results: ``results`` shown, ``total`` matching."""

    results: list[Result]
    total: int
    number: int
    per_page: int = PER_PAGE
    capped: bool = False  # more than ``total`` match; only ``total`` were ranked

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


class TooManySearches(Exception):  # noqa: N818 (reads as what happened)
    """The reader's client has run too many searches the cache could not answer."""


def find(
    query: str,
    *,
    filters: search_engines.Query,
    page: int = 1,
    member: bool = False,
    may_run: Callable[[], bool] | None = None,
) -> ResultPage:
    """Page ``page`` of the live, public articles matching every word of ``query``, best first.

    ``filters`` carries the filters (its terms, offset and limit are set here). Members
    get snippets from members-only bodies; everyone else, from the standfirst only.
    ``may_run`` is asked before the engine runs (not for a cached answer); when it says
    no, ``TooManySearches`` is raised: the rate limit counts only work the engine does.
    """
    terms = folded_terms(query)
    if not terms:
        return ResultPage(results=[], total=0, number=page)
    wanted = search_engines.Query(
        **{**filters.__dict__, "terms": terms, "offset": (page - 1) * PER_PAGE, "limit": PER_PAGE}
    )
    digest = hashlib.sha256(repr(wanted).encode()).hexdigest()[:32]
    key = f"search:{digest}@{pagecache.current_generation()}"
    hits = None if member else cache.get(key)
    if hits is None:
        if may_run is not None and not may_run():
            raise TooManySearches
        hits = search_engines.current().search(wanted)
        if not member:
            cache.set(key, hits, RESULTS_SECONDS)
    results = _results(hits.ids, terms, member=member)
    return ResultPage(results=results, total=hits.total, number=page, capped=hits.capped)


def _results(ids: list[int], terms: tuple[str, ...], *, member: bool) -> list[Result]:
    from masthead.discovery.models import SearchDocument

    # What a result shows, from the article itself and never the index: an article made
    # members-only since it was indexed must not give its body away in a snippet.
    live = {
        row[0]: row[1:]
        for row in public(ArticlePage.objects.live())
        .filter(pk__in=ids)
        .values_list(
            "pk", "title", "standfirst", "members_only", "kind", "first_published_at", "url_path"
        )
    }
    bodies = dict(
        SearchDocument.objects.filter(article_id__in=list(live)).values_list("article_id", "body")
    )
    facts = _Facts(live)
    results = []
    for pk in ids:
        if pk not in live:
            continue
        title, standfirst, members_only = live[pk][:3]
        # Members-only text goes to members only (ArticlePage.members_only).
        readable = (
            [standfirst] if members_only and not member else [standfirst, bodies.get(pk, "")]
        )
        results.append(
            Result(
                article_id=pk,
                headline=snippets.highlight(title, terms),
                snippet=snippets.snippet(readable, terms),
                facts=partial(facts.of, pk),
            )
        )
    return results


class _Facts:
    """What a result's frame shows (theme/cards.result_html), built only when one is drawn.

    From the rows already read, as unsaved pages (``pageurl`` needs only the path) and the
    byline names of every result in one query: reading ten whole articles through the ORM
    cost ten times their SQL, a third of a search that drew its results.
    """

    def __init__(self, live: dict[int, tuple]) -> None:
        self.live = live
        self.names: dict[int, list[str]] | None = None

    def of(self, pk: int) -> dict[str, object]:
        if self.names is None:
            self.names = defaultdict(list)
            for page_id, name in (
                ArticleByline.objects.filter(page_id__in=list(self.live))
                .order_by("page_id", "sort_order")
                .values_list("page_id", "contributor__name")
            ):
                self.names[page_id].append(name)
        title, _standfirst, members_only, kind, published, url_path = self.live[pk]
        article = ArticlePage(
            id=pk,
            title=title,
            members_only=members_only,
            kind=kind,
            first_published_at=published,
            url_path=url_path,
        )
        return {"article": article, "byline": join_names(self.names[pk])}


def search_articles(query: str, *, locale: Locale, limit: int = 100) -> list[ArticlePage]:
    """The best ``limit`` of ``locale``'s live, public articles matching ``query``.

    For code (the demo's checks), not readers: no cache, no snippets.
    """
    terms = folded_terms(query)
    if not terms:
        return []
    wanted = search_engines.Query(terms=terms, languages=(locale.language_code,), limit=limit)
    ids = search_engines.current().search(wanted).ids
    found = published_articles().filter(pk__in=ids).in_bulk()
    return [found[pk] for pk in ids if pk in found]


def matching_contributors(query: str, *, locale: Locale) -> list[Contributor]:
    """Contributors of ``locale`` whose name contains every word of ``query``.

    Readers search for a writer by name; the index knows only the names on a byline, not
    the members of a collective, so names are matched here directly.
    """
    terms = search_terms(query)
    if not terms:
        return []
    condition = Q(locale=locale)
    for term in terms:
        condition &= Q(name__icontains=term)
    return list(Contributor.objects.filter(condition).order_by("name")[:MAX_CONTRIBUTORS])
