"""``/webhooks/whatsapp/``: Meta's verify handshake (GET) and its notifications (POST).

A POST is believed only with a valid ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body,
keyed with the app secret): otherwise 403 and nothing is stored. Each status, inbound
message and preference change in it is stored once in the inbox under its own id (a
redelivery, or the same status in two deliveries, finds its row and changes nothing), and
the worker applies it through ``handle_inbox_event``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from masthead.channels.whatsapp import graph, services
from masthead.inbox import handlers
from masthead.inbox import services as inbox
from masthead.inbox.models import Event

log = logging.getLogger(__name__)

PROVIDER = "whatsapp"
# How long a status may name a message id that no row has yet, before it is ignored: the
# row gets its id when Meta's answer is recorded, usually within a second.
UNKNOWN_ID_GRACE = dt.timedelta(minutes=30)


def _text(status: int, body: str) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain")


@csrf_exempt  # Meta posts without a CSRF token; the signature is the check
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify_handshake(request)
    body = request.body
    if not graph.signature_is_valid(body, request.headers.get("X-Hub-Signature-256", "")):
        log.warning("WhatsApp webhook refused: bad or missing signature")
        return _text(403, "Bad or missing X-Hub-Signature-256.")
    try:
        payload = json.loads(body)
    except ValueError:
        return _text(400, "The body is not JSON.")
    items = list(_items(payload))
    with transaction.atomic():
        for event_id, kind, item in items:
            inbox.receive(provider=PROVIDER, event_id=event_id, kind=kind, payload=item)
    return _text(200, f"Stored {len(items)}.")


def _verify_handshake(request: HttpRequest) -> HttpResponse:
    """Meta's subscription check: echo hub.challenge when hub.verify_token is ours."""
    expected = settings.WHATSAPP_VERIFY_TOKEN
    given = request.GET.get("hub.verify_token", "")
    if (
        expected
        and request.GET.get("hub.mode") == "subscribe"
        and hmac.compare_digest(given.encode(), expected.encode())
    ):
        return _text(200, request.GET.get("hub.challenge", ""))
    return _text(403, "Verification failed.")


def _items(payload: object) -> list[tuple[str, str, dict]]:
    """(event id, kind, item) for every status, message and preference change."""
    found = []
    entries = payload.get("entry") if isinstance(payload, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            for status in _dicts(value.get("statuses")):
                if status.get("id") and status.get("status"):
                    found.append((f"status:{status['id']}:{status['status']}", "status", status))
            for message in _dicts(value.get("messages")):
                if message.get("id"):
                    found.append((f"message:{message['id']}", "message", message))
            for pref in _dicts(value.get("user_preferences")):
                key = f"preference:{pref.get('wa_id')}:{pref.get('timestamp')}:{pref.get('value')}"
                found.append((key, "preference", pref))
    return found


def _dicts(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def handle_inbox_event(event: Event) -> None:
    """The worker's side: apply one stored item (registered in ChannelsConfig.ready)."""
    item = event.payload if isinstance(event.payload, dict) else {}
    if event.kind == "status":
        try:
            services.apply_status(status=item)
        except services.NotYetKnown:
            if timezone.now() - event.received_at > UNKNOWN_ID_GRACE:
                raise handlers.Ignored("Not a message Masthead sent.") from None
            raise  # failed: the inbox tries again shortly, once the row has its id
    elif event.kind == "message":
        text = (item.get("text") or {}).get("body") if isinstance(item.get("text"), dict) else ""
        if item.get("type") == "button" and isinstance(item.get("button"), dict):
            text = item["button"].get("text") or item["button"].get("payload") or ""
        if not services.apply_inbound(wa_id=str(item.get("from") or ""), text=str(text or "")):
            raise handlers.Ignored("Not an opt-out.")
    elif event.kind == "preference":
        done = services.apply_preference(
            wa_id=str(item.get("wa_id") or ""),
            value=str(item.get("value") or ""),
            category=str(item.get("category") or ""),
        )
        if not done:
            raise handlers.Ignored("Not an opt-out.")
    else:
        raise handlers.Ignored(f"Not a kind Masthead uses: {event.kind}.")
