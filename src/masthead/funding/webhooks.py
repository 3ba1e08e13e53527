"""Provider notifications: verified in the request, stored in the inbox, applied in the worker.

``/webhooks/payments/<provider>/`` is stable for outside callers. The view only asks the
adapter to verify the request (a refusal is a 4xx with the reason and writes nothing), then
stores the event once by (provider, event id) and answers 200; a redelivery finds the
stored row and answers 200 too. The worker hands the stored event to the adapter's
``process`` (handle_inbox_event), which fetches the provider's current objects and writes
through funding.ledger; ``NotReady`` (an invoice for a customer we do not know yet) fails
the event, and the inbox tries it again later with a growing wait.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from masthead.funding import providers
from masthead.funding.providers.base import Notification, NotReady, Refused
from masthead.inbox import handlers
from masthead.inbox import services as inbox
from masthead.inbox.models import Event

log = logging.getLogger(__name__)


@csrf_exempt  # providers post without a CSRF token; the signature is the check
@require_POST
def payment_notification(request: HttpRequest, provider: str) -> HttpResponse:
    try:
        adapter = providers.get(provider)
    except providers.UnknownProvider:
        raise Http404("No such payment provider is switched on.") from None
    try:
        notification = adapter.verify(request)
    except Refused as refusal:
        log.warning("%s notification refused: %s", provider, refusal.reason)
        return HttpResponse(refusal.reason, status=refusal.status, content_type="text/plain")
    if notification is None:
        return HttpResponse("Ignored: not an event Masthead uses.", content_type="text/plain")
    inbox.receive(
        provider=provider,
        event_id=notification.event_id,
        kind=notification.kind,
        payload=notification.payload,
    )
    return HttpResponse("Stored.", content_type="text/plain")


def handle_inbox_event(event: Event) -> None:
    try:
        adapter = providers.get(event.provider)
    except providers.UnknownProvider:
        raise handlers.Ignored(f"The {event.provider} provider is switched off.") from None
    notification = Notification(event_id=event.event_id, kind=event.kind, payload=event.payload)
    try:
        adapter.process(notification)
    except NotReady as wait:
        # Failed, so the inbox retries it with a doubling wait (a day-late customer event).
        raise RuntimeError(f"Not ready yet: {wait}") from None


CSRF_EXEMPT_VIEWS = ("funding_webhooks:payment_notification",)
