"""The reader's WhatsApp page (/<lang>/account/whatsapp/): opt in with an explicit consent,
choose every article or a daily digest, stop. Thin: parse, call one service, redirect.

Per-reader and CSRF-protected, so never cached; none of it exists when WhatsApp is not
configured (404), so no form offers what cannot be sent.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from masthead.audience import sessions
from masthead.audience.models import Reader
from masthead.channels.whatsapp import graph, queries, services
from masthead.channels.whatsapp.forms import CONSENT_WORDING, FrequencyForm, WhatsAppForm
from masthead.channels.whatsapp.models import WhatsAppConsent
from masthead.lib import ratelimit

TEMPLATE = "channels/whatsapp/page.html"


def _reader_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 when WhatsApp is off; the sign-in page for anyone not signed in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not graph.is_configured():
            raise Http404
        reader = sessions.signed_in_reader(request)
        if reader is None:
            return redirect("audience:sign_in")
        return view(request, reader, *args, **kwargs)

    return wrapped


def _page(request: HttpRequest, reader: Reader, form: WhatsAppForm, status: int) -> HttpResponse:
    context = {"form": form, "follower": queries.follower_for(reader.pk)}
    return render(request, TEMPLATE, context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@_reader_view
def whatsapp(request: HttpRequest, reader: Reader) -> HttpResponse:
    """GET: the form; POST: opt in (or change the number), with the consent box ticked."""
    if request.method != "POST":
        follower = queries.follower_for(reader.pk)
        initial = {"frequency": follower.frequency, "phone": follower.phone} if follower else {}
        return _page(request, reader, WhatsAppForm(initial=initial), 200)
    form = WhatsAppForm(request.POST)
    if not form.is_valid():
        return _page(request, reader, form, 400)
    services.opt_in(
        reader=reader,
        phone=form.cleaned_data["phone"],
        frequency=form.cleaned_data["frequency"],
        wording=CONSENT_WORDING,
        ip=ratelimit.client_ip(request),
    )
    messages.success(request, _("You will get our updates on WhatsApp."))
    return redirect("audience:account")


@never_cache
@require_POST
@_reader_view
def frequency(request: HttpRequest, reader: Reader) -> HttpResponse:
    form = FrequencyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose every article or a daily digest."))
        return redirect("audience:account")
    services.change_frequency(
        reader=reader, frequency=form.cleaned_data["frequency"], ip=ratelimit.client_ip(request)
    )
    messages.success(request, _("Your choices are saved."))
    return redirect("audience:account")


@never_cache
@require_POST
@_reader_view
def stop(request: HttpRequest, reader: Reader) -> HttpResponse:
    follower = queries.follower_for(reader.pk)
    if follower is not None:
        services.opt_out(
            follower=follower,
            source=WhatsAppConsent.Source.ACCOUNT,
            ip=ratelimit.client_ip(request),
        )
    messages.success(request, _("We will not send you any more WhatsApp messages."))
    return redirect("audience:account")
