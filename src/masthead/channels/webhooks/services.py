"""Writes for outgoing webhooks: queue a message per endpoint, deliver it, record the outcome.

The row is written before the first attempt and marked after each one (DESIGN.md), and it
moves PENDING → SENDING → DELIVERED/FAILED only through ``claim`` and ``record``. Unlike a
Telegram post, a webhook may be sent twice: every attempt carries the message's
``webhook-id``, which Standard Webhooks receivers deduplicate on. So a row a dead worker
left SENDING is simply sent again by the sweep, and nothing is ever lost.

Retries follow the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h),
then the message is failed. A 410 disables the endpoint at once; so do
``WEBHOOK_DISABLE_AFTER_FAILURES`` failed attempts in a row, and editors see a notice on
the admin dashboard (admin.py) until they turn it on again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import PageLogEntry

from masthead.channels.webhooks import client, signing
from masthead.channels.webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from masthead.newsroom.models import ArticlePage

logger = logging.getLogger(__name__)

RETRY_SCHEDULE_SECONDS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
MAX_ATTEMPTS = len(RETRY_SCHEDULE_SECONDS) + 1
# A row SENDING this long after its attempt began belongs to a worker that died.
STUCK_MARGIN = dt.timedelta(seconds=60)


def event_for_publish(article: ArticlePage) -> str:
    """article.published for a first publish or one after an unpublish; else .updated.

    Read from the page's log rather than its dates (a publish from a stale copy can reset
    first_published_at): the last publish or unpublish logged before this publish, whose
    own entry Wagtail writes after the signal, or not at all for some callers.
    """
    previous = (
        PageLogEntry.objects.filter(
            page_id=article.pk,
            action__in=["wagtail.publish", "wagtail.unpublish"],
            timestamp__lt=article.last_published_at,
        )
        .order_by("-timestamp", "-id")
        .values_list("action", flat=True)
        .first()
    )
    if previous is None or previous == "wagtail.unpublish":
        return Event.ARTICLE_PUBLISHED
    return Event.ARTICLE_UPDATED


def payload(*, article: ArticlePage, event: str) -> dict:
    """What receivers get: the article's public front and where to read the rest.

    Never the body: a members-only article's text is for members (the content API gives a
    free article's body to whoever asks).
    """
    section = article.get_parent()
    return {
        "type": event,
        "timestamp": timezone.now().isoformat(),
        "data": {
            "id": article.pk,
            "title": article.title,
            "standfirst": article.standfirst,
            "kind": article.kind,
            "locale": article.locale.language_code,
            "members_only": article.members_only,
            "url": article.get_full_url(),
            "api_url": f"{settings.BASE_URL}/api/v2/pages/{article.pk}/",
            "section": {"id": section.pk, "title": section.title} if section else None,
            "first_published_at": _iso(article.first_published_at),
            "last_published_at": _iso(article.last_published_at),
        },
    }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def notify_article(*, article: ArticlePage, event: str) -> list[WebhookDelivery]:
    """Queue ``event`` about ``article`` for every enabled endpoint that wants it.

    Joins the caller's transaction (the publish), so the rows exist exactly when the
    publish does; the requests are made by tasks after the commit, never in the editor's.
    """
    endpoints = [e for e in WebhookEndpoint.objects.filter(enabled=True) if e.wants(event)]
    if not endpoints:
        return []
    body = json.dumps(payload(article=article, event=event), ensure_ascii=False)
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            message_id=signing.new_message_id(),
            event=event,
            article=article,
            body=body,
        )
        for endpoint in endpoints
    )
    for row in rows:
        transaction.on_commit(lambda pk=row.pk: request_delivery(delivery_id=pk))
    return rows


def request_delivery(*, delivery_id: int, run_after: dt.datetime | None = None) -> None:
    """Enqueue the delivery task; a deferred one only where the queue can defer (else the
    sweep starts it when it is due)."""
    from masthead.channels.webhooks import tasks  # tasks imports this module

    task = tasks.deliver_webhook
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id=delivery_id)


def claim(*, delivery_id: int) -> WebhookDelivery | None:
    """Mark a due PENDING row SENDING (one attempt more) and return it; None if it is not
    due, or another worker has it. The UPDATE commits before the request is made."""
    now = timezone.now()
    won = (
        WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            state=WebhookDelivery.State.SENDING,
            attempts=F("attempts") + 1,
            claimed_at=now,
            updated_at=now,
        )
    )
    if not won:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """One attempt at a due message; the row afterwards (None: nothing was due)."""
    delivery = claim(delivery_id=delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        _finish(
            delivery,
            state=WebhookDelivery.State.CANCELLED,
            last_error=_("The endpoint is disabled."),
        )
        return delivery
    outcome = client.post(
        url=endpoint.url,
        secret=endpoint.secret,
        message_id=delivery.message_id,
        body=delivery.body,
    )
    record(delivery=delivery, outcome=outcome)
    return delivery


def record(*, delivery: WebhookDelivery, outcome: client.Outcome) -> None:
    """Write an attempt's outcome to the row and to the endpoint's failure count."""
    now = timezone.now()
    endpoint = delivery.endpoint
    fields: dict[str, object] = {"status_code": outcome.status_code, "last_error": outcome.error}
    if outcome.kind == client.DELIVERED:
        _finish(delivery, state=WebhookDelivery.State.DELIVERED, delivered_at=now, **fields)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failures_in_a_row=0)
        return
    if outcome.kind == client.RETRY and delivery.attempts < MAX_ATTEMPTS:
        later = now + dt.timedelta(seconds=RETRY_SCHEDULE_SECONDS[delivery.attempts - 1])
        _finish(delivery, state=WebhookDelivery.State.PENDING, next_attempt_at=later, **fields)
        request_delivery(delivery_id=delivery.pk, run_after=later)
    else:
        _finish(delivery, state=WebhookDelivery.State.FAILED, **fields)
    logger.warning(
        "Webhook %s to endpoint %s: %s", delivery.message_id, endpoint.pk, outcome.error
    )
    if outcome.kind == client.GONE:
        disable_endpoint(endpoint=endpoint, reason=outcome.error)
        return
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failures_in_a_row=F("failures_in_a_row") + 1
    )
    endpoint.refresh_from_db(fields=["failures_in_a_row"])
    if endpoint.failures_in_a_row >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        reason = _("%(count)s failed attempts in a row; the last: %(error)s") % {
            "count": endpoint.failures_in_a_row,
            "error": outcome.error,
        }
        disable_endpoint(endpoint=endpoint, reason=reason)


@transaction.atomic
def disable_endpoint(*, endpoint: WebhookEndpoint, reason: str) -> None:
    """Turn ``endpoint`` off, cancel what it still had to receive, and leave the reason for
    the editors' notice. Turning it on again in the admin starts a fresh count."""
    now = timezone.now()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        enabled=False, disabled_reason=reason, disabled_at=now, failures_in_a_row=0
    )
    WebhookDelivery.objects.filter(endpoint=endpoint, state=WebhookDelivery.State.PENDING).update(
        state=WebhookDelivery.State.CANCELLED,
        last_error=_("The endpoint was disabled."),
        updated_at=now,
    )
    logger.warning("Webhook endpoint %s disabled: %s", endpoint.pk, reason)


def _finish(delivery: WebhookDelivery, **fields: object) -> None:
    for name, value in fields.items():
        setattr(delivery, name, value)
    delivery.updated_at = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk, state=WebhookDelivery.State.SENDING).update(
        **fields, updated_at=delivery.updated_at
    )


def sweep() -> dict[str, int]:
    """The scheduler's pass: rows a dead worker left SENDING go back to PENDING (same
    webhook-id, so receivers drop a duplicate), and every due row gets a task."""
    now = timezone.now()
    stuck_before = now - dt.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS) - STUCK_MARGIN
    stuck = WebhookDelivery.objects.filter(
        state=WebhookDelivery.State.SENDING, claimed_at__lt=stuck_before
    ).update(state=WebhookDelivery.State.PENDING, next_attempt_at=None, updated_at=now)
    due = list(
        WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .values_list("pk", flat=True)
    )
    for pk in due:
        request_delivery(delivery_id=pk)
    return {"resumed": stuck, "due": len(due)}
