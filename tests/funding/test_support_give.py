"""Give once (issue 9 §1): the form, its refusals, and the whole path to one ledger row."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from masthead.audience.sessions import READER_KEY
from masthead.funding import queries
from masthead.funding.models import Checkout, Payment
from masthead.funding.providers.local import LocalProvider
from tests.audience.accounts import signed_in

from .support import SUPPORT, checkout_of, form_errors, give, press

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(publication):
    """Pages extend base.html, which reads the publication's settings."""


class TestTheWholeGift:
    def test_a_custom_gift_toward_the_campaign_ends_in_one_succeeded_payment(
        self, client, campaign, django_capture_on_commit_callbacks
    ):
        response = give(
            client,
            amount="other",
            custom_amount="12.50",
            toward_campaign="on",
            anonymous="on",
            name="Ana",
            cover_fees="on",
            next="/en/world/the-long-interview/",
        )
        checkout = checkout_of(response)
        fee = LocalProvider().fee(1250, "USD")
        assert fee > 0
        assert (checkout.amount, checkout.fee_covered, checkout.currency) == (
            1250 + fee,
            fee,
            "USD",
        )
        assert checkout.return_path == "/en/world/the-long-interview/"

        paid = press(client, checkout, "succeeded", django_capture_on_commit_callbacks)

        payment = Payment.objects.get()
        assert payment.status == Payment.Status.SUCCEEDED
        assert (payment.amount, payment.fee_covered) == (1250 + fee, fee)
        assert payment.campaign == campaign
        assert payment.anonymous is True and payment.name == "Ana"
        assert payment.kind == Payment.Kind.DONATION
        assert list(queries.counted_payments(campaign)) == [payment]
        thanks = client.get(paid["Location"])
        page = thanks.content.decode()
        assert thanks.status_code == 200
        assert "We received your gift of US$13.19, including US$0.69" in page
        assert 'href="/en/world/the-long-interview/"' in page

    def test_a_preset_gift_without_the_tick_adds_no_fee_and_no_campaign(
        self, client, campaign, django_capture_on_commit_callbacks
    ):
        checkout = checkout_of(give(client, amount="25"))
        press(client, checkout, "succeeded", django_capture_on_commit_callbacks)
        payment = Payment.objects.get()
        assert (payment.amount, payment.fee_covered, payment.campaign) == (2500, 0, None)
        assert payment.anonymous is False
        assert not queries.counted_payments(campaign).exists()

    def test_a_typed_amount_wins_over_a_preset(self, client):
        checkout = checkout_of(give(client, amount="25", custom_amount="7"))
        assert checkout.amount == 700

    def test_a_signed_in_reader_is_not_asked_for_an_address_and_pays_as_themselves(
        self, client, reader
    ):
        signed_in(reader, client)
        page = client.get(SUPPORT).content.decode()
        assert 'name="email"' not in page
        checkout = checkout_of(client.post(SUPPORT, {"currency": "USD", "amount": "10"}))
        assert checkout.reader == reader and checkout.email == reader.email

    def test_a_guest_is_never_signed_in_by_paying(
        self, client, django_capture_on_commit_callbacks
    ):
        checkout = checkout_of(give(client, amount="10", email="ana@example.org"))
        press(client, checkout, "succeeded", django_capture_on_commit_callbacks)
        assert READER_KEY not in client.session
        assert Payment.objects.get().reader.email == "ana@example.org"


