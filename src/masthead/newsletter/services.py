"""Writes for newsletters: an edition's lifecycle (draft, digest, schedule, cancel, send now,
preview, test) and what an unsubscribe means for an edition's report.

The crash-safe send itself is sending.py. Consent and suppressions are audience's rows:
this app changes them only through audience.services.
"""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import make_msgid

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat, Lower
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from masthead.audience import services as audience
from masthead.audience.models import Newsletter, Reader, Subscription
from masthead.newsletter import emails, queries
from masthead.newsletter.models import Delivery, Edition

logger = logging.getLogger(__name__)


@transaction.atomic(durable=True)
def create_edition(*, newsletter: Newsletter, subject: str, article: object = None) -> Edition:
    """A draft edition of ``newsletter``, optionally built from one article."""
    return _new_edition(newsletter=newsletter, subject=subject, article=article)


def _new_edition(*, newsletter: Newsletter, subject: str, article: object = None) -> Edition:
    edition = Edition(newsletter=newsletter, subject=subject, article=article)
    edition.full_clean()
    edition.save()
    return edition


class EditionRefused(Exception):  # noqa: N818 (a refusal to tell the editor, not a crash)
    """An action the edition's status does not allow; ``message`` tells the editor why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EmptyDigest(Exception):  # noqa: N818 (an answer: there is nothing to list)
    """No article in the newsletter's language was published after ``since``."""

    def __init__(self, since: dt.datetime) -> None:
        super().__init__(f"no articles since {since.isoformat()}")
        self.since = since


# Statuses an editor may send now from; a cancelled edition may be taken up again, and so
# may a stale one (never sent by itself, but an editor may decide to). Sending and sent
# editions belong to the pipeline.
SENDABLE = [Edition.Status.DRAFT, Edition.Status.CANCELLED, Edition.Status.STALE]
SCHEDULABLE = [*SENDABLE, Edition.Status.SCHEDULED]
CANCELLABLE = [Edition.Status.SCHEDULED, Edition.Status.AWAITING]


@transaction.atomic(durable=True)
def create_digest_edition(
    newsletter: Newsletter, *, subject: str | None = None, since: dt.datetime | None = None
) -> Edition:
    """A draft edition listing the articles published since the newsletter's last edition.

    ``since`` defaults to ``queries.digest_since``; at most ``queries.DIGEST_LIMIT``
    articles in the newsletter's language, newest first. Raises ``EmptyDigest`` when there
    is nothing to list: an empty digest is never made.
    """
    since = since or queries.digest_since(newsletter)
    articles = list(queries.digest_articles(newsletter, since=since))
    if not articles:
        raise EmptyDigest(since)
    if not subject:
        with translation.override(newsletter.language):
            subject = gettext("%(newsletter)s, %(date)s") % {
                "newsletter": newsletter.name,
                "date": date_format(timezone.localdate(), "DATE_FORMAT"),
            }
    edition = _new_edition(newsletter=newsletter, subject=subject)
    edition.articles.set(articles)
    return edition


@transaction.atomic(durable=True)
def schedule_edition(*, edition: Edition, at: dt.datetime) -> Edition:
    """Mark a draft as scheduled for ``at``; a worker's ``send_due_editions`` sends it.

    Raises ``EditionRefused`` once the edition is sending or sent. Whether ``at`` is in the
    future is the form's business: the sweep's tests schedule into the past on purpose.
    """
    changed = Edition.objects.filter(pk=edition.pk, status__in=SCHEDULABLE).update(
        status=Edition.Status.SCHEDULED, scheduled_at=at
    )
    if not changed:
        raise EditionRefused(_("This edition is already being sent or was sent."))
    edition.status = Edition.Status.SCHEDULED
    edition.scheduled_at = at
    return edition


@transaction.atomic
def send_with_publish(
    *,
    article: object,
    newsletter: Newsletter,
    subject: str,
    full_piece: bool = False,
    intro: str = "",
) -> Edition:
    """An edition of ``article`` that goes out when the article goes live (``went_live``).

    Asked for with the article's publish, inside Wagtail's publish: so it waits, whether
    the article goes live a moment later or when scheduled publishing publishes it. One per
    article and newsletter (a cancelled one aside): asking again, with a re-publish or an
    edit, returns the edition already made and sends nothing more.
    """
    existing = publish_edition(article=article, newsletter=newsletter)
    if existing is not None:
        return existing
    edition = Edition(
        newsletter=newsletter,
        subject=subject,
        article=article,
        status=Edition.Status.AWAITING,
        full_piece=full_piece,
        intro=intro,
        with_publish=True,
    )
    edition.full_clean()
    edition.save()
    return edition


def publish_edition(*, article: object, newsletter: Newsletter) -> Edition | None:
    """The edition asked for with a publish of ``article`` to ``newsletter``, if any."""
    return (
        Edition.objects.filter(article=article, newsletter=newsletter, with_publish=True)
        .exclude(status=Edition.Status.CANCELLED)
        .first()
    )


