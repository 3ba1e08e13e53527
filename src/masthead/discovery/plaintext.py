"""An article body's plain words, read straight from the StreamField's raw JSON.

Decoding the StreamField into blocks costs far more than this walk; the related-posts
engine and the search index both read every published body, so both use this.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

_TAG = re.compile(r"<[^>]*>")


def plain_body(raw_body: Iterable[dict]) -> str:
    """The body's words, tags dropped and entities decoded: what the engines read."""
    parts = []
    for block in raw_body:
        value = block.get("value")
        kind = block.get("type")
        if kind == "paragraph" and isinstance(value, str):
            parts.append(value)
        elif kind == "exchange" and isinstance(value, dict):
            for pair in value.get("pairs", []):
                # A ListBlock's items are stored as {"type": "item", "value": ...}.
                pair = pair.get("value", pair) if isinstance(pair, dict) else {}
                parts.extend(str(pair.get(half) or "") for half in ("question", "answer"))
        elif kind == "pull_quote" and isinstance(value, dict):
            parts.append(str(value.get("quote", "")))
        elif kind == "heading" and isinstance(value, dict):
            parts.append(str(value.get("text", "")))
    return html.unescape(_TAG.sub(" ", " ".join(parts)))
