"""What the apps above audience hold about a reader: they register here, audience calls them.

audience is the ground floor (DESIGN.md): it imports no app about readers, yet a reader's
data export and erasure must cover what every such app keeps (newsletter deliveries,
payments, channel followers). Each app connects a receiver in its ``AppConfig.ready()``:

- ``erasing`` is sent inside ``services.erase_reader``'s transaction, before the Reader row
  is deleted, with ``reader``: scrub or delete what you hold about them. An exception rolls
  the whole erasure back, so a reader is never half erased. Raise ``ErasureBlocked`` with a
  sentence for the reader when the erasure must wait (a payment provider could not cancel
  a recurring payment): the account page shows it and the reader can try again.
- ``exporting`` is sent by ``queries.reader_data`` with ``reader``: return a dict of
  JSON-ready sections, merged into the reader's download.
- ``account_sections`` is sent by the account page with ``request`` and ``reader``: return
  ``(template_name, context)`` for a section of the page (a membership, payments), or None
  to show nothing. The section's template gets the page's context plus ``section`` (the
  returned context); it is rendered inside the page's never-cached response.

Django's ``Signal`` is the registry (a list of receivers with ``dispatch_uid`` dedupe);
nothing here runs implicitly on a model save.
"""

from __future__ import annotations

from django.dispatch import Signal


class ErasureBlocked(Exception):  # noqa: N818 (an answer to the reader)
    """The erasure cannot happen now; the message (translated) says why to the reader."""


erasing = Signal()
exporting = Signal()
account_sections = Signal()
