"""The newsletter app's part in a reader's erasure and data export (audience/hooks.py)."""

from __future__ import annotations

from masthead.audience.models import Reader
from masthead.newsletter import queries, services


def on_erasing(sender: object, reader: Reader, **kwargs: object) -> None:
    """Anonymise the reader's deliveries, inside erasure's transaction."""
    services.scrub_reader(reader=reader)


def on_exporting(sender: object, reader: Reader, **kwargs: object) -> dict:
    """The reader's deliveries, for their data download."""
    return {"deliveries": queries.reader_deliveries(reader)}
