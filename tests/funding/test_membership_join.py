"""Become a member (issue 9 §1): the plans page, joining monthly or yearly, trials, offers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from masthead.audience.sessions import READER_KEY
from masthead.funding import ledger
from masthead.funding.models import (
    Checkout,
    Membership,
    Offer,
    Payment,
    Plan,
    PlanPrice,
    PlanText,
)
from tests.audience.accounts import signed_in

from .support import MEMBERSHIP, checkout_of, form_errors, join, press

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(publication):
    """Pages extend base.html, which reads the publication's settings."""


def price_of(plan, interval="month", currency="USD"):
    return plan.prices.get(interval=interval, currency=currency)


class TestThePlansPage:
    def test_it_shows_each_plan_with_its_benefits_and_both_prices(self, client, plan):
        page = client.get(MEMBERSHIP).content.decode()
        assert "Member" in page
        assert "<li>Every interview</li>" in page and "<li>The archive</li>" in page
        assert "Monthly: US$5.00 a month" in page
        assert "Annual subscription: US$50.00 a year" in page
        assert "S/18.00" not in page  # prices in the chosen currency only
        assert not re.search(r'name="price"[^>]*checked', page)  # nothing chosen for them
        assert 'name="offer_code"' in page

    def test_more_plans_cost_no_more_queries(
        self, client, plan, no_page_cache, django_assert_max_num_queries
    ):
        for number in range(3):
            other = Plan.objects.create(slug=f"patron-{number}", position=number + 1)
            PlanText.objects.create(plan=other, language="en", name=f"Patron {number}")
            PlanPrice.objects.create(plan=other, interval="month", currency="USD", amount=900)
        client.get(MEMBERSHIP)  # first-request costs (site, locale) are not the page's
        with django_assert_max_num_queries(7):
            page = client.get(MEMBERSHIP).content.decode()
        assert "Patron 2" in page and "Monthly: US$9.00 a month" in page

    def test_another_currency_shows_its_own_prices(self, client, plan):
        page = client.get(f"{MEMBERSHIP}?currency=PEN").content.decode()
        assert "Monthly: S/18.00 a month" in page
        assert "Annual subscription: S/180.00 a year" in page

    def test_a_trial_is_announced(self, client, plan):
        plan.trial_days = 14
        plan.save()
        page = client.get(MEMBERSHIP).content.decode()
        assert "Free for the first 14 days" in page

    def test_the_spanish_page_shows_the_spanish_plan_texts(self, client, plan):
        page = client.get("/es/support/membership/").content.decode()
        assert '<html lang="es">' in page
        assert "Socio" in page and "<li>Todas las entrevistas</li>" in page
        assert "US$5,00" in page


class TestJoining:
    def test_a_monthly_membership_starts_with_its_first_payment(
        self, client, plan, django_capture_on_commit_callbacks
    ):
        price = price_of(plan)
        checkout = checkout_of(join(client, price))
        assert (checkout.kind, checkout.price, checkout.amount) == ("membership", price, 500)

        paid = press(client, checkout, "succeeded", django_capture_on_commit_callbacks)

        membership = Membership.objects.get()
        assert membership.status == Membership.Status.ACTIVE
        assert membership.price == price and membership.reader.email == "guest@example.org"
        payment = Payment.objects.get()
        assert (payment.amount, payment.first_of_membership) == (500, True)
        page = client.get(paid["Location"]).content.decode()
        assert "you are now a member (Member)" in page
        assert "We received your first payment of US$5.00." in page

    def test_the_annual_subscription_is_paid_for_a_year(
        self, client, plan, django_capture_on_commit_callbacks
    ):
        checkout = checkout_of(join(client, price_of(plan, "year")))
        assert checkout.amount == 5000
        press(client, checkout, "succeeded", django_capture_on_commit_callbacks)
        membership = Membership.objects.get()
        assert membership.current_period_end > timezone.now() + dt.timedelta(days=360)
        assert Payment.objects.get().amount == 5000

    def test_a_trial_starts_without_a_payment(
        self, client, plan, django_capture_on_commit_callbacks
    ):
        plan.trial_days = 14
        plan.save()
        checkout = checkout_of(join(client, price_of(plan)))
        paid = press(client, checkout, "succeeded", django_capture_on_commit_callbacks)
        assert Membership.objects.get().status == Membership.Status.TRIALING
        assert not Payment.objects.exists()
        page = client.get(paid["Location"]).content.decode()
        assert "Your free trial has started; the first payment of US$5.00" in page

    def test_a_guest_member_is_told_to_sign_in_with_the_emailed_link(
        self, client, plan, django_capture_on_commit_callbacks
    ):
        checkout = checkout_of(join(client, price_of(plan), email="ana@example.org"))
        paid = press(client, checkout, "succeeded", django_capture_on_commit_callbacks)
        page = client.get(paid["Location"]).content.decode()
        assert "To read members-only articles, sign in with the link we email to" in page
        assert 'href="/en/account/sign-in/"' in page
        assert READER_KEY not in client.session  # typing an address proves nothing

    def test_a_signed_in_member_is_not_asked_to_sign_in(
        self, client, plan, reader, django_capture_on_commit_callbacks
    ):
        signed_in(reader, client)
        price = price_of(plan)
        response = client.post(MEMBERSHIP, {"currency": "USD", "price": price.pk})
        checkout = checkout_of(response)
        paid = press(client, checkout, "succeeded", django_capture_on_commit_callbacks)
        page = client.get(paid["Location"]).content.decode()
        assert "sign in with the link" not in page
        assert Membership.objects.get().reader == reader

    def test_a_current_member_cannot_join_twice(self, client, plan, reader):
        ledger.grant(reader=reader, plan=plan, until=None)
        signed_in(reader, client)
        assert "You are already a member." in client.get(MEMBERSHIP).content.decode()
        response = client.post(MEMBERSHIP, {"currency": "USD", "price": price_of(plan).pk})
        assert response.status_code == 400
        assert "You are already a member" in form_errors(response)
        assert not Checkout.objects.exists()

    @pytest.mark.parametrize("price_field", ["", "999999", "abc"])
    def test_no_plan_or_an_unknown_one_is_a_form_error(self, client, plan, price_field):
        response = client.post(
            MEMBERSHIP, {"currency": "USD", "price": price_field, "email": "a@example.org"}
        )
        assert response.status_code == 400
        assert "Choose a plan and how often to pay." in form_errors(response)
        assert not Checkout.objects.exists()

    def test_a_price_in_another_currency_is_refused(self, client, plan):
        pen = price_of(plan, currency="PEN")
        response = join(client, pen, currency="USD")
        assert response.status_code == 400
        assert not Checkout.objects.exists()

    def test_an_inactive_plan_cannot_be_joined(self, client, plan):
        price = price_of(plan)
        plan.active = False
        plan.save()
        assert join(client, price).status_code == 400
        assert not Checkout.objects.exists()