class TestTheForm:
    def test_the_page_offers_the_presets_the_bounds_and_an_unticked_fee_box(self, client):
        response = client.get(SUPPORT)
        page = response.content.decode()
        for label in ("US$10.00", "US$25.00", "US$50.00", "US$100.00"):
            assert label in page
        assert "From US$2.00 to US$10,000.00." in page
        assert re.search(r'name="cover_fees"[^>]*>', page)
        assert not re.search(r'name="cover_fees"[^>]*checked', page)
        assert "this adds US$0.61 to a gift of US$10.00 (2.9% + US$0.30)" in page
        assert 'name="provider"' not in page  # one provider for USD: no choice to make

    def test_the_campaign_is_ticked_only_in_its_own_currency(self, client, campaign):
        usd = client.get(SUPPORT).content.decode()
        pen = client.get(f"{SUPPORT}?currency=PEN").content.decode()
        assert "Keep the long interviews coming" in usd
        assert re.search(r'name="toward_campaign"[^>]*checked', usd)
        assert not re.search(r'name="toward_campaign"[^>]*checked', pen)
        assert "The campaign counts gifts in USD." in pen
        assert "S/10.00" in pen

    def test_without_a_current_campaign_there_is_nothing_to_tick(self, client):
        assert 'name="toward_campaign"' not in client.get(SUPPORT).content.decode()

    def test_several_providers_for_a_currency_let_the_reader_choose(self, client, settings):
        settings.PAYMENT_PROVIDERS = {"USD": ["local", "local"]}
        page = client.get(SUPPORT).content.decode()
        assert 'name="provider"' in page and "Test payment (no money moves)" in page

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("1.99", "The smallest gift is US$2.00."),
            ("10000.01", "The largest gift online is US$10,000.00; write to us for more."),
            ("abc", "Enter an amount such as 25 or 25.50."),
            ("1.999", "USD amounts have at most 2 decimal places."),
            ("-5", "Enter an amount such as 25 or 25.50."),
            ("0", "The smallest gift is US$2.00."),
            ("", "Choose an amount or type one."),
        ],
    )
    def test_a_bad_amount_is_a_form_error_and_creates_nothing(self, client, typed, message):
        response = give(client, custom_amount=typed)
        assert response.status_code == 400
        assert message in form_errors(response)
        assert not Checkout.objects.exists()

    def test_choosing_another_amount_without_typing_one_says_so(self, client):
        response = give(client, amount="other")
        assert "Type the amount you want to give." in form_errors(response)

    def test_a_preset_that_is_not_offered_is_refused(self, client):
        response = give(client, amount="3")
        assert response.status_code == 400
        assert not Checkout.objects.exists()

    def test_a_currency_the_publication_does_not_take_is_refused(self, client):
        response = give(client, currency="GBP", amount="10")
        assert response.status_code == 400
        assert "This publication does not take payments in GBP." in form_errors(response)
        assert not Checkout.objects.exists()

    def test_a_gift_in_another_currency_than_the_campaign_is_refused(self, client, campaign):
        response = give(client, currency="PEN", amount="10", toward_campaign="on")
        assert response.status_code == 400
        assert "The campaign counts gifts in USD; this gift is in PEN." in form_errors(response)
        assert not Checkout.objects.exists()

    def test_a_missing_or_bad_address_is_a_form_error(self, client):
        for email in ("", "not-an-address", "a@example.org\r\nBcc: x@example.org"):
            response = give(client, amount="10", email=email)
            assert response.status_code == 400
        assert not Checkout.objects.exists()

    def test_a_name_on_two_lines_is_refused(self, client):
        response = give(client, amount="10", name="Ana\nBcc: x")
        assert response.status_code == 400
        assert "Use a single line." in form_errors(response)


class TestWhereTheReaderGoesBack:
    def test_the_article_the_reader_came_from_is_kept_in_the_form(self, client):
        page = client.get(f"{SUPPORT}?next=/en/world/the-long-interview/").content.decode()
        assert 'value="/en/world/the-long-interview/"' in page

    @pytest.mark.parametrize(
        "tampered",
        [
            "//evil.example",
            "/\\evil.example",
            "https:evil.example",
            "javascript:alert(1)",
            "https://evil.example/",
        ],
    )
    def test_a_tampered_next_falls_back_to_the_home_page(
        self, client, tampered, django_capture_on_commit_callbacks
    ):
        checkout = checkout_of(give(client, amount="10", next=tampered))
        assert checkout.return_path == "/en/"
        paid = press(client, checkout, "succeeded", django_capture_on_commit_callbacks)
        page = client.get(paid["Location"]).content.decode()
        assert "evil.example" not in page


class TestProtections:
    def test_every_form_needs_a_csrf_token(self, reader, plan):
        strict = Client(enforce_csrf_checks=True)
        assert strict.post(SUPPORT, {"currency": "USD", "amount": "10"}).status_code == 403
        price = plan.prices.get(interval="month", currency="USD")
        membership = {"currency": "USD", "price": price.pk, "email": "a@example.org"}
        assert strict.post("/en/support/membership/", membership).status_code == 403
        assert not Checkout.objects.exists()

    def test_the_forms_are_never_stored_in_the_page_cache(self, client, plan):
        for path in (SUPPORT, "/en/support/membership/"):
            first, second = client.get(path), client.get(path)
            assert "no-store" in first["Cache-Control"]
            assert "X-Cache" not in first and "X-Cache" not in second

    def test_the_page_costs_a_fixed_handful_of_queries(
        self, client, campaign, no_page_cache, django_assert_max_num_queries
    ):
        client.get(SUPPORT)  # first-request costs (site, locale) are not the page's
        with django_assert_max_num_queries(6):
            assert client.get(SUPPORT).status_code == 200

    def test_checkouts_from_one_address_are_limited(self, client, settings):
        settings.CHECKOUT_LIMIT_PER_IP = 2
        for _ in range(2):
            checkout_of(give(client, amount="10"))
        refused = give(client, amount="10")
        assert refused.status_code == 429
        assert Checkout.objects.count() == 2


class TestSpanish:
    def test_the_spanish_page_speaks_spanish_and_money_in_spanish_format(self, client, campaign):
        response = client.get("/es/support/")
        page = response.content.decode()
        assert response.status_code == 200
        assert '<html lang="es">' in page
        assert "Que sigan las entrevistas largas" in page
        assert "US$10,00" in page
        assert 'action="/es/support/"' in page

    def test_a_spanish_gift_comes_back_to_spanish_pages(self, client):
        response = client.post(
            "/es/support/", {"currency": "USD", "amount": "10", "email": "a@example.org"}
        )
        assert response.status_code == 302
        checkout = Checkout.objects.get()
        assert checkout.language == "es" and checkout.return_path == "/es/"
