"""Writes for the channels: posting articles to Telegram, one Delivery row per post.

The row is written before the Bot API call and marked after it (DESIGN.md), and it is
QUEUED → SENDING → SENT only through ``claim`` and ``record``: a row is SENDING exactly
while its request may be on the wire. A worker killed then leaves it SENDING, and the sweep
turns it UNCERTAIN, never back to QUEUED, because the Bot API has no idempotency key and
Telegram may have posted it. Nothing here posts an article twice on its own; only an
editor's ``resend`` does.

The pace (``TELEGRAM_POSTS_PER_MINUTE`` per channel) is kept in the channel's row
(``next_slot_at``), which every process reserves from under a row lock, so two workers
together keep the same pace as one.
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

from masthead.channels import posts, queries, telegram
from masthead.channels.models import Delivery, TelegramChannel
from masthead.discovery import links
from masthead.newsroom import renditions
from masthead.newsroom.models import ArticlePage

logger = logging.getLogger(__name__)

# Posts one drain task sends before handing over to a fresh task, so other tasks (a
# sign-in link, a receipt) get the worker between batches of a burst.
DRAIN_BATCH = 20
DRAIN_PRIORITY = 10  # django-tasks: -100 to 100, default 0
# A wait longer than this for the next slot (Telegram's 429) ends the drain: the task is
# deferred to the slot's time, or the sweep picks the channel up again.
MAX_WAIT_SECONDS = 10.0
# Retries after a connection error: 15 s, 30 s, 1 min ... at most 15 min apart, for about
# a day, then the post is failed and shown to editors.
RETRY_BASE_SECONDS = 15
RETRY_MAX_SECONDS = 15 * 60
MAX_ATTEMPTS = 100
# A row SENDING this long after its request's timeout belongs to a worker that died.
STUCK_MARGIN = dt.timedelta(seconds=60)
HERO_SPEC = renditions.SOCIAL_SPEC  # the JPEG of the Open Graph card
# What an editor may send again by hand.
RESENDABLE = (Delivery.State.FAILED, Delivery.State.UNCERTAIN, Delivery.State.SKIPPED)


def ensure_configured_channels() -> list[TelegramChannel]:
    """Create the channels named in ``MASTHEAD_TELEGRAM_CHANNELS``; idempotent (by chat id),
    and an existing channel keeps what editors changed in the admin."""
    created = []
    for language, chat_id in settings.TELEGRAM_CHANNELS:
        channel, is_new = TelegramChannel.objects.get_or_create(
            chat_id=chat_id, defaults={"name": chat_id.lstrip("@"), "language": language}
        )
        if is_new:
            created.append(channel)
    return created


def fan_out_article(*, article: ArticlePage) -> list[Delivery]:
    """Queue the first publish of ``article`` on its matching channels (called on publish).

    Joins the publisher's transaction, so the rows exist exactly when the publish does; the
    Bot API is called by a task after the commit, never in the editor's request. An article
    with a row already (a re-publish) gets no other.
    """
    if not article.post_to_channels:
        return []
    return _queue(article=article, channels=queries.matching_channels(article))


@transaction.atomic
def post_article(*, article: ArticlePage) -> list[Delivery]:
    """An editor's "post to channels": queue ``article`` on the matching channels it has not
    been posted to yet (auto-posting was off, or the channel was added since)."""
    if not ArticlePage.objects.live().filter(pk=article.pk).exists():
        return []  # the database's word: an instance may predate its own publish
    return _queue(article=article, channels=queries.matching_channels(article))


def _queue(*, article: ArticlePage, channels: list[TelegramChannel]) -> list[Delivery]:
    if not channels:
        return []
    if telegram.is_configured():
        rows = [Delivery(channel=c, article=article) for c in channels]
    else:
        # Shown in the article's admin, so an editor sees why nothing was posted and can
        # send it once the token is set.
        reason = _("No bot token: MASTHEAD_TELEGRAM_BOT_TOKEN is not set.")
        rows = [
            Delivery(channel=c, article=article, state=Delivery.State.SKIPPED, api_message=reason)
            for c in channels
        ]
    # ignore_conflicts: the unique (channel, article) keeps an existing row as it is.
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    queued = list(
        Delivery.objects.filter(
            article=article, channel__in=channels, state=Delivery.State.QUEUED, attempts=0
        )
    )
    for channel_id in {row.channel_id for row in queued}:
        transaction.on_commit(lambda pk=channel_id: request_drain(channel_id=pk))
    return queued


@transaction.atomic
def resend(*, delivery: Delivery) -> bool:
    """An editor's re-send of a post that failed, was skipped or may not have gone out;
    False for one that is sent, queued or on the wire (a second post is the editor's
    explicit choice only where the first is in doubt)."""
    updated = Delivery.objects.filter(pk=delivery.pk, state__in=RESENDABLE).update(
        state=Delivery.State.QUEUED,
        next_attempt_at=None,
        error_code=None,
        api_message="",
        updated_at=timezone.now(),
    )
    if updated:
        transaction.on_commit(lambda: request_drain(channel_id=delivery.channel_id))
    return bool(updated)


def mark_sent(*, delivery: Delivery) -> bool:
    """An editor found an uncertain post in the channel: record it as sent."""
    return bool(
        Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.UNCERTAIN).update(
            state=Delivery.State.SENT,
            sent_at=F("claimed_at"),
            api_message=_("Marked as posted by an editor."),
            updated_at=timezone.now(),
        )
    )


def request_drain(*, channel_id: int, run_after: dt.datetime | None = None) -> None:
    """Enqueue the channel's drain task, unless one is already waiting for it."""
    from masthead.channels import tasks  # tasks imports this module

    task = tasks.deliver_channel
    backend = task.get_backend()
    if _drain_waiting(task, channel_id=channel_id):
        return
    if run_after is not None and backend.supports_defer:
        task = task.using(run_after=run_after)
    elif run_after is not None:
        return  # the sweep picks the channel up when its time comes
    if backend.supports_priority:
        # Ahead of Wagtail's index tasks (several per publish): in a burst of publishes
        # the posts would otherwise wait behind thousands of them (bench/channels.py).
        task = task.using(priority=DRAIN_PRIORITY)
    task.enqueue(channel_id=channel_id)


