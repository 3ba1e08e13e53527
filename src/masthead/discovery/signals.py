"""Signals discovery sends.

``related_lists_changed`` is sent, once the transaction that stored them has committed,
with ``article_ids``: the articles whose stored related list changed (their pages show
the list, so exactly those pages are stale). Cache invalidation listens to it.
"""

from django.dispatch import Signal

related_lists_changed = Signal()
