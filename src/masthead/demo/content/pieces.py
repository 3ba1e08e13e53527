"""Every demo piece, the flagship first."""

from __future__ import annotations

from masthead.demo.content import analysis, culture, interviews, labour, latin_america
from masthead.demo.content.flagship import FLAGSHIP
from masthead.demo.content.types import Piece

PIECES: list[Piece] = [
    FLAGSHIP,
    *interviews.PIECES,
    *latin_america.PIECES,
    *labour.PIECES,
    *analysis.PIECES,
    *culture.PIECES,
]