def _drain_waiting(task: object, *, channel_id: int) -> bool:
    # With the database queue every enqueue is a row: a burst of 1,000 publishes needs one
    # waiting drain per channel, not 1,000. Other queues cost nothing to enqueue twice.
    from django_tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=task.module_path,
        args_kwargs={"args": [], "kwargs": {"channel_id": channel_id}},
    ).exists()


def claim(*, channel: TelegramChannel) -> Delivery | dt.datetime | None:
    """Take the channel's next slot and its oldest due post, marked SENDING: the post to
    send now; or the time of the next slot if it has not come; or None if nothing is due.

    One transaction under the channel's row lock (SQLite: the write lock), committed before
    the request is made: of two workers one wins the post, and the slot moves on from the
    moment of the claim, so posts leave at least ``60 / TELEGRAM_POSTS_PER_MINUTE`` seconds
    apart however many processes send, and a slow claim never lets the next one go early.
    """
    interval = dt.timedelta(seconds=60 / settings.TELEGRAM_POSTS_PER_MINUTE)
    with transaction.atomic():
        row = TelegramChannel.objects.select_for_update().get(pk=channel.pk)
        now = timezone.now()
        if row.next_slot_at is not None and row.next_slot_at > now:
            return row.next_slot_at
        pk = queries.due(channel).values_list("pk", flat=True).first()
        if pk is None:
            return None
        Delivery.objects.filter(pk=pk, state=Delivery.State.QUEUED).update(
            state=Delivery.State.SENDING,
            attempts=F("attempts") + 1,
            claimed_at=now,
            updated_at=now,
        )
        row.next_slot_at = now + interval
        row.save(update_fields=["next_slot_at"])
    return Delivery.objects.select_related("channel").get(pk=pk)


def deliver_channel(*, channel: TelegramChannel, batch: int = DRAIN_BATCH) -> int:
    """Send the channel's due posts at its pace, up to ``batch`` of them; how many were
    sent. Hands over to a new task when more are due; stops at the first sign that
    Telegram is down or limiting us, leaving the rest queued for later."""
    done = 0
    while done < batch:
        delivery = claim(channel=channel)
        if delivery is None:
            return done
        if isinstance(delivery, dt.datetime):
            wait = (delivery - timezone.now()).total_seconds()
            if wait > MAX_WAIT_SECONDS:
                request_drain(channel_id=channel.pk, run_after=delivery)
                return done
            time.sleep(max(wait, 0))
            continue
        outcome = send(delivery=delivery)
        done += outcome.kind == telegram.SENT
        if outcome.kind == telegram.RETRY:
            # Down or limiting us: the rest wait too. A 429 says when to come back.
            if outcome.retry_after:
                request_drain(
                    channel_id=channel.pk,
                    run_after=timezone.now() + dt.timedelta(seconds=outcome.retry_after),
                )
            return done
    if queries.due(channel).exists():
        request_drain(channel_id=channel.pk)
    return done


