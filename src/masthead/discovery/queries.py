"""Reads of what discovery stores: an article's precomputed related list."""

from __future__ import annotations

from masthead.discovery.models import RelatedList


def stored_related_ids(article_id: int) -> list[int] | None:
    """The article's stored related ids, best first; None when none is stored yet (one query)."""
    return (
        RelatedList.objects.filter(article_id=article_id)
        .values_list("article_ids", flat=True)
        .first()
    )
