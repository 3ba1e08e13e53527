"""Highlighted snippets: the words a reader searched for, marked in what they may read.

Matching is on folded text (``fold``: case and accents removed, one character for one),
so "educacion" marks "educación"; everything else is escaped before a ``<mark>`` is
added, so no markup in an article or a query ever reaches the page as markup.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# About 30 words either side of a match: two lines of a card.
SNIPPET_CHARS = 240


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    # Keep one character per character, so positions in the folded text are the original's.
    return folded if len(folded) == 1 else ch.lower()[:1] or " "


class _FoldTable(dict):
    """``str.translate``'s table for ``_fold_char``, filled on first sight of a character.

    Folding a character at a time in Python was a quarter of a search page's time (a body
    of 3,000 words is 18,000 characters); ``translate`` looks each one up in C. The table
    holds only characters met in text, a few hundred in practice.
    """

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def _folded(text: str) -> str:
    # ASCII lower-cases one for one, and most text is ASCII.
    return text.lower() if text.isascii() else text.translate(_FOLD_TABLE)


def _pattern(terms: Sequence[str]) -> re.Pattern | None:
    words = sorted({term for term in terms if term}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(word) for word in words) + r")(?!\w)")


def _marked(text: str, spans: list[tuple[int, int]]) -> SafeString:
    out, last = [], 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 (every piece escaped above)


def highlight(text: str, terms: Sequence[str]) -> SafeString:
    """All of ``text``, escaped, with every whole-word match of ``terms`` marked."""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    return _marked(text, [m.span() for m in pattern.finditer(_folded(text))])


def snippet(texts: Sequence[str], terms: Sequence[str]) -> SafeString:
    """A window of the first of ``texts`` with the most distinct matches, marked.

    ``texts`` are what this reader may read, best first (standfirst, then body). With no
    match in any, the start of the first.
    """
    pattern = _pattern(terms)
    best: tuple[int, int, str, list[re.Match]] | None = None
    for order, text in enumerate(t for t in texts if t):
        if pattern is None:
            break
        # The first matches are enough to place a window; a common word may match hundreds.
        matches = list(itertools.islice(pattern.finditer(_folded(text)), 200))
        if not matches:
            continue
        # The window starting near each match that holds the most distinct words.
        for i, first in enumerate(matches):
            inside = set()
            for match in matches[i:]:  # in order, so the window ends at the first too far
                if match.end() > first.start() + SNIPPET_CHARS:
                    break
                inside.add(match.group())
            score = len(inside) * 10 - order
            if best is None or score > best[0]:
                best = (score, first.start(), text, matches)
    if best is None:
        first_text = next((t for t in texts if t), "")
        return _window(first_text, 0, [])
    _, start, text, matches = best
    return _window(text, start, matches)


def _window(text: str, at: int, matches: list[re.Match]) -> SafeString:
    begin = max(0, at - SNIPPET_CHARS // 4)
    if begin:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < at else begin
    end = min(len(text), begin + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > at else end
    spans = [
        (m.start() - begin, m.end() - begin)
        for m in matches
        if m.start() >= begin and m.end() <= end
    ]
    body = _marked(text[begin:end], spans)
    prefix = "…" if begin else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(f"{prefix}{body}{suffix}")  # noqa: S308 (body escaped by _marked)
