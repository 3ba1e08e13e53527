"""Signed, expiring tokens for links in emails (confirm, sign in, unsubscribe).

A token names its purpose (the signing salt), so a sign-in token can never be replayed as
an unsubscribe token. Single use is the caller's business: put something in the payload
that the action changes (a timestamp, a status) and check it when the token is used.

Each kind of link is one ``TokenKind``: a purpose, a lifetime and a frozen dataclass whose
named fields are the payload, so ``kind.make(...)`` and ``kind.read(...)`` are the only pair
for that link and a payload can never be read with another kind's meaning. Django's
``signing`` does the cryptography; this adds the typed payload.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Generic, TypeVar

from django.core import signing

Payload = TypeVar("Payload")


class BadToken(Exception):  # noqa: N818 (reads better at call sites than BadTokenError)
    """The token is malformed, tampered with, for another purpose, or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"


def make_token(purpose: str, payload: dict) -> str:
    return signing.dumps(payload, salt=f"masthead.{purpose}", compress=True)


def read_token(purpose: str, token: str, *, max_age_seconds: int | None) -> dict:
    """The payload of ``token``; raises ``BadToken`` ("expired" or "invalid")."""
    try:
        return signing.loads(token, salt=f"masthead.{purpose}", max_age=max_age_seconds)
    except signing.SignatureExpired:
        raise BadToken("expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise BadToken("invalid") from None


def _checked(value: object, expected: object) -> object:
    """``value`` if it has the field's type (int, str, or tuple of ints), else ValueError."""
    if expected is int and type(value) is int:
        return value
    if expected is str and isinstance(value, str):
        return value
    if (
        typing.get_origin(expected) is tuple
        and isinstance(value, list)
        and all(type(item) is int for item in value)
    ):
        return tuple(value)
    raise ValueError(f"a token field is not a {expected}")


@dataclasses.dataclass(frozen=True)
class TokenKind(Generic[Payload]):
    """One kind of emailed link: ``make`` writes its token, ``read`` checks and parses one.

    ``payload`` is a frozen dataclass whose fields are ``int``, ``str`` or ``tuple[int,
    ...]``; ``max_age_seconds`` None means the link never expires (unsubscribe links must
    work in any old email).
    """

    purpose: str
    payload: type[Payload]
    max_age_seconds: int | None

    def make(self, payload: Payload) -> str:
        if not isinstance(payload, self.payload):
            raise TypeError(f"a {self.purpose} token needs a {self.payload.__name__}")
        return make_token(self.purpose, dataclasses.asdict(payload))

    def read(self, token: str) -> Payload:
        """The payload; raises ``BadToken`` ("expired" or "invalid")."""
        data = read_token(self.purpose, token, max_age_seconds=self.max_age_seconds)
        hints = typing.get_type_hints(self.payload)
        fields = [f.name for f in dataclasses.fields(self.payload)]
        if not isinstance(data, dict) or sorted(data) != sorted(fields):
            raise BadToken("invalid")
        try:
            return self.payload(**{name: _checked(data[name], hints[name]) for name in fields})
        except ValueError:
            raise BadToken("invalid") from None
