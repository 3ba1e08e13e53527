"""Sending WhatsApp updates: one message row per follower per article or day's digest,
sent within the month's budget at a pace, through the Graph API adapter (graph.py).

The row is written before the call and marked after (DESIGN.md), QUEUED → SENDING → SENT
only through ``claim`` and ``record``, exactly as the Telegram posts in channels/services.py:
a row is SENDING only while its request may be on the wire, and one left so by a dead
worker becomes UNCERTAIN, never QUEUED, since the messages endpoint has no idempotency key.
Nothing here sends a message twice on its own.

Budget and pace live in the month's row (WhatsAppMonth), reserved under its row lock: a
message counts against the budget when it is claimed, and is given back when Meta
certainly did not take it (a connection refused, a throttle, a refusal). At the cap the
due rows become OVER_BUDGET and nothing more is sent that month.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead.channels.whatsapp import graph, queries
from masthead.channels.whatsapp.models import WhatsAppAnnouncement, WhatsAppMessage, WhatsAppMonth
from masthead.newsroom.models import ArticlePage

logger = logging.getLogger(__name__)

State = WhatsAppMessage.State
DRAIN_BATCH = 50
DRAIN_PRIORITY = 10  # as the Telegram drain: ahead of Wagtail's index tasks
MAX_WAIT_SECONDS = 10.0
# Retries after a connection error or a throttle: 15 s, 30 s, 1 min ... at most 15 min apart.
RETRY_BASE_SECONDS = 15
RETRY_MAX_SECONDS = 15 * 60
MAX_ATTEMPTS = 100
# A row SENDING this long after its request's timeout belongs to a worker that died.
STUCK_MARGIN = dt.timedelta(seconds=60)


def fan_out_article(*, article: ArticlePage) -> int:
    """Queue the first publish of ``article`` for every opted-in follower of its language
    who chose every article; how many rows were written. Joins the publisher's transaction;
    the Graph API is called by a task after the commit. Nothing at all when WhatsApp is not
    configured or auto-posting is off for the article."""
    if not graph.is_configured() or not article.post_to_channels:
        return 0
    language = article.locale.language_code
    WhatsAppAnnouncement.objects.get_or_create(
        article=article,
        defaults={
            "language": language,
            "published_at": article.first_published_at or timezone.now(),
        },
    )
    followers = queries.every_article_followers(language).values_list("pk", flat=True)
    rows = [
        WhatsAppMessage(follower_id=pk, article=article, kind=WhatsAppMessage.Kind.ARTICLE)
        for pk in followers.iterator()
    ]
    # ignore_conflicts: the unique (follower, article) keeps an existing row as it is.
    WhatsAppMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    if rows:
        transaction.on_commit(request_drain)
    return len(rows)


def queue_digests(*, day: dt.date) -> int:
    """One digest row per digest follower whose language had articles in ``day``'s window;
    idempotent (unique per follower and day). Called by the scheduler after the hour."""
    if not graph.is_configured():
        return 0
    languages = queries.digest_languages(day)
    if not languages:
        return 0
    followers = queries.digest_followers().filter(reader__language__in=languages)
    rows = [
        WhatsAppMessage(follower_id=pk, digest_date=day, kind=WhatsAppMessage.Kind.DIGEST)
        for pk in followers.values_list("pk", flat=True).iterator()
    ]
    with transaction.atomic():
        WhatsAppMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        if rows:
            transaction.on_commit(request_drain)
    return len(rows)


# What an editor may send again: messages that may not have gone out (the request's answer
# was lost) and those the month's budget held back. Never a failed one (Meta refused it:
# the number is not on WhatsApp, the template was rejected) or one delivered.
RESENDABLE = (State.UNCERTAIN, State.OVER_BUDGET)


def resend(*, article_id: int) -> int:
    """An editor's "send again" for an article's uncertain and held-back messages; how many.

    An uncertain message may already be on the reader's phone: sending it again is the
    editor's explicit choice (Meta's status webhooks move many out of "uncertain" first).
    Each counts against the month's budget again when the worker claims it.
    """
    with transaction.atomic():
        queued = WhatsAppMessage.objects.filter(
            article_id=article_id, kind=WhatsAppMessage.Kind.ARTICLE, state__in=RESENDABLE
        ).update(
            state=State.QUEUED,
            next_attempt_at=None,
            error_code=None,
            api_message="",
            updated_at=timezone.now(),
        )
        if queued:
            transaction.on_commit(request_drain)
    return queued


def request_drain(*, run_after: dt.datetime | None = None) -> None:
    """Enqueue the drain task, unless one is already waiting for it."""
    from masthead.channels import tasks  # tasks imports this module

    task = tasks.deliver_whatsapp
    backend = task.get_backend()
    if _drain_waiting(task):
        return
    if run_after is not None and backend.supports_defer:
        task = task.using(run_after=run_after)
    elif run_after is not None:
        return  # the sweep picks it up when its time comes
    if backend.supports_priority:
        task = task.using(priority=DRAIN_PRIORITY)
    task.enqueue()


def _drain_waiting(task: object) -> bool:
    # As channels/services.py: a burst needs one waiting drain, not one per publish.
    from django_tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=task.module_path
    ).exists()


def claim() -> WhatsAppMessage | dt.datetime | None:
    """Take the next slot, a unit of the month's budget and the oldest due message, marked
    SENDING: the message to send now; or the time of the next slot; or None when nothing
    is due (or the budget is spent: then every due message is marked OVER_BUDGET).

    One transaction under the month's row lock, committed before the request is made, so
    two workers keep one pace and never spend one unit twice.
    """
    interval = dt.timedelta(seconds=1 / settings.WHATSAPP_PER_SECOND)
    with transaction.atomic():
        key = queries.month_key()
        WhatsAppMonth.objects.get_or_create(month=key)
        month = WhatsAppMonth.objects.select_for_update().get(month=key)
        now = timezone.now()
        if month.next_slot_at is not None and month.next_slot_at > now:
            return month.next_slot_at
        due = queries.due()
        pk = due.values_list("pk", flat=True).first()
        if pk is None:
            return None
        if month.used >= settings.WHATSAPP_MONTHLY_BUDGET:
            over = due.update(
                state=State.OVER_BUDGET,
                api_message=_("The month's WhatsApp budget was spent."),
                updated_at=now,
            )
            logger.warning("WhatsApp budget of %s spent: %s messages not sent", key, over)
            return None
        WhatsAppMessage.objects.filter(pk=pk, state=State.QUEUED).update(
            state=State.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
        )
        month.used += 1
        month.next_slot_at = now + interval
        month.save(update_fields=["used", "next_slot_at"])
    return WhatsAppMessage.objects.select_related("follower__reader", "article").get(pk=pk)


def deliver(*, batch: int | None = None) -> int:
    """Send due messages at the pace, up to ``batch`` (DRAIN_BATCH); how many Meta accepted.
    Hands over to a new task when more are due, so other tasks get the worker between
    batches; stops at the first sign Meta is down or throttling."""
    batch = batch or DRAIN_BATCH
    _skip_unreachable()
    done = 0
    while done < batch:
        message = claim()
        if message is None:
            return done
        if isinstance(message, dt.datetime):
            wait = (message - timezone.now()).total_seconds()
            if wait > MAX_WAIT_SECONDS:
                request_drain(run_after=message)
                return done
            time.sleep(max(wait, 0))
            continue
        outcome = send(message=message)
        done += outcome.kind == graph.SENT
        if outcome.kind == graph.RETRY:
            return done  # the sweep comes back when the backoff is over
    if queries.due().exists():
        request_drain()
    return done


def _skip_unreachable() -> None:
    """Rows of readers who stopped (or were erased) since they were queued: skipped before a
    batch, so they take no slot. Once per batch, not per claim: in a burst the queue is
    long. ``send`` checks each row again, for one that stops in between."""
    now, due = timezone.now(), queries.due()
    due.filter(follower__active=False).update(
        state=State.SKIPPED, api_message=_("The reader opted out."), updated_at=now
    )
    due.filter(follower__isnull=True).update(
        state=State.SKIPPED, api_message=_("The reader's account was deleted."), updated_at=now
    )


def send(*, message: WhatsAppMessage) -> graph.Outcome:
    """Make the Graph API call for a SENDING row and record its outcome on the row."""
    follower = message.follower
    if follower is None or not follower.active:
        return _skip(message, _("The reader opted out."))
    template = _template(message, follower.reader.language)
    if template is None:
        return _skip(message, _("The article is no longer published."))
    (name, code), parameters = template
    outcome = graph.send_template(
        to=follower.phone, name=name, language=code, parameters=parameters
    )
    record(message=message, outcome=outcome)
    return outcome


def _skip(message: WhatsAppMessage, reason: str) -> graph.Outcome:
    _refund(message)
    _finish(message, state=State.SKIPPED, api_message=reason)
    return graph.Outcome(graph.FAILED, description=reason)


def _template(message: WhatsAppMessage, language: str) -> tuple[tuple[str, str], list[str]] | None:
    """The template (name, language code) and its text: headline and link, and in a digest
    how many more. Never more than that, so a members-only article gives away nothing."""

    def pick(templates: dict[str, tuple[str, str]]) -> tuple[str, str]:
        return templates.get(language) or templates[settings.LANGUAGE_CODE]

    if message.kind == WhatsAppMessage.Kind.ARTICLE:
        article = ArticlePage.objects.live().filter(pk=message.article_id).first()
        if article is None:
            return None
        return pick(settings.WHATSAPP_TEMPLATES), [article.title, article.get_full_url()]
    items = queries.digest_articles(message.digest_date, language)
    if not items:
        return None
    newest = items[0].article.specific
    params = [newest.title, newest.get_full_url()]
    if len(items) == 1:  # "and 0 more" reads badly: a one-article day is that article's
        return pick(settings.WHATSAPP_TEMPLATES), params
    return pick(settings.WHATSAPP_DIGEST_TEMPLATES), [*params, str(len(items) - 1)]


def record(*, message: WhatsAppMessage, outcome: graph.Outcome) -> None:
    """Write what the call did to the row; give the budget unit back if nothing was sent."""
    now = timezone.now()
    if outcome.kind == graph.SENT:
        _finish(
            message,
            state=State.SENT,
            sent_at=now,
            wamid=outcome.wamid,
            error_code=None,
            api_message="",
        )
        return
    if outcome.kind == graph.UNCERTAIN:
        # Perhaps sent and billed: the unit stays spent.
        _finish(
            message,
            state=State.UNCERTAIN,
            error_code=outcome.error_code,
            api_message=outcome.description,
        )
        logger.warning("WhatsApp message %s uncertain: %s", message.pk, outcome.description)
        return
    _refund(message)
    if outcome.kind == graph.RETRY and message.attempts < MAX_ATTEMPTS:
        backoff = RETRY_BASE_SECONDS * 2 ** min(message.attempts - 1, 10)
        _finish(
            message,
            state=State.QUEUED,
            next_attempt_at=now + dt.timedelta(seconds=min(backoff, RETRY_MAX_SECONDS)),
            error_code=outcome.error_code,
            api_message=outcome.description,
        )
        return
    _finish(
        message, state=State.FAILED, error_code=outcome.error_code, api_message=outcome.description
    )
    logger.warning("WhatsApp message %s failed: %s", message.pk, outcome.description)


def _refund(message: WhatsAppMessage) -> None:
    # The month the unit was taken from, even if the answer came after midnight.
    key = queries.month_key(message.claimed_at)
    WhatsAppMonth.objects.filter(month=key, used__gt=0).update(used=F("used") - 1)


def _finish(message: WhatsAppMessage, **fields: object) -> None:
    for name, value in fields.items():
        setattr(message, name, value)
    # Only a SENDING row is finished: a status or an opt-out since then is not overwritten.
    WhatsAppMessage.objects.filter(pk=message.pk, state=State.SENDING).update(
        **fields, updated_at=timezone.now()
    )


def sweep() -> dict[str, int]:
    """The scheduler's pass: rows a dead worker left SENDING become UNCERTAIN, the day's
    digests are queued once the hour has come, and due messages get a drain."""
    if not graph.is_configured():
        return {"uncertain": 0, "digests": 0, "drain": 0}
    stuck_before = (
        timezone.now() - dt.timedelta(seconds=settings.WHATSAPP_TIMEOUT_SECONDS) - STUCK_MARGIN
    )
    stuck = WhatsAppMessage.objects.filter(
        state=State.SENDING, claimed_at__lt=stuck_before
    ).update(
        state=State.UNCERTAIN,
        api_message=_("The worker stopped while sending: it may have gone out."),
        updated_at=timezone.now(),
    )
    now = timezone.localtime()
    digests = 0
    if (
        now.hour >= settings.WHATSAPP_DIGEST_HOUR
        and not WhatsAppMessage.objects.filter(
            kind=WhatsAppMessage.Kind.DIGEST, digest_date=now.date()
        ).exists()
    ):
        digests = queue_digests(day=now.date())
    drain = queries.due().exists()
    if drain:
        request_drain()
    return {"uncertain": stuck, "digests": digests, "drain": int(drain)}
