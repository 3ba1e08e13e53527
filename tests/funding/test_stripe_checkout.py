"""Starting payments on Stripe, the Customer Portal, cancelling, erasure, deploy checks.

What the adapter sends is read from the fake Stripe API's request log: the official client
posts real form-encoded requests to it over loopback.
"""

from __future__ import annotations

import pytest
from django.db.models.signals import pre_delete
from django.test import TestCase

from masthead.audience import hooks
from masthead.audience import services as audience
from masthead.audience.models import Reader
from masthead.checks import check_stripe_keys
from masthead.funding import checkout as checkouts
from masthead.funding import ledger, providers
from masthead.funding.models import Checkout, Customer, Membership, Offer, Payment
from masthead.funding.providers.base import ReturnUrls
from masthead.funding.providers.stripe import API_VERSION
from tests.audience.accounts import signed_in
from tests.funding import fake_stripe
from tests.funding.fake_stripe import CHECKOUT_URL, PORTAL_URL, FakeStripe

pytestmark = pytest.mark.django_db

URLS = ReturnUrls(
    success="http://localhost/en/support/thanks/",
    cancel="http://localhost/en/support/",
    notification="http://localhost/webhooks/payments/stripe/",
)


@pytest.fixture
def stripe_api(settings):
    with FakeStripe().running() as fake:
        fake_stripe.use(settings, fake)
        yield fake


def begin(**choice):
    defaults = {
        "kind": Checkout.Kind.DONATION,
        "amount": 2500,
        "currency": "USD",
        "email": "giver@example.org",
        "reader": None,
        "language": "es",
        "urls": URLS,
    }
    return checkouts.begin(**{**defaults, **choice})


def sessions_created(fake) -> list[dict]:
    return fake.asked("POST", "/v1/checkout/sessions")


class TestDonationCheckout:
    def test_a_donation_sends_amount_currency_metadata_and_return_urls(self, stripe_api, campaign):
        checkout, redirect = begin(cover_fees=True, toward_campaign=True, return_path="/en/x/")

        [request] = sessions_created(stripe_api)
        params = request["params"]
        fee = providers.get("stripe").fee(2500, "USD")
        assert fee == 106  # (2500 + 30) / (1 - 0.029) = 2605.56, rounded up, less 2500
        assert params["mode"] == "payment"
        assert params["submit_type"] == "donate"
        item = params["line_items"][0]
        assert item["quantity"] == "1"
        assert item["price_data"]["currency"] == "usd"
        assert item["price_data"]["unit_amount"] == str(2500 + fee)
        assert params["metadata"] == {"checkout": str(checkout.pk)}
        assert params["payment_intent_data"] == {"metadata": {"checkout": str(checkout.pk)}}
        assert params["client_reference_id"] == str(checkout.pk)
        assert (params["success_url"], params["cancel_url"]) == (URLS.success, URLS.cancel)
        assert params["customer_email"] == "giver@example.org"
        assert "customer" not in params
        assert params["locale"] == "es"
        assert request["stripe_version"] == API_VERSION
        assert request["idempotency_key"] == f"masthead-checkout-{checkout.pk}"
        assert redirect.url == CHECKOUT_URL + redirect.session_reference
        stored = Checkout.objects.get()
        assert stored.provider_session == redirect.session_reference
        assert (stored.amount, stored.fee_covered, stored.campaign) == (2500 + fee, fee, campaign)

    def test_a_reader_stripe_knows_pays_as_the_same_customer(self, stripe_api, reader):
        ledger.link_customer(provider="stripe", reference="cus_known", reader=reader)

        begin(reader=reader)

        params = sessions_created(stripe_api)[0]["params"]
        assert params["customer"] == "cus_known"
        assert "customer_email" not in params

    def test_when_stripe_is_down_the_reader_gets_a_clear_error_and_nothing_is_kept(
        self, stripe_api
    ):
        stripe_api.failures[("POST", "/v1/checkout/sessions")] = 500

        with pytest.raises(checkouts.CheckoutError, match="did not answer"):
            begin()

        assert not Checkout.objects.exists()

    def test_the_fee_schedule_is_stripes_card_price(self, stripe_api):
        stripe = providers.get("stripe")
        assert stripe.fee_schedule("USD") == ("2.9", 30)
        assert stripe.fee_schedule("CLP") == ("2.9", 0)
        assert stripe.fee(1000, "CLP") == 30  # 1000 / 0.971 = 1029.87, rounded up


