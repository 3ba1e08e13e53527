"""The funding app's part in readers' lives elsewhere: access, erasure, data export."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from masthead.audience import hooks
from masthead.audience.models import Reader
from masthead.audience.sessions import signed_in_reader
from masthead.funding import ledger, providers, queries
from masthead.funding.models import Membership

log = logging.getLogger(__name__)


def is_member(request: HttpRequest) -> bool:
    """Whether the signed-in reader has a membership that gives access now.

    Without a session cookie the session is never opened, so an anonymous reader's page
    does not vary on Cookie and stays in the page cache.
    """
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return queries.has_access(signed_in_reader(request))


def on_erasing(sender: object, reader: Reader, **kwargs: object) -> None:
    """Cancel the reader's recurring payments at the provider, then anonymise the ledger.

    Runs inside erasure's transaction: if a provider refuses or cannot be reached, the
    exception rolls the erasure back and the reader is told to try again, rather than
    being erased while still charged (RELIABILITY.md §4, Ghost's help page).
    """
    recurring = Membership.objects.filter(
        reader=reader, source=Membership.Source.PAID, ended_at__isnull=True
    ).exclude(reference="")
    for membership in recurring:
        try:
            providers.get(membership.provider).cancel(membership)
        except Exception as error:  # any provider failure: the erasure must wait
            log.warning("erasure of reader %s waits: %s", reader.pk, error)
            raise hooks.ErasureBlocked(
                _(
                    "We could not stop your recurring payment with our payment provider just "
                    "now, so nothing was deleted and you will not be charged by mistake. "
                    "Please try again in a few minutes."
                )
            ) from error
    ledger.scrub_reader(reader=reader)


def on_exporting(sender: object, reader: Reader, **kwargs: object) -> dict:
    """The reader's payments and memberships, for their data download."""
    return {
        "payments": [
            {
                "provider": payment.provider,
                "reference": payment.reference,
                "kind": payment.kind,
                "status": payment.status,
                "amount": payment.amount,
                "currency": payment.currency,
                "campaign": payment.campaign.slug if payment.campaign else None,
                "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
            }
            for payment in queries.reader_payments(reader)
        ],
        "memberships": [
            {
                "plan": membership.plan.slug,
                "source": membership.source,
                "status": membership.status,
                "provider": membership.provider,
                "reference": membership.reference,
                "started_at": membership.started_at.isoformat(),
                "current_period_end": membership.current_period_end.isoformat()
                if membership.current_period_end
                else None,
            }
            for membership in queries.reader_memberships(reader)
        ],
    }
