"""Publishing without fan-out: bulk loads (the demo, imports) must not post to channels.

Wagtail sends ``page_published`` for every publish, whoever calls it; the channels (and any
other fan-out) ask ``is_quiet()`` before pushing a page out. A context variable rather than
a flag on the page, so it covers every page a loader publishes, and only in its own thread.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

_quiet = contextvars.ContextVar("masthead_fanout_quiet", default=False)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Publish inside this block without posting anything anywhere."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def is_quiet() -> bool:
    return _quiet.get()
