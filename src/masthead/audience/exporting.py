"""Readers out of the admin as CSV (issue 4): one row per reader and newsletter, read in chunks.

Only reads; the admin view streams what ``export_rows`` yields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from masthead.audience.models import Newsletter, Reader, Subscription

COLUMNS = (
    "email",
    "language",
    "newsletter",
    "status",
    "consent_source",
    "consented_at",
    "confirmed_at",
    "unsubscribed_at",
)


def csv_cell(value: object) -> str:
    """One value as a CSV cell that a spreadsheet shows as text and never runs.

    Excel, LibreOffice and Google Sheets evaluate a cell starting with = + - @ (and tab or
    CR, which they strip first) as a formula, so an address such as ``=HYPERLINK(...)@x.org``
    typed into a sign-up form would run on the editor's machine (OWASP "CSV injection").
    A leading apostrophe makes them show the text instead.
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def export_rows(*, newsletter: Newsletter | None = None) -> Iterator[list[str]]:
    """The header, then one row per reader and newsletter, read from the database in chunks.

    Readers with no subscription get one row with empty newsletter columns, unless the export
    is limited to ``newsletter``.
    """
    if newsletter is None:
        rows = Reader.objects.order_by("pk", "subscriptions__newsletter__slug").values_list(
            "email",
            "language",
            "subscriptions__newsletter__slug",
            "subscriptions__status",
            "subscriptions__source",
            "subscriptions__consented_at",
            "subscriptions__confirmed_at",
            "subscriptions__unsubscribed_at",
        )
    else:
        rows = (
            Subscription.objects.filter(newsletter=newsletter)
            .order_by("reader_id")
            .values_list(
                "reader__email",
                "reader__language",
                "newsletter__slug",
                "status",
                "source",
                "consented_at",
                "confirmed_at",
                "unsubscribed_at",
            )
        )
    yield list(COLUMNS)
    for values in rows.iterator(chunk_size=2000):
        yield [csv_cell(value) for value in values]
