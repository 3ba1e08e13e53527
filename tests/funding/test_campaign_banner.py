"""The campaign banner on every reader page: a page-cache hole whose figures lag the ledger
by at most CAMPAIGN_BANNER_SECONDS, without a donation ever re-rendering a cached page."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from freezegun import freeze_time

from masthead.funding import banner
from masthead.funding.models import Checkout
from masthead.funding.providers.local import LocalProvider
from masthead.lib import holes, pagecache
from masthead.newsroom import services
from tests.funding.campaign_rows import donate, make_campaign
from tests.theme.markup import parse


def banner_of(response):
    found = parse(response.content).find_all(class_="campaign-banner")
    return found[0] if found else None


def figures_text(response) -> str:
    return banner_of(response).find(class_="campaign-banner__figures").text


class TestWhatTheBannerShows:
    def test_title_bar_figures_and_links(self, client, publication):
        with freeze_time("2026-03-10 15:00:00"):
            make_campaign(
                "drive",
                starts_at=timezone.now() - dt.timedelta(days=3),
                ends_at=dt.datetime(2026, 3, 22, tzinfo=dt.UTC),
                titles={"en": "Keep the interviews coming"},
            )
            response = client.get(publication.flagship.url)
        box = banner_of(response)
        assert box.find(id="campaign-banner-title").text == "Keep the interviews coming"
        assert (
            figures_text(response)
            == "US$0.00 raised of US$50,000.00 · 0 supporters · 12 days left"
        )
        assert box.find("a", href="/en/campaign/")
        give = box.find("a", class_="button")
        assert give.attrs["href"] == "/en/support/?currency=USD&next=%2Fen%2Fcampaign%2F"
        assert give.text == "Give to the campaign"

    def test_the_bar_is_a_progress_element_in_major_units(self, client, publication, campaign):
        donate(campaign, 12345)
        bar = banner_of(client.get(publication.flagship.url)).find("progress")
        assert bar.attrs["value"] == "123.45"
        assert bar.attrs["max"] == "50000.00"

    def test_the_bar_has_an_accessible_name_and_description(self, client, publication, campaign):
        box = banner_of(client.get(publication.flagship.url))
        bar = box.find("progress")
        assert (
            box.find(id=bar.attrs["aria-labelledby"]).text
            == campaign.texts.get(language="en").title
        )
        assert "raised of" in box.find(id=bar.attrs["aria-describedby"]).text

    def test_figures_are_written_out_beside_the_bar(self, client, publication, campaign, reader):
        donate(campaign, 10000, reader=reader)
        donate(campaign, 2345, email="other@example.org")
        text = figures_text(client.get(publication.flagship.url))
        assert text.startswith("US$123.45 raised of US$50,000.00 · 2 supporters · ")
        assert re.search(r"· \d+ days left$", text)

    @pytest.mark.parametrize("url", ["/en/", "/en/interviews/", "/en/search/?q=salt"])
    def test_every_reader_page_has_it(self, client, publication, campaign, url):
        assert banner_of(client.get(url))

    def test_a_signed_in_readers_page_has_it_too(self, client, publication, campaign):
        client.cookies["sessionid"] = "not-a-real-session"
        response = client.get(publication.flagship.url)
        assert "X-Cache" not in response
        assert banner_of(response)

    def test_spanish_pages_show_the_spanish_title_and_links(self, client, publication, campaign):
        box = banner_of(client.get(publication.flagship_es.url))
        assert box.find(id="campaign-banner-title").text == "Que sigan las entrevistas largas"
        assert box.find("a", href="/es/campaign/")
        assert box.find("a", href="/es/support/?currency=USD&next=%2Fes%2Fcampaign%2F")

    def test_no_campaign_no_banner_and_no_marker_left(self, client, publication):
        response = client.get(publication.flagship.url)
        assert banner_of(response) is None
        assert b"masthead-hole" not in response.content

    def test_it_needs_no_javascript(self, client, publication, campaign):
        response = client.get(publication.flagship.url)
        fragment = re.search(
            rb'<section class="campaign-banner".*?</section>', response.content, re.S
        )
        assert fragment and b"<script" not in fragment.group(0)
        # With no script, the bar still says how far it is, and the figures are text.
        assert banner_of(response).find("progress").text == "0%"


class TestThePageCacheIsNotEmptied:
    def test_a_payment_does_not_change_the_page_cache_generation(
        self, client, publication, campaign, django_capture_on_commit_callbacks
    ):
        client.get(publication.flagship.url)
        generation = pagecache.current_generation()
        checkout = Checkout.objects.create(
            kind=Checkout.Kind.DONATION,
            provider="local",
            email="guest@example.org",
            amount=2500,
            currency="USD",
            campaign=campaign,
        )
        # The whole path a payment takes: notification → inbox → worker → ledger → signals.
        with django_capture_on_commit_callbacks(execute=True):
            LocalProvider().complete(checkout, "succeeded")
        assert campaign.payments.get().amount == 2500
        assert pagecache.current_generation() == generation
        assert client.get(publication.flagship.url)["X-Cache"] == "HIT"

    def test_a_cached_article_shows_the_new_total_after_the_fragment_expires_still_a_hit(
        self, client, publication, campaign
    ):
        with freeze_time(timezone.now()) as clock:
            first = client.get(publication.flagship.url)
            assert first["X-Cache"] == "MISS"
            assert figures_text(first).startswith("US$0.00 raised")
            donate(campaign, 12345)
            clock.tick(dt.timedelta(seconds=59))
            lagging = client.get(publication.flagship.url)
            assert lagging["X-Cache"] == "HIT"
            assert figures_text(lagging).startswith("US$0.00 raised")
            clock.tick(dt.timedelta(seconds=2))
            fresh = client.get(publication.flagship.url)
        assert fresh["X-Cache"] == "HIT"
        assert figures_text(fresh).startswith("US$123.45 raised")
        assert banner_of(fresh).find("progress").attrs["value"] == "123.45"

    def test_clearing_the_fragment_shows_the_new_total_at_once_still_a_hit(
        self, client, publication, campaign
    ):
        client.get(publication.flagship.url)
        donate(campaign, 500)
        holes.clear(banner.HOLE)
        response = client.get(publication.flagship.url)
        assert response["X-Cache"] == "HIT"
        assert figures_text(response).startswith("US$5.00 raised")

    def test_the_fragment_is_kept_for_campaign_banner_seconds(
        self, client, publication, campaign, settings
    ):
        assert settings.CAMPAIGN_BANNER_SECONDS == 60  # the default: at most a minute behind
        settings.CAMPAIGN_BANNER_SECONDS = 300
        with freeze_time(timezone.now()) as clock:
            client.get(publication.flagship.url)
            donate(campaign, 700)
            clock.tick(dt.timedelta(seconds=120))
            assert figures_text(client.get(publication.flagship.url)).startswith("US$0.00")
            clock.tick(dt.timedelta(seconds=181))
            assert figures_text(client.get(publication.flagship.url)).startswith("US$7.00")

    def test_a_browser_revalidating_gets_the_new_total_not_a_304(
        self, client, publication, campaign
    ):
        etag = client.get(publication.flagship.url)["ETag"]
        assert client.get(publication.flagship.url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        donate(campaign, 900)
        holes.clear(banner.HOLE)
        response = client.get(publication.flagship.url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200
        assert figures_text(response).startswith("US$9.00 raised")


class TestTheCampaignClosesItself:
    def test_after_its_end_the_banner_goes(self, client, publication, campaign):
        assert banner_of(client.get(publication.flagship.url))
        with freeze_time(campaign.ends_at + dt.timedelta(seconds=1)):
            response = client.get(publication.flagship.url)
        assert banner_of(response) is None

    def test_before_its_start_there_is_no_banner(self, client, publication, campaign):
        with freeze_time(campaign.starts_at - dt.timedelta(seconds=1)):
            assert banner_of(client.get(publication.flagship.url)) is None


class TestWhatRefreshesTheBanner:
    def test_an_articles_publish_does_not_recount_the_ledger(
        self, client, publication, campaign, settings
    ):
        settings.PAGE_CACHE_ENABLED = False
        client.get(publication.flagship.url)
        donate(campaign, 800)
        draft = services.ArticleDraft(title="Breaking", slug="breaking", standfirst="Now.")
        services.create_article(section=publication.analysis, draft=draft)  # published now
        # Still the kept fragment: its lag is CAMPAIGN_BANNER_SECONDS, not the next publish.
        assert figures_text(client.get(publication.flagship.url)).startswith("US$0.00")

    def test_a_new_campaign_title_shows_on_the_next_page(self, client, publication, campaign):
        client.get(publication.flagship.url)
        text = campaign.texts.get(language="en")
        text.title = "One more month of interviews"
        text.save()
        box = banner_of(client.get(publication.flagship.url))
        assert box.find(id="campaign-banner-title").text == "One more month of interviews"
