"""The furniture's money links go to the site's own funding pages (settings links override
them), and every reader page says so while payments are simulated."""

import pytest
from wagtail.models import Site

from masthead.newsroom import services
from tests.theme.markup import parse


def doc(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return parse(response.content)


def configure(texts=None, **links):
    services.configure_publication(
        site=Site.objects.get(is_default_site=True), texts=texts or {}, **links
    )


class TestSupportBox:
    def test_donate_goes_to_the_support_page_and_back_to_this_article(self, client, publication):
        box = doc(client, publication.flagship.url).find(class_="box--support")
        donate = box.find("a", class_="button")
        assert donate.text == "Donate"
        assert donate.attrs["href"] == "/en/support/?next=%2Fen%2Finterviews%2Fsalt-and-silver%2F"

    def test_donate_on_a_spanish_page_stays_in_spanish(self, client, publication):
        box = doc(client, publication.flagship_es.url).find(class_="box--support")
        href = box.find("a", class_="button").attrs["href"]
        assert href == "/es/support/?next=%2Fes%2Finterviews%2Fsal-y-plata%2F"

    def test_the_cached_page_keeps_its_own_path_for_every_reader(self, client, publication):
        first = client.get(publication.flagship.url)
        second = client.get(publication.flagship.url, HTTP_COOKIE="analytics=1")
        assert second["X-Cache"] == "HIT"
        assert b"/en/support/?next=%2Fen%2Finterviews%2Fsalt-and-silver%2F" in second.content
        assert first.content == second.content

    def test_a_donation_link_in_the_settings_overrides_it(self, client, publication):
        configure(donate_url="https://give.example.org/gazette")
        box = doc(client, publication.flagship.url).find(class_="box--support")
        assert box.find("a", class_="button").attrs["href"] == "https://give.example.org/gazette"
        assert not [a for a in box.find_all("a") if "/support/" in a.attrs.get("href", "")]

    def test_the_patron_link_stays_the_outside_patronage_link(self, client, publication):
        box = doc(client, publication.flagship.url).find(class_="box--support")
        patron = box.find("a", href="https://patrons.example.org/gazette")
        assert patron.text == "Become a patron"


class TestSubscriptionAndCampaignBoxes:
    @pytest.fixture
    def texts(self, publication):
        configure(
            texts={
                "en": {
                    "subscription_text": "A year of reading for the price of a book.",
                    "campaign_text": "This year we need 40,000 readers to chip in.",
                }
            }
        )

    def test_they_go_to_the_membership_and_campaign_pages(self, client, publication, texts):
        page = doc(client, publication.flagship.url)
        subscription = page.find(class_="box--subscription").find("a", class_="button")
        assert subscription.attrs["href"] == "/en/support/membership/"
        assert subscription.text == "Subscribe for a year"
        campaign = page.find(class_="box--campaign").find("a", class_="button")
        assert campaign.attrs["href"] == "/en/campaign/"
        assert campaign.text == "Join the campaign"

    def test_links_in_the_settings_override_them(self, client, publication, texts):
        configure(
            subscription_url="https://example.org/subscribe",
            campaign_url="https://example.org/campaign",
        )
        page = doc(client, publication.flagship.url)
        assert page.find(class_="box--subscription").find(
            "a", href="https://example.org/subscribe"
        )
        assert page.find(class_="box--campaign").find("a", href="https://example.org/campaign")


class TestTestModeNotice:
    @pytest.mark.parametrize("url", ["/en/", "/en/interviews/salt-and-silver/", "/en/campaign/"])
    def test_every_reader_page_says_payments_are_simulated(self, client, publication, url):
        notice = doc(client, url).find(class_="test-mode-notice")
        assert notice.text == "Test mode: payments are simulated, no money moves."

    def test_no_notice_with_real_providers(self, client, publication, settings):
        settings.PAYMENTS_TEST_MODE = False
        assert not doc(client, "/en/").find_all(class_="test-mode-notice")
