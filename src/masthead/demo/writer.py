"""Composes synthetic articles from the word banks: titles, slugs, standfirsts and bodies.

Plain Python, no database: the bulk inserter in ``synthetic`` decides where they go.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.utils.text import slugify

from masthead.demo.content import wordbank as wb

KINDS = ["news", "report", "analysis", "opinion", "essay", "interview"]
SLUG_LENGTH = 72


@dataclass(frozen=True)
class SyntheticArticle:
    title: str
    slug: str
    standfirst: str
    kind: str
    paragraphs: tuple[str, ...]
    topics: tuple[str, ...]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


class Writer:
    """Writes distinct articles; ``taken_slugs`` is updated with every slug it hands out."""

    def __init__(self, rng: random.Random, taken_slugs: set[str]) -> None:
        self.rng = rng
        self.taken_slugs = taken_slugs
        self.titles: set[str] = set()

    def article(self) -> SyntheticArticle:
        slots = self._slots()
        title = self._title(slots)
        pick = self.rng.sample
        contexts = pick(wb.CONTEXT, 4)
        quotes = pick(wb.QUOTES, 2)
        paragraphs = [
            " ".join(
                [
                    self._fill(self.rng.choice(wb.OPENINGS), slots),
                    *(self._fill(s, slots) for s in contexts[:2]),
                ]
            ),
            " ".join([self._fill(quotes[0], slots), self._fill(contexts[2], slots)]),
            " ".join(
                [
                    self._fill(self.rng.choice(wb.NUMBERS), slots),
                    self._fill(self.rng.choice(wb.REACTIONS), slots),
                ]
            ),
        ]
        if self.rng.random() < 0.6:
            paragraphs.append(
                " ".join([self._fill(contexts[3], slots), self._fill(quotes[1], slots)])
            )
        paragraphs.append(self._fill(self.rng.choice(wb.CLOSINGS), slots))
        return SyntheticArticle(
            title=title,
            slug=self._slug(title),
            standfirst=self._fill(self.rng.choice(wb.STANDFIRSTS), slots),
            kind=self.rng.choice(KINDS),
            paragraphs=tuple(paragraphs),
            topics=tuple(pick(wb.TOPICS, self.rng.randint(2, 3))),
        )

    def _slots(self) -> dict[str, str]:
        rng = self.rng
        group, subject, official = (
            rng.choice(wb.GROUPS),
            rng.choice(wb.SUBJECTS),
            rng.choice(wb.OFFICIALS),
        )
        place = rng.choice(wb.PLACES)
        return {
            "place": place,
            "Place": place,
            "group": group,
            "Group": _capitalised(group),
            "subject": subject,
            "Subject_cap": _capitalised(subject),
            "official": official,
            "Official_cap": _capitalised(official),
            "person": f"{rng.choice(wb.FIRST_NAMES)} {rng.choice(wb.LAST_NAMES)}",
            "Person": f"{rng.choice(wb.FIRST_NAMES)} {rng.choice(wb.LAST_NAMES)}",
            "month": rng.choice(wb.MONTHS),
            "year": str(rng.randint(2009, 2022)),
            "years": str(rng.randint(2, 30)),
            "thousands": f"{rng.randint(12, 900) * 100:,}",
            "small": str(rng.randint(2, 9)),
            "medium": str(rng.randint(11, 45)),
        }

    def _title(self, slots: dict[str, str]) -> str:
        # The word banks allow millions of titles; after a few collisions, fresh slots
        # are cheaper than a smarter search.
        for _attempt in range(20):
            title = self._fill(self.rng.choice(wb.TITLES), slots)
            if title not in self.titles:
                break
            slots = self._slots()
        self.titles.add(title)
        return title

    def _slug(self, title: str) -> str:
        base = slugify(title)[:SLUG_LENGTH].strip("-")
        slug, suffix = base, 1
        while slug in self.taken_slugs:
            suffix += 1
            slug = f"{base}-{suffix}"
        self.taken_slugs.add(slug)
        return slug

    @staticmethod
    def _fill(template: str, slots: dict[str, str]) -> str:
        return template.format(**slots)
