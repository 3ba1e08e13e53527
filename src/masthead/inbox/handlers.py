"""Who processes a provider's events: apps above the inbox register a handler here.

The inbox imports no other app (DESIGN.md: it "knows no other app"); an app that takes
webhooks registers, in its ``AppConfig.ready()``, one handler per provider name it stores
events under (``"anymail:postmark"``, later ``"stripe"``, ``"whatsapp"``). A handler gets
the stored ``Event``, acts idempotently, and either returns (processed), raises
``Ignored`` with a reason, or raises anything else (failed, retried later).
"""

from __future__ import annotations

from collections.abc import Callable

from masthead.inbox.models import Event

Handler = Callable[[Event], None]

_handlers: dict[str, Handler] = {}


class Ignored(Exception):  # noqa: N818 (an answer: nothing to do, and why)
    """The event needs nothing from us; the message is the reason shown to editors."""


def register(provider: str, handler: Handler) -> None:
    """Process events whose provider is ``provider``, or starts with ``provider:``."""
    _handlers[provider] = handler


def handler_for(provider: str) -> Handler | None:
    return _handlers.get(provider) or _handlers.get(provider.partition(":")[0])
