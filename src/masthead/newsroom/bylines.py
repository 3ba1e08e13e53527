"""Bylines in words: "By the Board: A, B and C" in English, "... B y C" in Spanish."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.translation import get_language, pgettext

# Spanish writes "e" instead of "y" before a word that starts with the sound /i/
# ("Ana e Inés", "padre e hijo") but not before a diphthong ("agua y hielo").
_SPANISH_I_SOUND = re.compile(r"^h?[ií](?![aeiouáéó])", re.IGNORECASE)


def join_names(names: Sequence[str]) -> str:
    """Join names as a person would in the active language."""
    names = [name for name in names if name]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    conjunction = pgettext("joining the last two names of a list", "and")
    if (get_language() or "").startswith("es") and _SPANISH_I_SOUND.match(names[-1]):
        conjunction = "e"
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"
