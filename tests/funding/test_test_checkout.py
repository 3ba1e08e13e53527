"""The local test provider's pages: pay or decline once, and the member's "manage" page."""

from __future__ import annotations

import pytest
from django.test import Client

from masthead.funding import ledger
from masthead.funding.models import Checkout, Membership, Offer, Payment
from masthead.inbox.models import Event
from tests.audience.accounts import signed_in

from .support import MEMBERSHIP, checkout_of, give, join, press

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(publication):
    """Pages extend base.html, which reads the publication's settings."""


def page_of(checkout: Checkout) -> str:
    return f"/en/support/test-checkout/{checkout.pk}/"


class TestTheCheckoutPage:
    def test_it_says_test_mode_and_what_is_being_paid(self, client, campaign):
        checkout = checkout_of(give(client, amount="25", toward_campaign="on", cover_fees="on"))
        page = client.get(page_of(checkout)).content.decode()
        assert "Test mode: no money moves" in page
        assert "One-off gift" in page and "US$26.06" in page
        assert "(including US$1.06 to cover the fees)" in page
        assert "drive-2026" in page and "guest@example.org" in page
        assert "Pay (test: succeeds)" in page and "Decline (test: fails)" in page

    def test_a_membership_names_the_plan_interval_and_offer(self, client, plan):
        Offer.objects.create(code="half", kind="percent", percent_off=50, duration="once")
        price = plan.prices.get(interval="year", currency="USD")
        checkout = checkout_of(join(client, price, offer_code="half"))
        page = client.get(page_of(checkout)).content.decode()
        assert "Membership: Member (Annual)" in page and "US$25.00" in page
        assert "half (50% off the first payment)" in page

    def test_a_declined_payment_goes_back_to_the_support_page_and_says_so(
        self, client, django_capture_on_commit_callbacks
    ):
        checkout = checkout_of(give(client, amount="10", next="/en/world/a/"))
        declined = press(client, checkout, "failed", django_capture_on_commit_callbacks)
        assert declined.status_code == 302
        assert declined["Location"] == "/en/support/?currency=USD&next=%2Fen%2Fworld%2Fa%2F"
        page = client.get(declined["Location"]).content.decode()
        assert "The payment was declined (test mode): nothing was paid." in page
        checkout.refresh_from_db()
        assert checkout.status == Checkout.Status.FAILED
        assert not Payment.objects.filter(status=Payment.Status.SUCCEEDED).exists()
        thanks = client.get(
            press(client, checkout, "succeeded", django_capture_on_commit_callbacks)["Location"]
        )
        assert "The payment was declined" in thanks.content.decode()

    def test_a_declined_membership_goes_back_to_the_plans(
        self, client, plan, django_capture_on_commit_callbacks
    ):
        checkout = checkout_of(join(client, plan.prices.get(interval="month", currency="USD")))
        declined = press(client, checkout, "failed", django_capture_on_commit_callbacks)
        assert declined["Location"] == f"{MEMBERSHIP}?currency=USD&next=%2Fen%2F"
        assert not Membership.objects.exists()

    def test_pressing_twice_changes_nothing(self, client, django_capture_on_commit_callbacks):
        checkout = checkout_of(give(client, amount="10"))
        press(client, checkout, "succeeded", django_capture_on_commit_callbacks)
        press(client, checkout, "succeeded", django_capture_on_commit_callbacks)
        press(client, checkout, "failed", django_capture_on_commit_callbacks)
        assert Event.objects.count() == 1
        payment = Payment.objects.get()
        assert payment.status == Payment.Status.SUCCEEDED
        page = client.get(page_of(checkout)).content.decode()
        assert "This test payment has already been answered." in page
        assert "Pay (test: succeeds)" not in page

    def test_a_second_press_before_the_worker_ran_changes_nothing(
        self, client, django_capture_on_commit_callbacks
    ):
        checkout = checkout_of(give(client, amount="10"))
        with django_capture_on_commit_callbacks(execute=False):
            client.post(page_of(checkout), {"outcome": "succeeded"})
        press(client, checkout, "failed", django_capture_on_commit_callbacks)
        assert list(Event.objects.values_list("event_id", flat=True)) == [
            f"{checkout.pk}:succeeded"
        ]

    def test_the_thanks_page_says_confirming_until_the_worker_has_run(self, client):
        checkout = checkout_of(give(client, amount="10"))
        # Not captured: the test's transaction never commits, so the inbox task never runs.
        response = client.post(page_of(checkout), {"outcome": "succeeded"})
        page = client.get(response["Location"]).content.decode()
        assert "We are confirming your payment" in page
        assert f'href="{response["Location"]}"' in page  # the reload link

    def test_an_unknown_outcome_is_refused(self, client):
        checkout = checkout_of(give(client, amount="10"))
        assert client.post(page_of(checkout), {"outcome": "maybe"}).status_code == 400
        assert not Event.objects.exists()

    def test_an_unknown_checkout_or_another_providers_is_not_found(self, client):
        assert (
            client.get(
                "/en/support/test-checkout/00000000-0000-0000-0000-000000000000/"
            ).status_code
            == 404
        )
        checkout = checkout_of(give(client, amount="10"))
        Checkout.objects.filter(pk=checkout.pk).update(provider="stripe")
        assert client.post(page_of(checkout), {"outcome": "succeeded"}).status_code == 404
        assert not Event.objects.exists()

    def test_the_page_is_gone_when_the_test_provider_is_off(self, client, settings):
        checkout = checkout_of(give(client, amount="10"))
        settings.PAYMENT_PROVIDERS = {"USD": ["stripe"]}
        assert client.get(page_of(checkout)).status_code == 404

    def test_the_buttons_need_a_csrf_token(self, client):
        checkout = checkout_of(give(client, amount="10"))
        strict = Client(enforce_csrf_checks=True)
        assert strict.post(page_of(checkout), {"outcome": "succeeded"}).status_code == 403
        assert not Event.objects.exists()

    def test_a_bad_thanks_link_is_refused_plainly(self, client):
        response = client.get("/en/support/thanks/not-a-token/")
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()


class TestTheUpsell:
    def test_after_a_gift_the_monthly_option_is_offered_once(
        self, client, plan, django_capture_on_commit_callbacks
    ):
        checkout = checkout_of(give(client, amount="10"))
        thanks = press(client, checkout, "succeeded", django_capture_on_commit_callbacks)
        first = client.get(thanks["Location"]).content.decode()
        assert "Would you give every month?" in first
        assert "Members give from US$5.00 a month" in first
        assert 'href="/en/support/membership/?currency=USD"' in first
        assert "No thanks" in first
        again = client.get(thanks["Location"]).content.decode()
        assert "Would you give every month?" not in again
        assert "We received your gift of US$10.00." in again

    def test_a_member_is_not_asked(self, client, plan, reader, django_capture_on_commit_callbacks):
        ledger.grant(reader=reader, plan=plan, until=None)
        signed_in(reader, client)
        checkout = checkout_of(client.post("/en/support/", {"currency": "USD", "amount": "10"}))
        thanks = press(client, checkout, "succeeded", django_capture_on_commit_callbacks)
        assert "Would you give every month?" not in client.get(thanks["Location"]).content.decode()

    def test_a_membership_is_not_followed_by_the_monthly_offer(
        self, client, plan, django_capture_on_commit_callbacks
    ):
        checkout = checkout_of(join(client, plan.prices.get(interval="year", currency="USD")))
        thanks = press(client, checkout, "succeeded", django_capture_on_commit_callbacks)
        assert "Would you give every month?" not in client.get(thanks["Location"]).content.decode()
