"""Interview turns and question/answer pairs: a pasted transcript read into turns, and turns
grouped into the exchange block's pairs (issue 13 §4). Pure functions, no database.

A transcript is plain text in the ``Name: text`` form, one turn per line:

* A line that starts with a name and a colon starts a turn. A name starts with a letter, is at
  most 60 characters of letters, spaces, dots, apostrophes and hyphens, and is followed by
  a colon and a space; a time stamp before it (``[00:12:03]``, ``14:05``) is dropped.
* A line without a name continues the turn before it as a new paragraph; blank lines are
  skipped. Text before the first name cannot be attributed: it is reported,
  never dropped silently.
* The first speaker is the interviewer: each of their turns is a question, everybody else's
  is an answer. Consecutive turns by one speaker are one turn.

Pairs group the turns in order: a question opens a pair, the next answer completes it, and
an answer with no open question (an answer running on) is a pair of its own with no question.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_TRANSCRIPT_CHARS = 200_000  # two to three hours of speech; more is not one interview
MAX_NAME_CHARS = 60
_TIMESTAMP = r"(?:\[?\(?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\)?\]?\s*)?"
_SPEAKER_LINE = re.compile(
    rf"^\s*{_TIMESTAMP}(?P<name>[^\W\d_][\w .'\u2019\-]{{0,{MAX_NAME_CHARS - 1}}}?)\s*:\s+(?P<text>\S.*)$"
)
# Not names: "Note: ..." style lines are prose that happens to hold a colon.
_MAX_NAME_WORDS = 5


@dataclass
class Turn:
    kind: str  # "question" or "answer"
    speaker: str
    paragraphs: list[str] = field(default_factory=list)

    @property
    def html(self) -> str:
        return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in self.paragraphs)


@dataclass(frozen=True)
class Transcript:
    turns: list[Turn]
    speakers: list[str]  # in order of first appearance; the first is the interviewer
    problems: list[str]  # what the editor must look at; the turns hold whatever could be read


class TranscriptError(ValueError):
    """Nothing usable: the message says why, for the editor."""


def parse_transcript(text: str) -> Transcript:
    """Read ``text`` into turns (the module docstring has the rules).

    Raises ``TranscriptError`` when there is nothing to read: empty, too long, or no line in
    the ``Name: text`` form. Text that cannot be attributed is kept in the problems.
    """
    if not isinstance(text, str) or not text.strip():
        raise TranscriptError(_("The transcript is empty: paste the text of the interview."))
    if len(text) > MAX_TRANSCRIPT_CHARS:
        raise TranscriptError(
            _("The transcript is too long (%(count)s characters; at most %(limit)s).")
            % {"count": f"{len(text):,}", "limit": f"{MAX_TRANSCRIPT_CHARS:,}"}
        )
    turns: list[Turn] = []
    speakers: list[str] = []
    orphans: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _clean(raw)
        match = _SPEAKER_LINE.match(line)
        name = _name(match.group("name")) if match else ""
        if name:
            if name.casefold() not in {s.casefold() for s in speakers}:
                speakers.append(name)
            speaker = next(s for s in speakers if s.casefold() == name.casefold())
            kind = "question" if speaker == speakers[0] else "answer"
            if turns and turns[-1].speaker == speaker:
                turns[-1].paragraphs.append(match.group("text").strip())
            else:
                turns.append(Turn(kind, speaker, [match.group("text").strip()]))
        elif not line:
            continue
        elif not turns:
            orphans.append(line)
        else:
            turns[-1].paragraphs.append(line)
    if not turns:
        raise TranscriptError(
            _(
                "No speaker found. Write each turn on its own line as “Name: what they said”, "
                "for example “Ana Ríos: Where did it start?”."
            )
        )
    problems = []
    if orphans:
        problems.append(
            _("This text comes before the first speaker and was left out: %(text)s")
            % {"text": " ".join(orphans)[:300]}
        )
    if len(speakers) == 1:
        problems.append(
            _("Only one speaker (%(name)s): every turn became a question.") % {"name": speakers[0]}
        )
    return Transcript(turns=turns, speakers=speakers, problems=problems)


def _clean(line: str) -> str:
    # Control characters from word processors (and NULs) break nothing here but the page.
    return "".join(c for c in line if c == "\t" or unicodedata.category(c)[0] != "C").strip()


def _name(candidate: str) -> str:
    name = " ".join(candidate.split()).strip(" .-'\u2019")
    if not name or len(name.split()) > _MAX_NAME_WORDS:
        return ""
    return name


def normalize_name(name: str) -> str:
    """The form two names are compared in: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def empty_pair() -> dict:
    return {
        "question_speaker": None,
        "question_speaker_name": "",
        "question": "",
        "answer_speaker": None,
        "answer_speaker_name": "",
        "answer": "",
    }


def pairs_from_turns(turns: list[dict]) -> list[dict]:
    """Raw turns (``kind``, ``speaker``, ``speaker_name``, ``text``) grouped into raw pairs.

    Order and every turn are kept: a question opens a pair; an answer completes the open
    pair, or stands alone in a pair without a question.
    """
    pairs: list[dict] = []
    open_pair: dict | None = None
    for turn in turns:
        half = "question" if turn.get("kind") == "question" else "answer"
        if half == "question" or open_pair is None:
            open_pair = empty_pair()
            pairs.append(open_pair)
        open_pair[f"{half}_speaker"] = turn.get("speaker")
        open_pair[f"{half}_speaker_name"] = turn.get("speaker_name") or ""
        open_pair[half] = turn.get("text") or ""
        # A pair takes one answer; the next answer runs on in a pair of its own.
        open_pair = open_pair if half == "question" else None
    return pairs
