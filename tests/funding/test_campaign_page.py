"""The campaign page: exact figures from the ledger on every request, what is counted, days
left on the publication's calendar, and past campaigns with their final results."""

import datetime as dt
import subprocess
import zoneinfo

import pytest
from django.utils import timezone, translation
from freezegun import freeze_time

from masthead.funding import banner, ledger
from masthead.funding.models import Payment
from tests.funding.campaign_rows import donate, make_campaign, membership_payments, refund
from tests.theme.markup import parse

GIVE = "/en/support/?currency=USD&next=%2Fen%2Fcampaign%2F"
LIMA = zoneinfo.ZoneInfo("America/Lima")


def page(client, url="/en/campaign/"):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return parse(response.content)


def raised(client, url="/en/campaign/") -> str:
    return page(client, url).find(class_="campaign__raised").text


def supporters(client) -> int:
    return int(page(client).find(class_="campaign__supporters").text)


class TestTheCurrentCampaign:
    def test_title_story_goal_and_give_button(self, client, publication, campaign):
        doc = page(client)
        assert doc.find("h1").text == "Keep the long interviews coming"
        assert "five editors writing" in doc.find(class_="campaign__story").text
        assert doc.find(class_="campaign__goal").text == "US$50,000.00"
        give = doc.find("a", class_="button", href=GIVE)
        assert give.text == "Give to the campaign"

    def test_give_leads_to_the_support_form_with_the_campaign_ticked(
        self, client, publication, campaign, settings
    ):
        settings.PAYMENT_PROVIDERS = {"PEN": ["local"], "USD": ["local"]}  # PEN offered first
        href = page(client).find("a", class_="button", href=GIVE).attrs["href"]
        form = page(client, href)
        toward = [
            box for box in form.find_all("input") if box.attrs.get("name") == "toward_campaign"
        ]
        assert toward and "checked" in toward[0].attrs
        assert form.find("input", name="next").attrs["value"] == "/en/campaign/"

    def test_the_story_is_plain_text_escaped_with_its_line_breaks(
        self, client, publication, campaign
    ):
        campaign.texts.filter(language="en").update(
            story="First line\nsecond line <script>alert(1)</script>\n\nA new paragraph"
        )
        response = client.get("/en/campaign/")
        story = parse(response.content).find(class_="campaign__story")
        assert b"<script>alert(1)" not in response.content
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content
        assert len(story.find_all("br")) == 1
        assert len(story.find_all("p")) == 2

    def test_the_progress_element_is_labelled_and_in_major_units(
        self, client, publication, campaign
    ):
        donate(campaign, 12345)
        doc = page(client)
        bar = doc.find("progress")
        assert (bar.attrs["value"], bar.attrs["max"]) == ("123.45", "50000.00")
        (label,) = [el for el in doc.find_all("label") if el.attrs.get("for") == bar.attrs["id"]]
        assert "US$50,000.00" in label.text

    def test_the_figures_are_exact_on_every_request_and_never_stored(
        self, client, publication, campaign
    ):
        assert raised(client) == "US$0.00"
        donate(campaign, 2500)
        response = client.get("/en/campaign/")
        assert "X-Cache" not in response
        assert "no-store" in response["Cache-Control"]
        assert parse(response.content).find(class_="campaign__raised").text == "US$25.00"

    def test_the_page_has_no_banner_of_its_own_figures(self, client, publication, campaign):
        assert not page(client).find_all(class_="campaign-banner")

    def test_it_says_what_is_counted(self, client, publication, campaign):
        counted = page(client).find(class_="campaign__counted").text
        assert "less anything refunded" in counted
        assert "first payment of each membership" in counted
        assert "bank transfer or in cash" in counted
        assert "cover the payment provider's fee" in counted
        assert "distinct people" in counted

    def test_it_needs_no_javascript(self, client, publication, campaign):
        response = client.get("/en/campaign/")
        assert b"<script" not in response.content
        assert page(client).find("progress").text == "0%"

    def test_only_get_and_head(self, client, publication, campaign):
        assert client.post("/en/campaign/").status_code == 405
        assert client.head("/en/campaign/").status_code == 200