def went_live(*, article: object) -> list[int]:
    """Send the editions waiting for ``article`` (Wagtail's ``page_published``); their ids.

    Each moves from AWAITING to DRAFT in one conditional update before its send task is
    enqueued, so a second publish, or two at once, finds nothing waiting and sends nothing.
    The send itself is the ledger's (sending.send_edition).
    """
    waiting = Edition.objects.filter(article=article, status=Edition.Status.AWAITING)
    started = []
    for pk in waiting.values_list("pk", flat=True):
        if Edition.objects.filter(pk=pk, status=Edition.Status.AWAITING).update(
            status=Edition.Status.DRAFT
        ):
            enqueue_send(edition=Edition(pk=pk))
            started.append(pk)
    return started


@transaction.atomic(durable=True)
def cancel_edition(*, edition: Edition) -> Edition:
    """Call off a scheduled edition, or one waiting for its article; it can be scheduled or
    sent again later.

    CANCELLED, not back to DRAFT: the sweep may already have listed the edition as due,
    and ``send_edition`` sends a draft but leaves a cancelled edition alone. The update is
    conditional, so a send that has started wins and the editor is told.
    """
    changed = Edition.objects.filter(pk=edition.pk, status__in=CANCELLABLE).update(
        status=Edition.Status.CANCELLED, scheduled_at=None
    )
    if not changed:
        raise EditionRefused(_("Only a scheduled edition can be cancelled."))
    edition.status = Edition.Status.CANCELLED
    edition.scheduled_at = None
    return edition


@transaction.atomic(durable=True)
def send_now(*, edition: Edition) -> Edition:
    """Send a draft (or a cancelled or stale edition) in the background, from the admin.

    The status stays DRAFT until the task starts, so a second click enqueues a second
    task; that one finds the edition sending or sent and does nothing more
    (``send_edition`` is idempotent), or shares the ledger with the first worker.
    """
    changed = Edition.objects.filter(pk=edition.pk, status__in=SENDABLE).update(
        status=Edition.Status.DRAFT, scheduled_at=None
    )
    if not changed:
        raise EditionRefused(
            _("Only a draft can be sent now: cancel a scheduled edition first.")
            if Edition.objects.filter(pk=edition.pk, status=Edition.Status.SCHEDULED).exists()
            else _("This edition is already being sent or was sent.")
        )
    enqueue_send(edition=edition)
    return edition


def enqueue_send(*, edition: Edition) -> None:
    """Send ``edition`` in the background (the task is enqueued on commit)."""
    from masthead.newsletter import tasks  # tasks imports this module

    tasks.send_edition.enqueue(edition_id=edition.pk)


# No reader has id 0: the unsubscribe link in a preview or a test leads to the "link not
# valid" page and can end no one's subscription.
_PREVIEW_READER_ID = 0


def preview_message(*, edition: Edition, email: str) -> EmailMessage:
    """The message a subscriber would get, addressed to ``email``; no Delivery is written.

    A member's copy, when members get another (the full piece of a members-only article):
    the editor sees everything the edition carries.
    """
    stand_in = Delivery(pk=0, edition=edition, reader_id=_PREVIEW_READER_ID, email=email)
    return emails.build_message(
        edition=edition, content=emails.edition_content(edition, members=True), delivery=stand_in
    )


def send_test_message(*, edition: Edition, email: str) -> None:
    """Send one copy of ``edition`` to ``email`` (an editor), marked as a test, right now."""
    message = preview_message(edition=edition, email=email)
    message.subject = gettext("[Test] %(subject)s") % {"subject": message.subject}
    # Its own Message-ID: clients fold copies sharing one into one, and the stable ID
    # belongs to the real send.
    message.extra_headers["Message-ID"] = make_msgid(domain=emails.mail_domain())
    message.send()


@transaction.atomic
def unsubscribe(
    *, reader_id: int, newsletter_id: int, source: str = Subscription.Source.LINK
) -> bool:
    """End one reader's subscription to one newsletter; True if it was active. Idempotent.

    Through audience's door (``end_subscription``, which logs the consent event); the
    unsubscribe is counted, in the same commit, against the edition most likely clicked:
    the newest one this reader got.
    """
    changed = audience.end_subscription(
        reader_id=reader_id, newsletter_id=newsletter_id, source=source
    )
    if changed:
        latest = (
            Delivery.objects.filter(
                reader_id=reader_id,
                edition__newsletter_id=newsletter_id,
                status=Delivery.Status.SENT,
                unsubscribed_at__isnull=True,
            )
            .order_by("-sent_at", "-pk")
            .values_list("pk", flat=True)
            .first()
        )
        if latest:
            Delivery.objects.filter(pk=latest).update(unsubscribed_at=timezone.now())
    return changed


def scrub_reader(*, reader: Reader) -> None:
    """Erasure's part for newsletters (audience.hooks.erasing), in erasure's transaction.

    Delivery rows are kept for the editions' counts but anonymised: the address becomes
    ``erased-<id>@invalid`` (unique per row, as the one-delivery-per-address constraint
    needs) and the reader link is cleared; rows still waiting to be sent are skipped. Rows
    of this reader, and rows without a reader that carry this address, are scrubbed; rows
    of another reader who used the address before are theirs and stay.
    """
    carried = Delivery.objects.alias(email_ci=Lower("email")).filter(
        Q(reader=reader) | Q(reader__isnull=True, email_ci=reader.email.lower())
    )
    carried.filter(status=Delivery.Status.PENDING).update(status=Delivery.Status.SKIPPED)
    carried.update(
        reader=None,
        email=Concat(Value("erased-"), Cast("pk", CharField()), Value("@invalid")),
    )
