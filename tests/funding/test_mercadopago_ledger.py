"""What Mercado Pago notifications leave in the ledger, whatever their order, number or delay.

Each test puts objects in the fake Mercado Pago API (payments, preapprovals, authorized
payments), posts signed notifications to the real endpoint, and reads the ledger,
memberships and campaign totals. State always comes from the fetched object, so the
assertions are on what Mercado Pago says now, not on what a notification said.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from masthead.funding import ledger, queries
from masthead.funding.models import Campaign, Checkout, Membership, Payment, Refund
from masthead.inbox import services as inbox
from masthead.inbox.models import Event
from tests.funding.fake_mercadopago import FakeMercadoPago, configure, notify, start

pytestmark = pytest.mark.django_db

NEXT_PAYMENT = "2026-04-02T10:00:00.000-05:00"


@pytest.fixture
def api(settings):
    with FakeMercadoPago() as fake:
        configure(settings, fake)
        yield fake


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def deliver(*args: object, **kwargs: object):
        with django_capture_on_commit_callbacks(execute=True):
            response = notify(client, *args, **kwargs)
        assert response.status_code == 200
        return Event.objects.order_by("-pk").first()

    return deliver


@pytest.fixture
def retry_later(django_capture_on_commit_callbacks):
    """The scheduler's sweep, an hour on: failed events are tried again."""

    def sweep() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            inbox.retry_due(now=timezone.now() + dt.timedelta(hours=1))

    return sweep


@pytest.fixture
def pen_campaign(db):
    now = timezone.now()
    return Campaign.objects.create(
        slug="lima-2026",
        goal=10_000_00,
        currency="PEN",
        starts_at=now - dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=27),
    )


def net_raised(campaign: Campaign) -> int:
    """The campaign's total summed here, row by row: counted payments less their refunds.

    Independent of queries.progress on purpose (a second opinion over the same ledger).
    """
    total = 0
    for payment in queries.counted_payments(campaign):
        refunded = sum(
            Refund.objects.filter(
                provider=payment.provider, payment_reference=payment.reference
            ).values_list("amount", flat=True)
        )
        counted = payment.amount - payment.fee_covered
        total += counted - min(counted, refunded)
    return total


def membership_at_the_fake(api, plan, *, charges: int = 1):
    """A monthly PEN membership checkout, its authorized preapproval and ``charges`` charges."""
    price = plan.prices.get(currency="PEN", interval="month")
    checkout, redirect = start(kind=Checkout.Kind.MEMBERSHIP, amount=price.amount, price=price)
    pre_id = redirect.session_reference
    api.preapproval(
        pre_id,
        status="authorized",
        next_payment_date=NEXT_PAYMENT,
        date_created="2026-03-02T09:59:00.000-05:00",
        payer_id=7001,
        summarized={"charged_quantity": charges},
    )
    for n in range(1, charges + 1):
        api.authorized_payment(
            f"800{n}",
            preapproval_id=pre_id,
            date_created=f"2026-0{2 + n}-02T10:00:00.000-05:00",
            payment={"id": 700 + n, "status": "approved"},
        )
        api.payment(
            f"{700 + n}",
            external_reference=str(checkout.pk),
            transaction_amount=18,
            point_of_interaction={
                "type": "SUBSCRIPTIONS",
                "transaction_data": {"subscription_id": pre_id},
            },
        )
    return checkout, pre_id


class TestAmounts:
    @pytest.mark.parametrize(
        ("minor", "sent", "fetched"),
        [
            (1850, "18.5", 18.5),
            (1999, "19.99", 19.99),
            (123456, "1234.56", 1234.56),
            (5000, "50", 50),
        ],
    )
    def test_pen_amounts_are_exact_both_ways(self, api, post, minor, sent, fetched):
        checkout, _ = start(amount=minor)
        body = api.calls_to("POST", "/checkout/preferences")[0].body
        assert f'"unit_price": {sent},' in body  # the exact text the SDK wrote

        api.payment("901", external_reference=str(checkout.pk), transaction_amount=fetched)
        post("payment", "901")
        payment = Payment.objects.get()
        assert (payment.amount, payment.currency) == (minor, "PEN")


