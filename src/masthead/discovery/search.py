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
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q
from django.utils.safestring import SafeString
from wagtail.models import Locale

from masthead.discovery import search_engines, snippets
from masthead.lib import pagecache
from masthead.newsroom.models import ArticlePage, Contributor
from masthead.newsroom.queries import CardRef, card_refs, public, published_articles

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
    article: CardRef  # read from the database only if its result must be drawn
    headline: SafeString
    snippet: SafeString


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

    # Title and members-only flag from the article itself, never the index: an article
    # made members-only since it was indexed must not give its body away in a snippet.
    live = {
        row[0]: row[1:]
        for row in public(ArticlePage.objects.live())
        .filter(pk__in=ids)
        .values_list("pk", "title", "standfirst", "members_only")
    }
    bodies = dict(
        SearchDocument.objects.filter(article_id__in=list(live)).values_list("article_id", "body")
    )
    # A result's frame is kept (theme/cards.py): articles are read only to draw one, and
    # then all at once (distinct searches rarely share results, unlike listings).
    refs = card_refs([pk for pk in ids if pk in live], single_reads=0)
    results = []
    for ref in refs:
        title, standfirst, members_only = live[ref.pk]
        body = bodies.get(ref.pk, "")
        # Members-only text goes to members only (ArticlePage.members_only).
        readable = [standfirst] if members_only and not member else [standfirst, body]
        results.append(
            Result(
                article=ref,
                headline=snippets.highlight(title, terms),
                snippet=snippets.snippet(readable, terms),
            )
        )
    return results


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
