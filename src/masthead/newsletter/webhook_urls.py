"""The ESPs' webhooks (django-anymail): /webhooks/email/<esp>/tracking/ and .../inbound/.

Tracking reports bounces and complaints (tracking.py); inbound passes on mail sent to the
List-Unsubscribe ``mailto:`` address (inbound.py). Anymail's own views, with three changes:

- only those two kinds, for the ESPs anymail supports;
- off (403) while ``ANYMAIL["WEBHOOK_SECRET"]`` is empty, because anymail would then
  accept anyone's posts (with only a warning) and anyone could suppress any address
  (not 404: LocaleMiddleware would redirect that to a language-prefixed page);
- a body that is not what the ESP sends (malformed JSON, missing fields) is a 400, not
  a 500 that the ESP would retry for days. Errors in our own receiver stay 500s, so the
  ESP redelivers the event once the problem is fixed.
"""

from __future__ import annotations

import functools

from anymail import urls as anymail_urls
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import URLPattern

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

    Strict.__name__ = Strict.__qualname__ = view_class.__name__
    return Strict


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