class TestOneOffPayments:
    def test_an_approved_payment_completes_the_checkout_for_the_checkout_s_reader(self, api, post):
        checkout, _ = start(amount=1850, email="Lucia@Example.org")
        api.payment("902", external_reference=str(checkout.pk))
        post("payment", "902")
        payment = Payment.objects.get()
        checkout.refresh_from_db()
        assert checkout.status == Checkout.Status.COMPLETE
        # The payer's address at Mercado Pago is not proof of anything: the checkout's is used.
        assert payment.reader.email.lower() == "lucia@example.org"
        assert payment.paid_at == parse_datetime("2026-03-02T10:00:00.000-05:00")

    def test_a_rejected_payment_is_a_failed_row_and_a_failed_checkout(self, api, post):
        checkout, _ = start(amount=1850)
        api.payment("903", external_reference=str(checkout.pk), status="rejected")
        post("payment", "903")
        checkout.refresh_from_db()
        assert Payment.objects.get().status == Payment.Status.FAILED
        assert checkout.status == Checkout.Status.FAILED

    def test_a_pending_payment_that_is_approved_later_moves_forward_once(self, api, post):
        checkout, _ = start(amount=1850)
        api.payment("904", external_reference=str(checkout.pk), status="in_process")
        post("payment", "904")
        assert Payment.objects.get().status == Payment.Status.PENDING
        api.payment("904", external_reference=str(checkout.pk))
        post("payment", "904")
        assert Payment.objects.get().status == Payment.Status.SUCCEEDED


class TestRefunds:
    def test_a_refund_seen_before_the_payment_s_own_event_ends_net_zero(
        self, api, post, pen_campaign
    ):
        checkout, _ = start(amount=1850, toward_campaign=True)
        refund = {"id": 5501, "amount": 18.5, "date_created": "2026-03-03T10:00:00.000-05:00"}
        api.payment(
            "905", external_reference=str(checkout.pk), status="refunded", refunds=[refund]
        )
        post("payment", "905", action="payment.updated")  # the refund's notification
        post("payment", "905", action="payment.created")  # the payment's, a day late

        assert Payment.objects.get().status == Payment.Status.SUCCEEDED
        assert list(Refund.objects.values_list("reference", "payment_reference", "amount")) == [
            ("5501", "905", 1850)
        ]
        assert net_raised(pen_campaign) == 0

    def test_a_partial_refund_leaves_the_rest_counted(self, api, post, pen_campaign):
        checkout, _ = start(amount=1850, toward_campaign=True)
        api.payment("906", external_reference=str(checkout.pk))
        post("payment", "906")
        assert net_raised(pen_campaign) == 1850

        api.payment(
            "906",
            external_reference=str(checkout.pk),
            refunds=[{"id": 5502, "amount": 5, "date_created": "2026-03-04T10:00:00.000-05:00"}],
        )
        post("payment", "906")
        assert net_raised(pen_campaign) == 1350

    def test_a_chargeback_takes_the_money_back_out_of_the_total(self, api, post, pen_campaign):
        checkout, _ = start(amount=1850, toward_campaign=True)
        api.payment("907", external_reference=str(checkout.pk), status="charged_back")
        post("payment", "907")
        assert Refund.objects.get().reference == "chargeback-907"
        assert net_raised(pen_campaign) == 0


