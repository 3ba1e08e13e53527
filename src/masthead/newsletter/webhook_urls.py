"""The ESPs' webhooks (django-anymail): /webhooks/email/<esp>/tracking/ and .../inbound/.

Tracking reports bounces and complaints; inbound passes on mail sent to the
List-Unsubscribe ``mailto:`` address (inbound.py). Anymail's own views, with four changes:

- only those two kinds, for the ESPs anymail supports;
- a tracking event is not acted on in the request: once anymail has verified and parsed
  the post, each event is stored once in the inbox (by the ESP's event id) and processed
  by the worker (tracking.handle_inbox_event); a redelivery answers 200 and changes
  nothing;
- off (403) while ``ANYMAIL["WEBHOOK_SECRET"]`` is empty, because anymail would then
  accept anyone's posts (with only a warning) and anyone could suppress any address
  (403, not 404: the endpoint exists, it is switched off);
- a body that is not what the ESP sends (malformed JSON, missing fields) is a 400, not
  a 500 that the ESP would retry for days. Errors in our own receiver stay 500s, so the
  ESP redelivers the event once the problem is fixed.
"""

from __future__ import annotations

import functools
import hashlib
import json

from anymail import urls as anymail_urls
from anymail.signals import AnymailTrackingEvent, tracking
from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import URLPattern
from django.utils.text import slugify

from masthead.inbox import services as inbox

app_name = "anymail"

# Payload shapes anymail's parsers choke on when a body is not the ESP's.
_MALFORMED = (ValueError, KeyError, TypeError, AttributeError, IndexError)


def enabled() -> bool:
    return bool(getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"))


def _strict(view_class: type) -> type:
    class Strict(view_class):
        def run_validators(self, request: HttpRequest) -> None:
            try:
                super().run_validators(request)
            except _MALFORMED as exc:  # Mailgun reads the JSON body to check the signature
                raise BadRequest(f"malformed {self.esp_name} webhook body") from exc

        def parse_events(self, request: HttpRequest) -> list:
            try:
                return super().parse_events(request)
            except _MALFORMED as exc:
                raise BadRequest(f"malformed {self.esp_name} webhook body") from exc

        def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if self.signal is not tracking:  # inbound mail keeps anymail's own post()
                return super().post(request, *args, **kwargs)
            self.run_validators(request)
            events = self.parse_events(request)
            with transaction.atomic():  # all of one post's events, or none (the ESP retries)
                for event in events:
                    store_tracking_event(event, esp_name=self.esp_name)
            return HttpResponse()

    Strict.__name__ = Strict.__qualname__ = view_class.__name__
    return Strict


def provider_name(esp_name: str) -> str:
    """The inbox provider of an ESP's tracking events: ``anymail:postmark``, ..."""
    return f"anymail:{slugify(esp_name)}"


def store_tracking_event(event: AnymailTrackingEvent, *, esp_name: str) -> None:
    """Store one verified tracking event in the inbox, once (tracking.py processes it)."""
    raw = inbox.json_ready(event.esp_event)
    payload = {
        "esp_name": esp_name,
        "event_type": event.event_type,
        "timestamp": event.timestamp,
        "recipient": event.recipient,
        "message_id": event.message_id,
        "reject_reason": event.reject_reason,
        "description": event.description,
        "mta_response": event.mta_response,
        "esp_event": raw,
    }
    # Some ESPs give no event id: the raw event's digest identifies a redelivery instead.
    event_id = (
        event.event_id or hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()
    )
    inbox.receive(
        provider=provider_name(esp_name),
        event_id=str(event_id),
        kind=str(event.event_type or ""),
        payload=payload,
    )


def _only_with_secret(view: object) -> object:
    @functools.wraps(view)  # keeps csrf_exempt: ESPs post without a CSRF token
    def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not enabled():
            return HttpResponseForbidden("Email webhooks are off: no webhook secret is set.")
        return view(request, *args, **kwargs)

    return guarded


def _pattern(original: URLPattern) -> URLPattern:
    view = original.callback
    strict = _strict(view.view_class).as_view(**view.view_initkwargs)
    return URLPattern(
        original.pattern, _only_with_secret(strict), original.default_args, original.name
    )


urlpatterns = [
    _pattern(entry)
    for entry in anymail_urls.urlpatterns
    if entry.name and entry.name.endswith(("_tracking_webhook", "_inbound_webhook"))
]

# CSRF-exempt by anymail itself, and why (newsletter/views.py lists every exempt view):
# ESPs post server-to-server with no cookie; basic auth and the ESP's signature stand in.
CSRF_EXEMPT_VIEWS = tuple(f"{app_name}:{entry.name}" for entry in urlpatterns)