def send(*, delivery: Delivery) -> telegram.Outcome:
    """Make the Bot API call for a SENDING row and record its outcome on the row."""
    channel, article = delivery.channel, _live_article(delivery)
    if not channel.enabled or article is None:
        reason = (
            _("The channel was turned off.")
            if not channel.enabled
            else _("The article is no longer published.")
        )
        _finish(delivery, state=Delivery.State.SKIPPED, api_message=reason)
        return telegram.Outcome(telegram.FAILED, description=reason)
    try:
        post = build_post(article)
    except Exception as exc:  # a page without a site, a broken image: nothing was sent
        logger.exception("Telegram post %s could not be built", delivery.pk)
        _finish(delivery, state=Delivery.State.FAILED, api_message=exc.__class__.__name__)
        return telegram.Outcome(telegram.FAILED, description=exc.__class__.__name__)
    outcome = telegram.send(chat_id=channel.chat_id, post=post)
    if (
        outcome.kind == telegram.FAILED
        and post.method == "sendPhoto"
        and outcome.error_code == 400
        and "chat" not in outcome.description.lower()
    ):
        # Telegram could not fetch or use the photo (a private site, a file too big): a 400
        # means nothing was posted, so the post goes out as text with its link preview.
        outcome = telegram.send(chat_id=channel.chat_id, post=build_post(article, photo=False))
    record(delivery=delivery, outcome=outcome)
    return outcome


def _live_article(delivery: Delivery) -> ArticlePage | None:
    return ArticlePage.objects.live().filter(pk=delivery.article_id).first()


def build_post(article: ArticlePage, *, photo: bool = True) -> posts.Post:
    """Headline, standfirst and link, and the hero image when there is one. Members-only
    articles give nothing more than that: no image, no body."""
    photo_url = _hero_url(article) if photo and not article.members_only else None
    return posts.build(
        headline=article.title,
        standfirst=article.standfirst,
        url=article.get_full_url(),
        photo_url=photo_url,
    )


def _hero_url(article: ArticlePage) -> str | None:
    from wagtail.images.models import SourceImageIOError

    if article.hero_image is None:
        return None
    try:
        rendition = article.hero_image.get_rendition(HERO_SPEC)
    except SourceImageIOError:  # the file is gone from storage: post without it
        return None
    return links.absolute_url(rendition.url, request=None)


def record(*, delivery: Delivery, outcome: telegram.Outcome) -> None:
    """Write what the call did to the row (and, for a 429, to the channel's pace)."""
    now = timezone.now()
    if outcome.kind == telegram.SENT:
        _finish(
            delivery,
            state=Delivery.State.SENT,
            sent_at=now,
            telegram_message_id=outcome.message_id,
            error_code=None,
            api_message="",
        )
    elif outcome.kind == telegram.RETRY and delivery.attempts < MAX_ATTEMPTS:
        if outcome.retry_after:
            later = now + dt.timedelta(seconds=outcome.retry_after)
            # The limit is the chat's: no post to this channel before Telegram's time.
            TelegramChannel.objects.filter(pk=delivery.channel_id).update(next_slot_at=later)
        else:
            backoff = RETRY_BASE_SECONDS * 2 ** min(delivery.attempts - 1, 10)
            later = now + dt.timedelta(seconds=min(backoff, RETRY_MAX_SECONDS))
        _finish(
            delivery,
            state=Delivery.State.QUEUED,
            next_attempt_at=later,
            error_code=outcome.error_code,
            api_message=outcome.description,
        )
    else:
        state = {
            telegram.UNCERTAIN: Delivery.State.UNCERTAIN,
            telegram.RETRY: Delivery.State.FAILED,  # retried for a day: give up
        }.get(outcome.kind, Delivery.State.FAILED)
        _finish(
            delivery, state=state, error_code=outcome.error_code, api_message=outcome.description
        )
        logger.warning(
            "Telegram post %s to %s %s: %s",
            delivery.pk,
            delivery.channel.chat_id,
            state,
            outcome.description,
        )


def _finish(delivery: Delivery, **fields: object) -> None:
    for name, value in fields.items():
        setattr(delivery, name, value)
    delivery.updated_at = timezone.now()
    # Only a SENDING row is finished: an editor's action since then is not overwritten.
    Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENDING).update(
        **fields, updated_at=delivery.updated_at
    )


def sweep() -> dict[str, int]:
    """The scheduler's pass: configured channels exist, rows left SENDING by a dead worker
    become UNCERTAIN, and every channel with due posts gets a drain."""
    created = ensure_configured_channels()
    stuck_before = (
        timezone.now() - dt.timedelta(seconds=settings.TELEGRAM_TIMEOUT_SECONDS) - STUCK_MARGIN
    )
    stuck = Delivery.objects.filter(
        state=Delivery.State.SENDING, claimed_at__lt=stuck_before
    ).update(
        state=Delivery.State.UNCERTAIN,
        api_message=_("The worker stopped while posting: check the channel before re-sending."),
        updated_at=timezone.now(),
    )
    channels = queries.channels_with_due_posts()
    for channel_id in channels:
        request_drain(channel_id=channel_id)
    return {"created": len(created), "uncertain": stuck, "drains": len(channels)}