class TestMembershipCheckout:
    def test_a_membership_sends_the_interval_trial_and_subscription_metadata(
        self, stripe_api, plan
    ):
        plan.trial_days = 14
        plan.save()
        price = plan.prices.get(interval="year", currency="USD")

        checkout, _ = begin(kind=Checkout.Kind.MEMBERSHIP, amount=price.amount, price=price)

        params = sessions_created(stripe_api)[0]["params"]
        assert params["mode"] == "subscription"
        price_data = params["line_items"][0]["price_data"]
        assert price_data["recurring"] == {"interval": "year"}
        assert price_data["unit_amount"] == "5000"
        assert price_data["product_data"]["name"].endswith("Socio")  # the reader's language
        assert params["subscription_data"] == {
            "metadata": {"checkout": str(checkout.pk)},
            "trial_period_days": "14",
        }
        assert "payment_intent_data" not in params
        assert "discounts" not in params

    def test_an_offer_becomes_one_stripe_coupon_reused_by_later_checkouts(self, stripe_api, plan):
        offer = Offer.objects.create(
            code="spring",
            kind=Offer.Kind.PERCENT,
            percent_off=25,
            duration=Offer.Duration.REPEATING,
            duration_months=3,
        )
        price = plan.prices.get(interval="month", currency="USD")
        for email in ("a@example.org", "b@example.org"):
            begin(kind=Checkout.Kind.MEMBERSHIP, amount=500, price=price, offer=offer, email=email)

        [created] = stripe_api.asked("POST", "/v1/coupons")
        coupon = created["params"]
        assert coupon["percent_off"] == "25"
        assert (coupon["duration"], coupon["duration_in_months"]) == ("repeating", "3")
        used = [s["params"]["discounts"] for s in sessions_created(stripe_api)]
        assert used == [[{"coupon": coupon["id"]}]] * 2

    def test_a_fixed_offer_sends_amount_and_currency_and_refuses_another_currency(
        self, stripe_api, plan, settings
    ):
        offer = Offer.objects.create(
            code="five-off",
            kind=Offer.Kind.FIXED,
            amount_off=500,
            currency="EUR",
            duration=Offer.Duration.ONCE,
        )
        price = plan.prices.get(interval="month", currency="USD")

        with pytest.raises(checkouts.CheckoutError):
            begin(kind=Checkout.Kind.MEMBERSHIP, amount=500, price=price, offer=offer)
        assert not Checkout.objects.exists()

        Offer.objects.filter(pk=offer.pk).update(currency="USD")
        offer.refresh_from_db()
        begin(kind=Checkout.Kind.MEMBERSHIP, amount=500, price=price, offer=offer)
        coupon = stripe_api.asked("POST", "/v1/coupons")[0]["params"]
        assert (coupon["amount_off"], coupon["currency"], coupon["duration"]) == (
            "500",
            "usd",
            "once",
        )


def a_member(client, fake, plan, email="member@example.org") -> tuple[Reader, dict]:
    price = plan.prices.get(interval="month", currency="USD")
    checkout = Checkout.objects.create(
        kind=Checkout.Kind.MEMBERSHIP,
        provider="stripe",
        email=email,
        amount=price.amount,
        currency="USD",
        price=price,
    )
    session, subscription, _ = fake.membership(checkout)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = fake_stripe.post_event(
            client, fake.event("checkout.session.completed", session)
        )
    assert response.status_code == 200
    membership = Membership.objects.get(reference=subscription["id"])
    assert membership.status == Membership.Status.ACTIVE
    return membership.reader, subscription


class TestManageAndCancel:
    def test_the_manage_link_is_a_customer_portal_session(self, client, stripe_api, plan):
        _, subscription = a_member(client, stripe_api, plan)
        membership = Membership.objects.get()

        url = providers.get("stripe").manage_url(
            membership, return_url="http://localhost/en/account/"
        )

        [portal] = stripe_api.asked("POST", "/v1/billing_portal/sessions")
        assert portal["params"] == {
            "customer": subscription["customer"],
            "return_url": "http://localhost/en/account/",
        }
        assert url.startswith(PORTAL_URL)

    def test_cancel_is_idempotent_and_ends_the_membership(self, client, stripe_api, plan):
        _, subscription = a_member(client, stripe_api, plan)
        membership = Membership.objects.get()
        stripe = providers.get("stripe")

        stripe.cancel(membership)
        stripe.cancel(membership)  # Stripe answers 400: already cancelled
        stripe_api.objects.pop(subscription["id"])
        stripe.cancel(membership)  # Stripe answers 404: gone

        assert len(stripe_api.asked("DELETE", "/v1/subscriptions/")) == 3
        membership.refresh_from_db()
        assert membership.status == Membership.Status.CANCELED
        assert membership.ended_at is not None


