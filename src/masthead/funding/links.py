"""The links the funding app emails or shows, one token kind each (lib/tokens.py)."""

from __future__ import annotations

from dataclasses import dataclass

from masthead.lib.tokens import TokenKind

GIFT_MAX_AGE = 365 * 24 * 3600  # a gift may sit in an inbox for a year before it is redeemed


@dataclass(frozen=True)
class ReceiptLink:
    payment_id: int  # receipts are kept for the accounts: the link does not expire


@dataclass(frozen=True)
class GiftLink:
    gift_id: int
    recipient_email: str  # the link names the address it was sent to; redeeming needs it


@dataclass(frozen=True)
class ThanksLink:
    checkout_id: str  # the page a reader returns to from the provider: their checkout only


RECEIPT = TokenKind("receipt", ReceiptLink, None)
GIFT = TokenKind("gift", GiftLink, GIFT_MAX_AGE)
THANKS = TokenKind("thanks", ThanksLink, 7 * 24 * 3600)
