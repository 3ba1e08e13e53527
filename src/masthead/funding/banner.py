"""The current campaign's figures as readers see them, and the banner on every page.

The banner is a page-cache hole (lib/holes.py): base.html leaves ``{% hole
"campaign-banner" %}`` and the page cache fills it on every response from a fragment kept
per language for CAMPAIGN_BANNER_SECONDS. A donation therefore never empties the page
cache, and the bar on a cached page lags the ledger by at most that long (issue 9, §2).
The campaign page does not use the fragment: it computes its figures on every request.

Days left are counted on the publication's calendar (settings.TIME_ZONE), today included:
a campaign that ends at midnight tonight has "1 day left" all day, wherever the server's
clock is and whichever time zone the reader is in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from masthead.funding import queries
from masthead.funding.models import Campaign, CampaignText
from masthead.lib import holes, money, pagecache

HOLE = "campaign-banner"
# What the banner depends on besides the ledger (whose lag CAMPAIGN_BANNER_SECONDS bounds):
# the campaigns and their texts. Not ANY: a publish changes nothing in the banner, and
# recounting the ledger made the first render after every publish pay for it (issue 10).
TAG = "campaign"


@dataclass(frozen=True)
class Figures:
    """One campaign's figures, ready for a template: amounts written out and in major units
    (the ``<progress>`` element's value and max), days left on the publication's calendar."""

    campaign: Campaign
    title: str
    story: str
    raised: int  # minor units, campaign currency
    supporters: int
    days_left: int
    is_open: bool
    starts_at: dt.datetime  # in the publication's time zone
    ends_at: dt.datetime

    @property
    def goal(self) -> int:
        return self.campaign.goal

    @property
    def currency(self) -> str:
        return self.campaign.currency

    @property
    def raised_text(self) -> str:
        return money.format_money(self.raised, self.currency)

    @property
    def goal_text(self) -> str:
        return money.format_money(self.goal, self.currency)

    @property
    def value(self) -> str:
        # Unlocalised ("123.45", never "123,45"): it is an HTML attribute, not prose.
        return str(money.to_major(self.raised, self.currency))

    @property
    def max(self) -> str:
        return str(money.to_major(self.goal, self.currency))

    @property
    def percent(self) -> int:
        return min(100, self.raised * 100 // self.goal) if self.goal else 0

    @property
    def time_zone(self) -> str:
        return settings.TIME_ZONE

    @property
    def give_url(self) -> str:
        """The support page (stable path, issue 9 §5) in the campaign's currency, where the
        gift counts toward it (ticked by default), then back to the campaign page."""
        language = get_language() or settings.LANGUAGE_CODE
        query = urlencode({"currency": self.currency, "next": f"/{language}/campaign/"})
        return f"/{language}/support/?{query}"

    @property
    def url(self) -> str:
        if self.is_open:
            return reverse("funding:campaign")
        return reverse("funding:campaign_detail", kwargs={"slug": self.campaign.slug})


def days_left(campaign: Campaign, now: dt.datetime | None = None) -> int:
    """Calendar days, today included, from ``now`` to the campaign's last day, on the
    publication's calendar; 0 once it has ended (or before it starts: not yet counting)."""
    now = now or timezone.now()
    if not campaign.starts_at <= now < campaign.ends_at:
        return 0
    zone = timezone.get_default_timezone()
    # The last day is the one holding the last instant: a campaign that ends at midnight
    # ends on the day before.
    last_day = timezone.localtime(campaign.ends_at - dt.timedelta(microseconds=1), zone).date()
    return (last_day - timezone.localtime(now, zone).date()).days + 1


def figures(campaign: Campaign, *, language: str, now: dt.datetime | None = None) -> Figures:
    """``campaign``'s figures from the ledger now, with its texts in ``language``."""
    now = now or timezone.now()
    counted = queries.progress(campaign, now=now)
    text = queries.campaign_text(campaign, language)
    zone = timezone.get_default_timezone()
    return Figures(
        campaign=campaign,
        title=text.title if text else campaign.slug,
        story=text.story if text else "",
        raised=counted.raised,
        supporters=counted.supporters,
        days_left=days_left(campaign, now),
        is_open=campaign.starts_at <= now < campaign.ends_at,
        starts_at=timezone.localtime(campaign.starts_at, zone),
        ends_at=timezone.localtime(campaign.ends_at, zone),
    )


def render(request: HttpRequest) -> str:
    """The banner's HTML in the active language, or "" when no campaign is current.

    Shared by every reader of that language (it is a hole's fragment): nothing about the
    reader may go into it.
    """
    pagecache.depends_on(TAG)
    campaign = queries.current_campaign()
    if campaign is None:
        return ""
    return render_to_string(
        "funding/banner.html", {"figures": figures(campaign, language=get_language())}
    )


def register() -> None:
    """Fill base.html's campaign hole (called from FundingConfig.ready)."""
    holes.register(HOLE, render, seconds=lambda: settings.CAMPAIGN_BANNER_SECONDS)
    for model in (Campaign, CampaignText):
        post_save.connect(
            _campaign_changed,
            sender=model,
            dispatch_uid=f"masthead.funding.banner.{model.__name__}",
        )
        post_delete.connect(
            _campaign_changed,
            sender=model,
            dispatch_uid=f"masthead.funding.banner.{model.__name__}.delete",
        )


def _campaign_changed(sender: type, **kwargs: object) -> None:
    """A campaign or its text saved or deleted: the banner shows it on the next page."""
    pagecache.invalidate([TAG])
    transaction.on_commit(lambda: pagecache.invalidate([TAG]))