class TestMemberships:
    def test_a_payment_before_its_preapproval_waits_and_then_lands_as_the_first_charge(
        self, api, post, retry_later, plan
    ):
        checkout, pre_id = membership_at_the_fake(api, plan)
        early = post("payment", "701")
        assert early.status == Event.Status.FAILED and Payment.objects.count() == 0

        post("subscription_preapproval", pre_id)
        retry_later()

        membership = Membership.objects.get()
        payment = Payment.objects.get()
        assert (membership.provider, membership.reference) == ("mercadopago", pre_id)
        assert membership.status == Membership.Status.ACTIVE
        assert membership.current_period_end == parse_datetime(NEXT_PAYMENT)
        assert (payment.membership, payment.kind, payment.amount) == (
            membership,
            "membership",
            1800,
        )
        assert payment.first_of_membership and payment.checkout == checkout
        assert payment.reader == membership.reader and payment.reader.email == checkout.email
        early.refresh_from_db()
        assert early.status == Event.Status.PROCESSED

    def test_an_authorized_payment_before_its_preapproval_is_retried_never_dropped(
        self, api, post, retry_later, plan
    ):
        _, pre_id = membership_at_the_fake(api, plan)
        early = post("subscription_authorized_payment", "8001")
        assert early.status == Event.Status.FAILED and "not known yet" in early.outcome

        post("subscription_preapproval", pre_id)
        retry_later()
        payment = Payment.objects.get()
        assert payment.reference == "701" and payment.first_of_membership

    def test_the_payment_and_authorized_payment_of_one_charge_write_one_row(self, api, post, plan):
        _, pre_id = membership_at_the_fake(api, plan)
        post("subscription_preapproval", pre_id)
        post("subscription_authorized_payment", "8001")
        post("payment", "701")
        assert Payment.objects.count() == 1

    def test_a_renewal_arriving_before_the_first_charge_is_not_taken_for_it(
        self, api, post, plan, pen_campaign
    ):
        checkout, pre_id = membership_at_the_fake(api, plan, charges=2)
        Checkout.objects.filter(pk=checkout.pk).update(campaign=pen_campaign)
        post("subscription_preapproval", pre_id)
        post("payment", "702")
        post("payment", "701")

        first, renewal = Payment.objects.order_by("reference")
        assert (first.reference, first.first_of_membership) == ("701", True)
        assert (renewal.reference, renewal.first_of_membership) == ("702", False)
        # Only a membership's first charge counts toward the campaign it started from.
        assert net_raised(pen_campaign) == 1800

    @pytest.mark.parametrize(
        ("at_mercado_pago", "status"),
        [
            ("authorized", Membership.Status.ACTIVE),
            ("paused", Membership.Status.PAST_DUE),
            ("cancelled", Membership.Status.CANCELED),
            ("pending", Membership.Status.INCOMPLETE),
        ],
    )
    def test_a_membership_mirrors_the_preapproval_s_status(
        self, api, post, plan, at_mercado_pago, status
    ):
        _, pre_id = membership_at_the_fake(api, plan, charges=0)
        api.preapproval(pre_id, status=at_mercado_pago)
        post("subscription_preapproval", pre_id)
        membership = Membership.objects.get()
        assert membership.status == status
        assert (membership.ended_at is not None) == (status == Membership.Status.CANCELED)

    def test_a_free_trial_not_yet_charged_is_trialing(self, api, post, plan):
        plan.trial_days = 14
        plan.save()
        _, pre_id = membership_at_the_fake(api, plan, charges=0)
        sent = api.calls_to("POST", "/preapproval")[0].json
        api.preapproval(pre_id, auto_recurring=sent["auto_recurring"])
        post("subscription_preapproval", pre_id)
        assert Membership.objects.get().status == Membership.Status.TRIALING

    def test_a_late_created_event_after_the_cancellation_leaves_it_cancelled(
        self, api, post, plan
    ):
        _, pre_id = membership_at_the_fake(api, plan, charges=0)
        post("subscription_preapproval", pre_id, action="updated")
        api.preapproval(pre_id, status="cancelled", last_modified="2026-03-20T10:00:00.000-05:00")
        post("subscription_preapproval", pre_id, action="updated")
        post("subscription_preapproval", pre_id, action="created")  # days late

        membership = Membership.objects.get()
        assert membership.status == Membership.Status.CANCELED
        assert membership.ended_at == parse_datetime("2026-03-20T10:00:00.000-05:00")
        assert not queries.has_access(membership.reader)

    def test_a_preapproval_whose_checkout_is_not_here_yet_is_retried(self, api, post):
        api.preapproval(
            "2c93abc",
            status="authorized",
            external_reference="6f1d0c1e-0000-4000-8000-000000000000",
        )
        event = post("subscription_preapproval", "2c93abc")
        assert event.status == Event.Status.FAILED and Membership.objects.count() == 0

    def test_a_preapproval_that_is_not_masthead_s_is_ignored(self, api, post):
        api.preapproval("2c93abd", status="authorized", external_reference="other-app")
        assert post("subscription_preapproval", "2c93abd").status == Event.Status.IGNORED


def test_succeeded_signal_is_sent_once_per_charge_across_every_event_about_it(api, post, plan):
    sent: list[int] = []

    def receive(sender: object, payment_id: int, **kwargs: object) -> None:
        sent.append(payment_id)

    ledger.payment_succeeded.connect(receive)
    try:
        _, pre_id = membership_at_the_fake(api, plan)
        post("subscription_preapproval", pre_id)
        for _ in range(3):
            post("payment", "701")
            post("subscription_authorized_payment", "8001")
    finally:
        ledger.payment_succeeded.disconnect(receive)
    assert sent == [Payment.objects.get().pk]
    assert Decimal(Payment.objects.get().amount) == 1800


def test_a_rejected_payment_approved_on_a_second_try_completes_the_checkout(api, post):
    checkout, _ = start(amount=1850)
    api.payment("908", external_reference=str(checkout.pk), status="rejected")
    post("payment", "908")
    api.payment("908", external_reference=str(checkout.pk))
    post("payment", "908")
    checkout.refresh_from_db()
    assert checkout.status == Checkout.Status.COMPLETE
    assert Payment.objects.get().status == Payment.Status.SUCCEEDED