@pytest.fixture
def offline_gift_log_action():
    """The audit-log action that record_offline_gift writes (the funding admin registers it
    in its wagtail_hooks; registered here when that is absent)."""
    from wagtail.log_actions import registry

    if not registry.action_exists("masthead.funding.offline_gift"):
        registry.register_action("masthead.funding.offline_gift", "Offline gift", "Offline gift")


class TestWhatIsCounted:
    def test_refunds_and_covered_fees_are_left_out(self, client, publication, campaign):
        donate(campaign, 10000, fee=320, email="a@example.org")  # 3.20 pays the provider
        partly = donate(campaign, 5000, email="b@example.org")
        refund(partly, 1500)
        whole = donate(campaign, 7000, email="changed-mind@example.org")
        refund(whole, 7000)
        assert raised(client) == "US$135.00"
        # A fully refunded gift leaves no supporter behind.
        assert supporters(client) == 2

    def test_failed_and_pending_payments_and_other_campaigns_are_left_out(
        self, client, publication, campaign
    ):
        donate(campaign, 4000, status=Payment.Status.FAILED)
        donate(campaign, 4000, status=Payment.Status.PENDING)
        donate(None, 4000)  # not toward the campaign
        donate(campaign, 4000, currency="PEN")  # another currency never counts
        donate(campaign, 100)
        assert raised(client) == "US$1.00"

    def test_offline_gifts_count(self, client, publication, campaign, offline_gift_log_action):
        ledger.record_offline_gift(
            amount=250000,
            currency="USD",
            received_at=timezone.now(),
            campaign=campaign,
            name="The Fishermen's Union",
        )
        assert raised(client) == "US$2,500.00"
        assert "The Fishermen's Union" in page(client).find(class_="campaign__names").text

    def test_first_payment_of_a_membership_counts_not_its_renewals(
        self, client, publication, campaign, plan, reader
    ):
        membership_payments(campaign, plan, reader, [500, 500, 500])
        assert raised(client) == "US$5.00"

    def test_supporters_are_distinct_people(self, client, publication, campaign, reader):
        donate(campaign, 100, reader=reader)
        donate(campaign, 100, reader=reader)
        assert supporters(client) == 1
        donate(campaign, 100, email="one@example.org")
        donate(campaign, 100, email="two@example.org")
        assert supporters(client) == 3
        donate(campaign, 100, email="Two@Example.org")
        assert supporters(client) == 3
        assert raised(client) == "US$5.00"

    def test_public_names_only(self, client, publication, campaign):
        donate(campaign, 100, name="Rosa Paredes", email="rosa@example.org")
        donate(campaign, 100, name="Hidden Person", anonymous=True, email="h@example.org")
        doc = page(client)
        names = [item.text for item in doc.find(class_="campaign__names").find_all("li")]
        assert names == ["Rosa Paredes"]
        assert "2 people have given" in doc.find(class_="campaign__supporters-list").text


