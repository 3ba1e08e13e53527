"""Starting, managing and cancelling Mercado Pago payments, as the fake API sees them.

The official SDK talks to a fake Mercado Pago API on loopback; every assertion about a
request is on what the fake recorded (method, path, raw JSON body, token).
"""

from __future__ import annotations

import socket

import pytest
from django.db.models.signals import post_delete
from mercadopago.errors.exceptions import MPServerError

from masthead.audience import hooks
from masthead.audience import services as audience
from masthead.audience.models import Reader
from masthead.checks import check_mercadopago
from masthead.funding import providers
from masthead.funding.checkout import CheckoutError
from masthead.funding.models import Checkout, Interval, Membership, Offer, Payment
from tests.funding.fake_mercadopago import TOKEN, FakeMercadoPago, configure, notify, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(settings):
    with FakeMercadoPago() as fake:
        configure(settings, fake)
        yield fake


def mercadopago():
    return providers.get("mercadopago")


class TestOneOffCheckout:
    def test_the_preference_carries_the_checkout_the_amount_and_the_ways_back(self, api):
        checkout, redirect = start(amount=1850, email="lucia@example.org")

        (call,) = api.calls_to("POST", "/checkout/preferences")
        sent = call.json
        assert call.authorization == f"Bearer {TOKEN}"
        assert sent["external_reference"] == str(checkout.pk)
        (item,) = sent["items"]
        assert {key: item[key] for key in ("id", "quantity", "unit_price", "currency_id")} == {
            "id": "donation",
            "quantity": 1,
            "unit_price": 18.5,
            "currency_id": "PEN",
        }
        assert item["title"]  # "One-off gift" in the checkout's language
        assert sent["payer"] == {"email": "lucia@example.org"}
        assert sent["back_urls"] == {
            "success": "https://news.example.org/es/support/thanks/",
            "pending": "https://news.example.org/es/support/thanks/",
            "failure": "https://news.example.org/es/support/",
        }
        assert sent["notification_url"].startswith(
            "https://news.example.org/webhooks/payments/mercadopago/"
        )
        assert sent["auto_return"] == "approved"
        assert redirect.url.startswith("https://www.mercadopago.com.pe/checkout/")
        assert checkout.provider_session == redirect.session_reference

    def test_covering_the_fee_adds_mercado_pago_s_rate_to_what_is_charged(self, api):
        assert mercadopago().fee(1000, "PEN") == 42  # 1000 / (1 - 3.99 %) = 1041.56, rounded up
        checkout, _ = start(amount=1850, cover_fees=True)
        assert (checkout.amount, checkout.fee_covered) == (1850 + 77, 77)
        sent = api.calls_to("POST", "/checkout/preferences")[0].json
        assert sent["items"][0]["unit_price"] == 19.27

    def test_an_error_at_mercado_pago_is_a_clear_message_and_stores_no_checkout(self, api):
        api.fail("POST", "/checkout/preferences", 500)
        with pytest.raises(CheckoutError, match="Mercado Pago could not start"):
            start(amount=1850)
        assert Checkout.objects.count() == 0

    def test_mercado_pago_out_of_reach_is_a_clear_message_and_stores_no_checkout(
        self, api, settings
    ):
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        settings.MERCADOPAGO_API_BASE = f"http://127.0.0.1:{port}"
        with pytest.raises(CheckoutError):
            start(amount=1850)
        assert Checkout.objects.count() == 0


class TestMembershipCheckout:
    @pytest.mark.parametrize(
        ("interval", "months", "amount"), [("month", 1, 18), ("year", 12, 180)]
    )
    def test_the_preapproval_asks_for_the_plan_s_price_every_interval(
        self, api, plan, interval, months, amount
    ):
        price = plan.prices.get(currency="PEN", interval=interval)
        checkout, redirect = start(kind="membership", amount=price.amount, price=price)

        sent = api.calls_to("POST", "/preapproval")[0].json
        assert sent["auto_recurring"] == {
            "frequency": months,
            "frequency_type": "months",
            "transaction_amount": amount,
            "currency_id": "PEN",
        }
        assert sent["external_reference"] == str(checkout.pk)
        assert sent["payer_email"] == checkout.email
        assert sent["back_url"] == "https://news.example.org/es/support/thanks/"
        assert sent["reason"] == "Socio"  # the plan's name in the checkout's language
        assert redirect.url.startswith("https://www.mercadopago.com.pe/subscriptions/")
        assert redirect.session_reference in api.state.preapprovals

    def test_a_plan_with_a_free_trial_asks_for_it(self, api, plan):
        plan.trial_days = 14
        plan.save()
        price = plan.prices.get(currency="PEN", interval=Interval.MONTH)
        start(kind="membership", amount=price.amount, price=price)
        recurring = api.calls_to("POST", "/preapproval")[0].json["auto_recurring"]
        assert recurring["free_trial"] == {"frequency": 14, "frequency_type": "days"}

    def test_an_offer_for_every_payment_lowers_what_the_preapproval_asks(self, api, plan):
        offer = Offer.objects.create(
            code="forever-10", kind="percent", percent_off=10, duration="forever"
        )
        price = plan.prices.get(currency="PEN", interval=Interval.MONTH)
        start(kind="membership", amount=1620, price=price, offer=offer)
        recurring = api.calls_to("POST", "/preapproval")[0].json["auto_recurring"]
        assert recurring["transaction_amount"] == 16.2

    @pytest.mark.parametrize("duration", ["once", "repeating"])
    def test_an_offer_for_some_payments_only_is_refused_before_anything_is_stored(
        self, api, plan, duration
    ):
        # A preapproval charges one amount every period: a first-payment discount would
        # be taken off every payment, so the offer is refused rather than misapplied.
        offer = Offer.objects.create(
            code="first-half", kind="percent", percent_off=50, duration=duration,
            duration_months=3 if duration == "repeating" else None,
        )  # fmt: skip
        price = plan.prices.get(currency="PEN", interval=Interval.MONTH)
        with pytest.raises(CheckoutError, match="cannot be used with Mercado Pago"):
            start(kind="membership", amount=900, price=price, offer=offer)
        assert not Checkout.objects.exists()
        assert not api.calls_to("POST", "/preapproval")