def offer(**fields) -> Offer:
    defaults = {"code": "spring", "kind": Offer.Kind.PERCENT, "percent_off": 25}
    defaults.update(fields)
    defaults.setdefault("duration", Offer.Duration.ONCE)
    return Offer.objects.create(**defaults)


class TestOfferCodes:
    def test_a_valid_code_lowers_the_first_payment(
        self, client, plan, django_capture_on_commit_callbacks
    ):
        spring = offer()
        checkout = checkout_of(join(client, price_of(plan), offer_code="  SPRING "))
        assert (checkout.offer, checkout.amount) == (spring, 375)
        press(client, checkout, "succeeded", django_capture_on_commit_callbacks)
        assert Payment.objects.get().amount == 375

    def test_a_fixed_amount_code_in_the_same_currency_takes_that_amount_off(self, client, plan):
        offer(
            code="dollar", kind=Offer.Kind.FIXED, percent_off=None, amount_off=100, currency="USD"
        )
        checkout = checkout_of(join(client, price_of(plan, "year"), offer_code="dollar"))
        assert checkout.amount == 4900

    @pytest.mark.parametrize(
        ("make", "message"),
        [
            (lambda: None, "There is no offer with this code."),
            (lambda: offer(active=False), "This offer is no longer available."),
            (
                lambda: offer(expires_at=timezone.now() - dt.timedelta(minutes=1)),
                "This offer has expired.",
            ),
            (
                lambda: offer(
                    kind=Offer.Kind.FIXED, percent_off=None, amount_off=100, currency="PEN"
                ),
                "This offer is for payments in PEN; you chose USD.",
            ),
        ],
    )
    def test_an_unusable_code_is_a_form_error_and_creates_nothing(
        self, client, plan, make, message
    ):
        make()
        response = join(client, price_of(plan), offer_code="spring")
        assert response.status_code == 400
        assert message in form_errors(response)
        assert not Checkout.objects.exists()

    def test_a_used_up_code_is_refused(self, client, plan, django_capture_on_commit_callbacks):
        offer(max_redemptions=1)
        first = checkout_of(join(client, price_of(plan), offer_code="spring"))
        press(client, first, "succeeded", django_capture_on_commit_callbacks)
        response = join(client, price_of(plan), offer_code="spring", email="b@example.org")
        assert response.status_code == 400
        assert "This offer has been used up." in form_errors(response)
        assert Checkout.objects.count() == 1

    def test_an_abandoned_checkout_does_not_use_up_a_code(self, client, plan):
        offer(max_redemptions=1)
        checkout_of(join(client, price_of(plan), offer_code="spring"))  # never paid
        checkout_of(join(client, price_of(plan), offer_code="spring", email="b@example.org"))
        assert Checkout.objects.count() == 2