class TestErasure:
    def test_erasure_cancels_at_stripe_before_the_reader_row_is_deleted(
        self, client, stripe_api, plan
    ):
        reader, subscription = a_member(client, stripe_api, plan)
        deletes_when_reader_deleted = []

        def note(sender, instance, **kwargs):
            deletes_when_reader_deleted.append(
                len(stripe_api.asked("DELETE", f"/v1/subscriptions/{subscription['id']}"))
            )

        pre_delete.connect(note, sender=Reader)
        try:
            audience.erase_reader(reader=reader)
        finally:
            pre_delete.disconnect(note, sender=Reader)

        assert deletes_when_reader_deleted == [1]
        assert stripe_api.objects[subscription["id"]]["status"] == "canceled"
        assert not Reader.objects.filter(pk=reader.pk).exists()
        payment = Payment.objects.get()  # the ledger row stays, anonymous
        assert (payment.reader, payment.email) == (None, "")
        assert Customer.objects.get().reader is None

    def test_when_stripe_fails_the_erasure_is_rolled_back(self, client, stripe_api, plan):
        reader, subscription = a_member(client, stripe_api, plan)
        stripe_api.failures[("DELETE", f"/v1/subscriptions/{subscription['id']}")] = 500

        with pytest.raises(hooks.ErasureBlocked, match="could not stop your recurring payment"):
            audience.erase_reader(reader=reader)

        assert Reader.objects.filter(pk=reader.pk, email="member@example.org").exists()
        assert Payment.objects.get().reader_id == reader.pk
        assert Membership.objects.get().reader_id == reader.pk
        assert Customer.objects.get().reader_id == reader.pk
        assert stripe_api.objects[subscription["id"]]["status"] == "active"

    def test_the_account_page_says_to_try_again_when_stripe_cannot_cancel(
        self, client, stripe_api, plan
    ):
        reader, subscription = a_member(client, stripe_api, plan)
        stripe_api.failures[("DELETE", f"/v1/subscriptions/{subscription['id']}")] = 500
        browser = signed_in(reader)

        response = browser.post("/en/account/delete/", {"email": reader.email})

        assert response.status_code == 503
        assert "could not stop your recurring payment" in response.content.decode()
        assert Reader.objects.filter(pk=reader.pk).exists()
        assert browser.get("/en/account/").status_code == 200  # still signed in

    def test_events_after_erasure_keep_the_membership_anonymous(self, client, stripe_api, plan):
        reader, subscription = a_member(client, stripe_api, plan)
        audience.erase_reader(reader=reader)

        with TestCase.captureOnCommitCallbacks(execute=True):
            fake_stripe.post_event(
                client, stripe_api.event("customer.subscription.deleted", subscription)
            )

        membership = Membership.objects.get()
        assert (membership.reader, membership.status) == (None, Membership.Status.CANCELED)
        assert not Reader.objects.filter(email="member@example.org").exists()


class TestDeployChecks:
    def ids(self) -> list[str]:
        return [problem.id for problem in check_stripe_keys()]

    def test_a_secret_key_without_a_webhook_secret_is_reported(self, settings):
        settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_live_x", ""
        assert self.ids() == ["masthead.W030"]

    def test_a_webhook_secret_without_a_secret_key_is_reported(self, settings):
        settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "", "whsec_x"
        assert self.ids() == ["masthead.W031"]

    def test_both_keys_or_neither_pass(self, settings):
        settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_live_x", "whsec_x"
        assert self.ids() == []
        settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "", ""
        assert self.ids() == []

    def test_stripe_chosen_without_keys_is_an_error(self, settings):
        settings.PAYMENT_PROVIDERS = {"USD": ["stripe"]}
        settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "", ""
        assert self.ids() == ["masthead.E030"]

    def test_a_stand_in_api_address_is_reported(self, settings):
        settings.STRIPE_API_BASE = "http://127.0.0.1:9999"
        assert self.ids() == ["masthead.W032"]
