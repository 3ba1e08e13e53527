"""Reader account pages: magic-link sign-in, the account page, email change, data, erasure.

Thin, like views.py: parse, rate-limit, call one service or query, render. Every page here
is per-reader or carries a CSRF token, so every one is ``never_cache`` (private, no-store),
whatever the full-page cache would have decided; none is CSRF-exempt.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from masthead.audience import hooks, queries, services, sessions
from masthead.audience.forms import (
    ACCOUNT_WORDING,
    EmailChangeForm,
    EraseForm,
    PreferencesForm,
    SignInForm,
)
from masthead.audience.models import Reader
from masthead.lib import ratelimit

HOUR = 3600
_REFUSED_STATUS = {"invalid": 400, "expired": 410, "used": 410, "unavailable": 409}


def _reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pass the signed-in reader to ``view``; send everyone else to the sign-in page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        reader = sessions.signed_in_reader(request)
        if reader is None:
            return redirect("audience:sign_in")
        return view(request, reader, *args, **kwargs)

    return wrapped


def _within_limits(request: HttpRequest, *, scope: str, email: str | None) -> bool:
    """Count one request per client address and, once known, per email address.

    Counted per attempt, not per email sent, so a known and an unknown address reach the
    limit at the same moment and the 429 reveals nothing (as views.sign_up does).
    """
    if email is None:
        return ratelimit.hit(
            f"{scope}-ip",
            ratelimit.client_ip(request),
            limit=settings.SIGN_IN_LIMIT_PER_IP,
            window_seconds=HOUR,
        )
    return ratelimit.hit(
        f"{scope}-email",
        email.lower(),
        limit=settings.SIGN_IN_LIMIT_PER_ADDRESS,
        window_seconds=HOUR,
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "audience/account/too_many.html", status=429)


def _refused(
    request: HttpRequest, refused: queries.ConfirmationRefused, kind: str
) -> HttpResponse:
    return render(
        request,
        "audience/account/link_refused.html",
        {"reason": refused.reason, "kind": kind},
        status=_REFUSED_STATUS[refused.reason],
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link. Every accepted address gets the same answer (no enumeration)."""
    if request.method != "POST":
        if sessions.signed_in_reader(request) is not None:
            return redirect("audience:account")
        return render(request, "audience/account/sign_in.html", {"form": SignInForm()})
    if not _within_limits(request, scope="signin", email=None):
        return _too_many(request)
    form = SignInForm(request.POST)
    if form.is_bot():
        return redirect("audience:sign_in_sent")  # looks like success; nothing is sent
    if not form.is_valid():
        return render(request, "audience/account/sign_in.html", {"form": form}, status=400)
    email = services.normalise_email(form.cleaned_data["email"])
    if not _within_limits(request, scope="signin", email=email):
        return _too_many(request)
    services.request_sign_in(email=email, ip=ratelimit.client_ip(request))
    return redirect("audience:sign_in_sent")


