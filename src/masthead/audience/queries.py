"""Reads for readers and their consent: what a confirmation link would confirm."""

from __future__ import annotations

import datetime as dt

from masthead.audience.models import Subscription
from masthead.lib import tokens

CONFIRM_PURPOSE = "confirm"
CONFIRM_MAX_AGE = 48 * 3600  # issue 4: the confirmation link expires after 48 h
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def consent_stamp(moment: dt.datetime) -> int:
    """Whole microseconds since the epoch: exact, unlike float timestamps."""
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


class ConfirmationRefused(Exception):  # noqa: N818
    """The link is expired, invalid, or already used; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "expired", "invalid" or "used"


def pending_confirmation(token: str) -> list[Subscription]:
    """The subscriptions a confirmation token would confirm; raises ``ConfirmationRefused``.

    Used by both the GET (which shows the button and changes nothing) and the POST.
    """
    try:
        payload = tokens.read_token(CONFIRM_PURPOSE, token, max_age_seconds=CONFIRM_MAX_AGE)
        reader_id, sub_ids, stamp = int(payload["r"]), list(payload["s"]), int(payload["v"])
    except tokens.BadToken as exc:
        raise ConfirmationRefused(exc.reason) from None
    except (KeyError, TypeError, ValueError):
        raise ConfirmationRefused("invalid") from None
    subs = list(
        Subscription.objects.filter(reader_id=reader_id, pk__in=sub_ids).select_related(
            "reader", "newsletter"
        )
    )
    # Single use: confirming (or a newer sign-up, which issues a newer link) changes the
    # status or the consent time, so an old or replayed link no longer matches.
    if (
        len(subs) != len(sub_ids)
        or not subs
        or any(
            s.status != Subscription.Status.PENDING or consent_stamp(s.consented_at) != stamp
            for s in subs
        )
    ):
        raise ConfirmationRefused("used")
    return subs
