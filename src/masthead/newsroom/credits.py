"""An image credit as readers see it: the name alone, after the template's own label.

Templates print "Photo:" (translated) before a credit. Editors often type the label too
("Photo: Ana Ruiz", "Foto: Ana Ruiz"), which read "PHOTO: PHOTO: ANA RUIZ" in the
uppercase credit style (issue 13 §4). The stored text stays as the editor typed it; only
the rendered credit drops a leading label, in either language.
"""

from __future__ import annotations

import re

# A label word, then a colon, a spaced dash, or "by"/"por": "Photo:", "Foto -",
# "Photograph by", "Image credit:", "Crédito:". Not "de": "Foto de archivo" (a file photo)
# is itself the credit.
_LABEL = re.compile(
    r"""^\s*
    (?:photo(?:graph(?:y|er)?)?s?|foto(?:graf[ií]a|s)?|fotógrafo|fotógrafa|image|imagen
      |picture|pic|credit|cr[eé]dito)
    (?:\s+(?:credit|cr[eé]dito))?
    (?:\s*:\s*|\s+[-\u2013\u2014]\s+|\s+(?:by|por)\s+)""",
    re.IGNORECASE | re.VERBOSE,
)


def credit_name(credit: str) -> str:
    """``credit`` without the label(s) an editor typed before the name.

    A credit that is only a label word ("Photo", "Foto: ") is returned as typed, trimmed:
    there is no name to keep, and the editor's text must not vanish.
    """
    name = credit.strip()
    while True:
        stripped = _LABEL.sub("", name, count=1).strip()
        if stripped == name or not stripped:
            return name
        name = stripped