def sign_in_sent(request: HttpRequest) -> HttpResponse:
    """The same page for every accepted request: known, unknown, suppressed or a bot."""
    return render(request, "audience/account/sign_in_sent.html")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and changes nothing (mail scanners follow links); POST signs in."""
    try:
        if request.method == "POST":
            reader = services.sign_in(token=token)
            sessions.sign_in(request, reader)
            return redirect("audience:account")
        queries.reader_for_sign_in(token)
    except queries.ConfirmationRefused as refused:
        return _refused(request, refused, "sign_in")
    return render(request, "audience/account/sign_in_confirm.html", {"token": token})


def _account_page(
    request: HttpRequest,
    reader: Reader,
    *,
    preferences: PreferencesForm | None = None,
    email_form: EmailChangeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    choices = queries.account_newsletters(reader)
    if preferences is None:
        preferences = PreferencesForm(
            subscribed=[c.newsletter.pk for c in choices if c.subscribed],
            language=reader.language,
        )
    context = {
        "reader": reader,
        "preferences": preferences,
        "email_form": email_form or EmailChangeForm(),
        "suppressed": queries.is_suppressed(reader.email),
        "sections": _other_sections(request, reader),
    }
    return render(request, "audience/account/account.html", context, status=status)


def _other_sections(request: HttpRequest, reader: Reader) -> list[tuple[str, dict]]:
    """What the apps above audience add to the page (hooks.account_sections)."""
    answers = hooks.account_sections.send(sender=Reader, request=request, reader=reader)
    return [section for _receiver, section in answers if section]


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@_reader_required
def account(request: HttpRequest, reader: Reader) -> HttpResponse:
    """The account page; its POST saves the newsletters and language."""
    if request.method != "POST":
        return _account_page(request, reader)
    form = PreferencesForm(request.POST, subscribed=[], language=reader.language)
    if not form.is_valid():
        return _account_page(request, reader, preferences=form, status=400)
    try:
        services.update_preferences(
            reader=reader,
            newsletters=form.cleaned_data["newsletters"],
            language=form.cleaned_data["language"],
            wording=ACCOUNT_WORDING,
            ip=ratelimit.client_ip(request),
        )
    except services.AddressSuppressed:
        form.add_error(
            "newsletters",
            _(
                "We cannot send newsletters to this address: it bounced or reported our "
                "email as spam. Change your address to subscribe."
            ),
        )
        return _account_page(request, reader, preferences=form, status=400)
    messages.success(request, _("Your choices are saved."))
    return redirect("audience:account")


@never_cache
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """POST only, with the CSRF token: a link or an image must not sign a reader out."""
    sessions.sign_out(request)
    messages.info(request, _("You are signed out."))
    return redirect("audience:sign_in")


@never_cache
@require_http_methods(["GET", "HEAD"])
@_reader_required
def account_data(request: HttpRequest, reader: Reader) -> HttpResponse:
    """Everything held about the reader, as a JSON file to download."""
    body = json.dumps(queries.reader_data(reader), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@never_cache
@require_POST
@_reader_required
def email_change(request: HttpRequest, reader: Reader) -> HttpResponse:
    """Ask for a link at the new address; the answer is the same whoever holds it."""
    if not _within_limits(request, scope="email-change", email=None):
        return _too_many(request)
    form = EmailChangeForm(request.POST)
    if not form.is_valid():
        return _account_page(request, reader, email_form=form, status=400)
    new_email = services.normalise_email(form.cleaned_data["new_email"])
    if not _within_limits(request, scope="email-change", email=new_email):
        return _too_many(request)
    services.request_email_change(
        reader=reader, new_email=new_email, ip=ratelimit.client_ip(request)
    )
    return redirect("audience:email_change_sent")


@never_cache
@_reader_required
def email_change_sent(request: HttpRequest, reader: Reader) -> HttpResponse:
    return render(request, "audience/account/email_change_sent.html")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and changes nothing; POST changes the address.

    Works from any browser (the link proves the new address, not the account), and does
    not sign that browser in. A session of the reader's own in this browser is kept;
    every other session of theirs ends, because sessions are bound to the address.
    """
    try:
        if request.method == "POST":
            before = sessions.signed_in_reader(request)
            reader = services.change_email(token=token)
            if before is not None and before.pk == reader.pk:
                sessions.refresh(request, reader)
            return render(request, "audience/account/email_changed.html", {"email": reader.email})
        change = queries.pending_email_change(token)
    except queries.ConfirmationRefused as refused:
        return _refused(request, refused, "email_change")
    return render(
        request,
        "audience/account/email_change_confirm.html",
        {"token": token, "new_email": change.new_email},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@_reader_required
def erase(request: HttpRequest, reader: Reader) -> HttpResponse:
    """Delete the account: a confirm page, then the erasure (services.erase_reader)."""
    form = EraseForm(request.POST or None, expected=reader.email)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(
            request, "audience/account/erase.html", {"form": form, "reader": reader}, status=status
        )
    try:
        services.erase_reader(reader=reader)
    except hooks.ErasureBlocked as blocked:
        # Nothing was erased (one transaction): say why, and let the reader try again.
        return render(
            request,
            "audience/account/erase.html",
            {"form": form, "reader": reader, "blocked": str(blocked)},
            status=503,
        )
    sessions.sign_out(request)
    return redirect("audience:erased")


def erased(request: HttpRequest) -> HttpResponse:
    return render(request, "audience/account/erased.html")
