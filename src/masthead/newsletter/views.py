"""The unsubscribe link in every newsletter: a confirm page (GET) and the one-click POST."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from masthead.audience.models import Newsletter, Reader
from masthead.lib.tokens import BadToken
from masthead.newsletter import emails, services, webhook_urls

# Views that take POSTs without a CSRF token, and why. RFC 8058 one-click POSTs come from
# mail providers with no cookies; the signed token in the URL is the authority instead.
# ESPs' bounce and complaint webhooks post server to server; basic auth (and the ESP's
# signature, where it signs) is the authority there (webhook_urls.py).
CSRF_EXEMPT_VIEWS = ("newsletter:unsubscribe", *webhook_urls.CSRF_EXEMPT_VIEWS)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and changes nothing (mail scanners follow links); POST acts.

    The token alone decides whose subscription ends: never the session, so a signed-in
    reader cannot be unsubscribed through someone else's link (Ghost PR #30376). No
    redirect, as RFC 8058 §3.1 requires.
    """
    try:
        link = emails.UNSUBSCRIBE.read(token)
        reader = Reader.objects.get(pk=link.reader_id)
        newsletter = Newsletter.objects.get(pk=link.newsletter_id)
    except (BadToken, Reader.DoesNotExist, Newsletter.DoesNotExist):
        return render(request, "newsletter/unsubscribe_invalid.html", status=404)
    context = {"newsletter": newsletter, "email": reader.email}
    with translation.override(newsletter.language):
        if request.method == "POST":
            services.unsubscribe(reader_id=reader.pk, newsletter_id=newsletter.pk)
            return render(request, "newsletter/unsubscribed.html", context)
        return render(request, "newsletter/unsubscribe_confirm.html", context)
