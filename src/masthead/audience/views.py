"""Sign-up and confirmation pages: parse, rate-limit, call one service, render."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from masthead.audience import queries, services
from masthead.audience.forms import SIGN_UP_WORDING, SignUpForm
from masthead.lib import ratelimit

HOUR = 3600


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """The sign-up page; its POST is also the target of the newsletter box on every page.

    CSRF-exempt on purpose (listed in CSRF_EXEMPT_VIEWS): the box sits on pages served
    from the full-page cache, which must not carry a per-visitor CSRF token. A forged POST
    can at most make us send one rate-limited confirmation email, which does nothing
    until the address's owner presses its button (double opt-in).
    """
    language = get_language()
    if request.method != "POST":
        return render(request, "audience/signup.html", {"form": SignUpForm(language=language)})
    if not ratelimit.hit(
        "signup-ip",
        ratelimit.client_ip(request),
        limit=settings.SIGNUP_LIMIT_PER_IP,
        window_seconds=HOUR,
    ):
        return _too_many(request)
    form = SignUpForm(request.POST, language=language)
    if form.is_bot():
        # Looks like success, so the bot learns nothing; nothing is written or sent.
        return redirect("audience:check_email")
    if not form.is_valid():
        return render(request, "audience/signup.html", {"form": form}, status=400)
    email = services.normalise_email(form.cleaned_data["email"])
    # Counted per attempt, not per email sent, so a known and an unknown address reach
    # the limit at the same moment and the 429 reveals nothing.
    if not ratelimit.hit(
        "signup-email",
        email.lower(),
        limit=settings.SIGNUP_LIMIT_PER_ADDRESS,
        window_seconds=HOUR,
    ):
        return _too_many(request)
    services.sign_up(
        email=email,
        newsletters=form.cleaned_data["newsletters"],
        language=form.cleaned_data["language"],
        wording=SIGN_UP_WORDING,
        ip=ratelimit.client_ip(request),
    )
    return redirect("audience:check_email")


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "audience/too_many.html", status=429)


def check_email(request: HttpRequest) -> HttpResponse:
    """The same page for every accepted sign-up: known, unknown, suppressed or a bot."""
    return render(request, "audience/check_email.html")


_REFUSED_STATUS = {"invalid": 400, "expired": 410, "used": 410}


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and changes nothing (mail scanners follow links); POST confirms."""
    try:
        if request.method == "POST":
            subscriptions = services.confirm_subscriptions(
                token=token, ip=ratelimit.client_ip(request)
            )
            template = "audience/confirmed.html"
        else:
            subscriptions = queries.pending_confirmation(token)
            template = "audience/confirm.html"
    except queries.ConfirmationRefused as refused:
        return render(
            request,
            "audience/link_refused.html",
            {"reason": refused.reason},
            status=_REFUSED_STATUS[refused.reason],
        )
    return render(
        request,
        template,
        {"newsletters": [s.newsletter for s in subscriptions], "token": token},
    )


# Every csrf_exempt view in the URLConf, and why (tests/audience/test_csrf.py checks it).
CSRF_EXEMPT_VIEWS = {
    "masthead.audience.views.sign_up",  # cached pages carry no token; double opt-in
}
