"""The links the audience app emails, one token kind each (lib/tokens.py).

Each payload names its fields; what makes a link single-use is in it (a consent time, a
sign-in stamp, the old address) and is checked by queries.py when the link is used.
"""

from __future__ import annotations

from dataclasses import dataclass

from masthead.lib.tokens import TokenKind

CONFIRM_MAX_AGE = 48 * 3600  # issue 4: the confirmation link expires after 48 h
SIGN_IN_MAX_AGE = 15 * 60  # issue 4: a sign-in link expires after 15 minutes
EMAIL_CHANGE_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class ConfirmLink:
    reader_id: int
    subscription_ids: tuple[int, ...]
    consent_stamp: int  # the subscriptions' consent time: a newer sign-up voids the link


@dataclass(frozen=True)
class SignInLink:
    reader_id: int
    sign_in_stamp: int  # moves on every sign-in, so the link works once
    address_digest: str  # binds the link to the address it was sent to, without showing it


@dataclass(frozen=True)
class EmailChangeLink:
    reader_id: int
    old_email: str  # once the address changed, the link no longer matches
    new_email: str


CONFIRM = TokenKind("confirm", ConfirmLink, CONFIRM_MAX_AGE)
SIGN_IN = TokenKind("signin", SignInLink, SIGN_IN_MAX_AGE)
EMAIL_CHANGE = TokenKind("email-change", EmailChangeLink, EMAIL_CHANGE_MAX_AGE)
