"""Signed, expiring tokens for links in emails (confirm, sign in, unsubscribe).

A token names its purpose (the signing salt), so a sign-in token can never be replayed as
an unsubscribe token. Single use is the caller's business: put something in the payload
that the action changes (a timestamp, a status) and check it when the token is used.
"""

from __future__ import annotations

from django.core import signing


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
