"""Who may read a members-only article in full: the newsroom asks, an app above answers.

Newsroom stands below audience and funding (DESIGN.md: Layers), so it cannot know who is
signed in or who is a member. The funding app registers a check in its ``ready()``; with
none registered, nobody is a member and members-only articles show their teaser only.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

Check = Callable[[HttpRequest], bool]

_checks: list[Check] = []


def register(check: Check) -> None:
    if check not in _checks:
        _checks.append(check)


def has_member_access(request: HttpRequest | None) -> bool:
    """Whether the reader behind ``request`` may read members-only text."""
    if request is None:
        return False
    return any(check(request) for check in _checks)