class TestDaysLeft:
    """Counted on the publication's calendar, today included."""

    @pytest.fixture
    def lima(self, settings):
        settings.TIME_ZONE = "America/Lima"

    def ending_at_lima_midnight(self):
        # Ends as 31 December ends in Lima (05:00 on 1 January in UTC).
        return make_campaign(
            "year-end",
            starts_at=dt.datetime(2025, 12, 1, tzinfo=LIMA),
            ends_at=dt.datetime(2026, 1, 1, tzinfo=LIMA),
        )

    def test_the_last_morning_in_lima_is_the_last_day(self, db, lima):
        campaign = self.ending_at_lima_midnight()
        # 02:00 in Lima on the 31st is 07:00 UTC: a UTC calendar would say 2 days.
        now = dt.datetime(2025, 12, 31, 2, tzinfo=LIMA)
        assert banner.days_left(campaign, now) == 1

    def test_late_evening_in_lima_is_still_the_day_before(self, db, lima):
        campaign = self.ending_at_lima_midnight()
        # 21:00 in Lima on the 30th is already the 31st in UTC.
        assert banner.days_left(campaign, dt.datetime(2025, 12, 30, 21, tzinfo=LIMA)) == 2

    def test_calendar_days_not_24_hour_blocks(self, db, lima):
        campaign = make_campaign(
            "afternoon",
            starts_at=dt.datetime(2025, 12, 1, tzinfo=LIMA),
            ends_at=dt.datetime(2025, 12, 31, 18, tzinfo=LIMA),
        )
        # 22 hours before the end, but the campaign runs today and tomorrow.
        assert banner.days_left(campaign, dt.datetime(2025, 12, 30, 20, tzinfo=LIMA)) == 2

    def test_none_once_ended_or_before_it_starts(self, db, lima):
        campaign = self.ending_at_lima_midnight()
        assert banner.days_left(campaign, dt.datetime(2026, 1, 1, tzinfo=LIMA)) == 0
        assert banner.days_left(campaign, dt.datetime(2025, 11, 30, tzinfo=LIMA)) == 0

    def test_the_page_shows_days_left_and_dates_in_the_publications_zone(
        self, client, publication, lima
    ):
        self.ending_at_lima_midnight()
        with freeze_time(dt.datetime(2025, 12, 31, 7, tzinfo=dt.UTC)):
            doc = page(client)
        assert doc.find(class_="campaign__days-left").text == "1"
        assert doc.find(class_="campaign__figures").text.endswith("· 1 day left")
        dates = doc.find(class_="campaign__dates").text
        assert dates == "From Dec. 1, 2025, midnight to Jan. 1, 2026, midnight (America/Lima time)"


class TestTheCampaignClosesItself:
    def test_after_its_end_the_page_says_none_is_running_and_shows_the_result(
        self, client, publication, campaign
    ):
        donate(campaign, 4200, name="Early Bird")
        with freeze_time(campaign.ends_at):
            doc = page(client)
            past = page(client, "/en/campaign/drive-2026/")
        assert "no fund-raising campaign running" in doc.find(class_="campaign__none").text
        item = doc.find(class_="campaign-past__item")
        assert item.find("a", href="/en/campaign/drive-2026/").text == (
            "Keep the long interviews coming"
        )
        assert "US$42.00 raised of US$50,000.00 · 1 supporter" in item.text
        assert "days left" not in item.text
        assert "ended on" in past.find(class_="campaign__status").text
        assert past.find(class_="campaign__raised").text == "US$42.00"
        assert not past.find_all(
            "a", class_="button", href="/en/support/?currency=USD&next=%2Fen%2Fcampaign%2F"
        )

    def test_a_new_campaign_lists_the_old_ones_below(self, client, publication):
        old = make_campaign(
            "drive-2025",
            starts_at=timezone.now() - dt.timedelta(days=400),
            ends_at=timezone.now() - dt.timedelta(days=300),
            titles={"en": "Last year"},
        )
        donate(old, 99900)
        make_campaign(
            "drive-2026",
            starts_at=timezone.now() - dt.timedelta(days=1),
            ends_at=timezone.now() + dt.timedelta(days=30),
            titles={"en": "This year"},
        )
        doc = page(client)
        assert doc.find("h1").text == "This year"
        assert "US$999.00 raised" in doc.find(class_="campaign-past").text

    def test_no_campaign_ever_says_so(self, client, publication):
        doc = page(client)
        assert "no fund-raising campaign running" in doc.find(class_="campaign__none").text
        assert not doc.find_all(class_="campaign-past")

    @pytest.mark.parametrize("slug", ["no-such-campaign", "future"])
    def test_unknown_and_future_campaigns_are_not_found(self, client, publication, slug):
        make_campaign(
            "future",
            starts_at=timezone.now() + dt.timedelta(days=10),
            ends_at=timezone.now() + dt.timedelta(days=40),
        )
        assert client.get(f"/en/campaign/{slug}/").status_code == 404

    def test_a_bad_slug_is_not_found(self, client, publication):
        assert client.get("/en/campaign/%3Cscript%3E/").status_code == 404


