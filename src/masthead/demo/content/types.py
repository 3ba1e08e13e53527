"""The shapes the content modules fill in: plain data, no Django."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Quote:
    text: str
    attribution: str = ""


@dataclass(frozen=True)
class Turn:
    """One question or answer; ``speaker`` is a contributor slug or, failing that, a name."""

    kind: str  # "question" or "answer"
    speaker: str
    text: str


@dataclass(frozen=True)
class Notes:
    notes: tuple[str, ...]


# A body is a sequence of these; consecutive turns become one exchange block.
BodyItem = str | Heading | Quote | Turn | Notes


def q(speaker: str, text: str) -> Turn:
    return Turn("question", speaker, text)


def a(speaker: str, text: str) -> Turn:
    return Turn("answer", speaker, text)


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    intro: str
    es_slug: str = ""
    es_title: str = ""
    es_intro: str = ""


@dataclass(frozen=True)
class Person:
    """A contributor; with ``es_role`` set, it also exists in Spanish."""

    slug: str
    name: str
    role: str
    bio: str
    es_role: str = ""
    es_bio: str = ""
    links: tuple[tuple[str, str], ...] = ()
    members: tuple[str, ...] = ()  # slugs: set only for a collective
    es_name: str = ""


@dataclass(frozen=True)
class Version:
    """A piece in one language."""

    slug: str
    title: str
    standfirst: str
    body: tuple[BodyItem, ...]
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Piece:
    """A published piece: its English version and, optionally, its Spanish translation."""

    section: str
    kind: str
    authors: tuple[str, ...]
    days_ago: float
    en: Version
    es: Version | None = None
    subjects: tuple[str, ...] = ()
    updated_days_ago: float | None = None
    syndication: tuple[str, str] | None = None
    caption: str = ""
    es_caption: str = ""