@pytest.fixture
def member(api, plan, reader, client, django_capture_on_commit_callbacks):
    """``reader`` paying a monthly PEN membership, applied from Mercado Pago's objects."""
    price = plan.prices.get(currency="PEN", interval=Interval.MONTH)
    checkout, redirect = start(kind="membership", amount=price.amount, price=price, reader=reader)
    pre_id = redirect.session_reference
    api.preapproval(pre_id, status="authorized", next_payment_date="2026-04-02T10:00:00Z")
    api.authorized_payment("8101", preapproval_id=pre_id, payment={"id": 711})
    api.payment(
        "711",
        external_reference=str(checkout.pk),
        transaction_amount=18,
        point_of_interaction={"transaction_data": {"subscription_id": pre_id}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(client, "subscription_preapproval", pre_id)
        notify(client, "subscription_authorized_payment", "8101")
    membership = Membership.objects.get(reference=pre_id)
    assert membership.reader == reader and Payment.objects.get().reader == reader
    return membership


class TestManageAndCancel:
    def test_members_manage_their_subscription_on_mercado_pago_s_own_page(self, member):
        url = mercadopago().manage_url(member, return_url="/es/account/")
        assert url == "https://www.mercadopago.com.pe/subscriptions"

    def test_cancelling_twice_cancels_once_and_is_fine(self, api, member):
        mercadopago().cancel(member)
        mercadopago().cancel(member)

        puts = api.calls_to("PUT", f"/preapproval/{member.reference}")
        assert [call.json for call in puts] == [{"status": "cancelled"}] * 2
        assert api.state.preapprovals[member.reference]["status"] == "cancelled"
        member.refresh_from_db()
        assert member.status == Membership.Status.CANCELED and member.ended_at

    def test_a_refused_cancellation_raises(self, api, member):
        api.fail("PUT", f"/preapproval/{member.reference}", 500)
        with pytest.raises(MPServerError):
            mercadopago().cancel(member)
        member.refresh_from_db()
        assert member.status == Membership.Status.ACTIVE


class TestErasure:
    def test_erasing_a_member_cancels_the_preapproval_before_the_reader_is_deleted(
        self, api, member, reader
    ):
        cancelled_at_delete: list[int] = []

        def on_delete(sender: object, instance: Reader, **kwargs: object) -> None:
            cancelled_at_delete.append(
                len(api.calls_to("PUT", f"/preapproval/{member.reference}"))
            )

        post_delete.connect(on_delete, sender=Reader)
        try:
            audience.erase_reader(reader=reader)
        finally:
            post_delete.disconnect(on_delete, sender=Reader)

        assert cancelled_at_delete == [1]
        assert api.state.preapprovals[member.reference]["status"] == "cancelled"
        assert not Reader.objects.filter(pk=reader.pk).exists()
        payment = Payment.objects.get()  # kept for the accounts, anonymous
        assert (payment.reader, payment.email, payment.amount) == (None, "", 1800)

    def test_when_mercado_pago_refuses_the_erasure_is_rolled_back(self, api, member, reader):
        api.fail("PUT", f"/preapproval/{member.reference}", 500)
        with pytest.raises(hooks.ErasureBlocked):
            audience.erase_reader(reader=reader)

        assert Reader.objects.filter(pk=reader.pk).exists()
        member.refresh_from_db()
        assert member.reader == reader and member.status == Membership.Status.ACTIVE
        assert Payment.objects.get().reader == reader
        assert api.state.preapprovals[member.reference]["status"] == "authorized"


class TestDeployCheck:
    def test_an_access_token_without_a_webhook_secret_is_reported(self, settings):
        settings.MERCADOPAGO_ACCESS_TOKEN = "APP_USR-123"
        settings.MERCADOPAGO_WEBHOOK_SECRET = ""
        assert [problem.id for problem in check_mercadopago()] == ["masthead.W033"]

    def test_mercado_pago_named_for_a_currency_without_a_token_is_reported(self, settings):
        settings.PAYMENT_PROVIDERS = {"PEN": ["mercadopago"]}
        settings.MERCADOPAGO_ACCESS_TOKEN = ""
        assert [problem.id for problem in check_mercadopago()] == ["masthead.W034"]

    def test_a_token_and_a_secret_pass(self, settings):
        settings.PAYMENT_PROVIDERS = {"PEN": ["mercadopago"]}
        settings.MERCADOPAGO_ACCESS_TOKEN = "APP_USR-123"
        settings.MERCADOPAGO_WEBHOOK_SECRET = "s3cret"
        assert check_mercadopago() == []

    def test_no_mercado_pago_at_all_passes(self, settings):
        settings.PAYMENT_PROVIDERS = {"USD": ["local"]}
        settings.MERCADOPAGO_ACCESS_TOKEN = ""
        settings.MERCADOPAGO_WEBHOOK_SECRET = ""
        assert check_mercadopago() == []