class TestLanguages:
    def test_the_spanish_page_has_the_spanish_texts_and_links(self, client, publication, campaign):
        doc = page(client, "/es/campaign/")
        assert doc.find("h1").text == "Que sigan las entrevistas largas"
        assert "Cincuenta mil dólares" in doc.find(class_="campaign__story").text
        assert doc.find("a", href="/es/support/?currency=USD&next=%2Fes%2Fcampaign%2F")
        assert doc.find("html").attrs["lang"] == "es"

    def test_a_title_missing_in_spanish_falls_back_to_the_default_language(
        self, client, publication, campaign
    ):
        campaign.texts.filter(language="es").delete()
        assert page(client, "/es/campaign/").find("h1").text == "Keep the long interviews coming"

    def test_the_spanish_page_is_in_spanish_once_translated(
        self, client, publication, campaign, settings, tmp_path
    ):
        """Every string of the page goes through gettext: with a catalogue for them (the
        integrator writes the real one), the page reads in Spanish."""
        folder = tmp_path / "es" / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "django.po").write_text(SPANISH, encoding="utf-8")
        subprocess.run(
            ["msgfmt", "-o", str(folder / "django.mo"), str(folder / "django.po")],  # noqa: S607
            check=True,
        )
        settings.LOCALE_PATHS = [str(tmp_path)]
        donate(campaign, 100)
        doc = page(client, "/es/campaign/")
        assert doc.find(class_="campaign__counted").find("h2").text == "Qué se cuenta"
        assert "1 persona ha donado" in doc.find(class_="campaign__supporters-list").text
        figures = doc.find(class_="campaign__figures").text
        # (The markup reader collapses the no-break space Spanish groups thousands with.)
        assert figures.startswith("US$1,00 recaudados de US$50 000,00 · 1 donante · ")
        assert doc.find("a", class_="button").text == "Donar a la campaña"
        with translation.override("es"):
            assert "Modo de prueba" in doc.find(class_="test-mode-notice").text


SPANISH = r"""
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Language: es\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

msgid "What is counted"
msgstr "Qué se cuenta"

msgid "%(counter)s person has given to this campaign."
msgid_plural "%(counter)s people have given to this campaign."
msgstr[0] "%(counter)s persona ha donado a esta campaña."
msgstr[1] "%(counter)s personas han donado a esta campaña."

msgid "%(raised)s raised of %(goal)s"
msgstr "%(raised)s recaudados de %(goal)s"

msgid "%(counter)s supporter"
msgid_plural "%(counter)s supporters"
msgstr[0] "%(counter)s donante"
msgstr[1] "%(counter)s donantes"

msgid "Give to the campaign"
msgstr "Donar a la campaña"

msgid "Test mode: payments are simulated, no money moves."
msgstr "Modo de prueba: los pagos son simulados, no se mueve dinero."
"""


class TestCost:
    def test_the_page_costs_a_bounded_number_of_queries(
        self, client, publication, campaign, django_assert_max_num_queries
    ):
        for number in range(30):
            donate(campaign, 100 + number, email=f"giver{number}@example.org", name=f"G {number}")
        for year in (2023, 2024, 2025):
            make_campaign(
                f"drive-{year}",
                starts_at=dt.datetime(year, 1, 1, tzinfo=dt.UTC),
                ends_at=dt.datetime(year, 2, 1, tzinfo=dt.UTC),
            )
        client.get("/en/campaign/")  # the furniture's own caches filled
        # The campaign and its texts, its figures, its public names, past campaigns and their
        # texts, one sum per past campaign (a few a decade), the publication's settings.
        # Not one query per payment.
        with django_assert_max_num_queries(12):
            client.get("/en/campaign/")
