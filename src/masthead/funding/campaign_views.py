"""The campaign pages: the current campaign at /<lang>/campaign/, past ones by slug.

Both show the exact figures, computed from the ledger on every request (issue 9, §2: the
campaign page shows the exact figure), so they are never stored by the page cache or a
proxy (never_cache); only the banner on other pages may lag (funding/banner.py).
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from masthead.funding import queries
from masthead.funding.banner import Figures, figures
from masthead.funding.models import Campaign

SUPPORTERS_SHOWN = 50


def _past_campaigns(now: dt.datetime, language: str) -> list[Figures]:
    ended = Campaign.objects.filter(ends_at__lte=now).prefetch_related("texts")
    return [figures(campaign, language=language, now=now) for campaign in ended]


def _page(request: HttpRequest, campaign: Campaign, now: dt.datetime) -> HttpResponse:
    language = get_language()
    return render(
        request,
        "funding/campaign.html",
        {
            "figures": figures(campaign, language=language, now=now),
            "names": queries.public_supporters(campaign, limit=SUPPORTERS_SHOWN),
            "past": [
                past for past in _past_campaigns(now, language) if past.campaign.pk != campaign.pk
            ],
        },
    )


@require_safe
@never_cache
def current(request: HttpRequest) -> HttpResponse:
    """The current campaign; with none, says so and lists past ones with their results."""
    now = timezone.now()
    campaign = queries.current_campaign(now)
    if campaign is None:
        return render(
            request,
            "funding/campaign_none.html",
            {"past": _past_campaigns(now, get_language())},
        )
    return _page(request, campaign, now)


@require_safe
@never_cache
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A campaign by its slug: a past one shows its final result. One that has not started
    is not public yet (404)."""
    now = timezone.now()
    campaign = (
        Campaign.objects.filter(slug=slug, starts_at__lte=now).prefetch_related("texts").first()
    )
    if campaign is None:
        raise Http404("No such campaign")
    return _page(request, campaign, now)
