"""Who may read a members-only article in full: the newsroom asks, an app above answers.

Newsroom stands below audience and funding (DESIGN.md: Layers), so it cannot know who is
signed in or who is a member. The funding app registers a check in its ``ready()``; with
none registered, nobody is a member and members-only articles show their teaser only. The
same holds for emails: ``members_among`` answers by reader id.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest

# The funding app's membership page: a route kept stable for outside callers (issue 9), so
# the newsroom may name it without importing the app above it.
MEMBERSHIP_PATH = "/{language}/support/membership/"

Check = Callable[[HttpRequest], bool]
# The same question about readers by id, for what is sent rather than served (an email of
# a members-only article): returns the ids, among those given, of members.
MembersAmong = Callable[[list[int]], set[int]]

_checks: list[Check] = []
_members_among: list[MembersAmong] = []


def register(check: Check) -> None:
    if check not in _checks:
        _checks.append(check)


def register_members_among(check: MembersAmong) -> None:
    if check not in _members_among:
        _members_among.append(check)


def members_among(reader_ids: list[int]) -> set[int]:
    """The ids, among ``reader_ids``, of readers who may read members-only text."""
    ids = [pk for pk in reader_ids if pk is not None]
    found: set[int] = set()
    for check in _members_among if ids else []:
        found |= check(ids)
    return found


def has_member_access(request: HttpRequest | None) -> bool:
    """Whether the reader behind ``request`` may read members-only text."""
    if request is None:
        return False
    return any(check(request) for check in _checks)


def membership_url(*, language: str, next_path: str = "") -> str:
    """Where a non-member goes to become one, coming back to ``next_path`` afterwards.

    The funding app checks ``next`` before following it (funding/checkout.safe_return_path).
    """
    url = MEMBERSHIP_PATH.format(language=language)
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url
