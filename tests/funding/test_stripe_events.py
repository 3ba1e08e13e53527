"""Stripe events end in the provider's state, whatever their order, number or lateness.

RELIABILITY.md §1 and §7 rows 2, 3 and 5. Every event is signed for real and posted to
/webhooks/payments/stripe/; the inbox task runs on commit (captureOnCommitCallbacks) and
the adapter fetches the current object from the fake Stripe API on loopback. A failed
event is run again with inbox.process_again, as an editor (or the sweep) would.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import TestCase
from django.utils import timezone

from masthead.funding import ledger, queries
from masthead.funding.models import Checkout, Membership, Payment, Refund
from masthead.inbox import services as inbox
from masthead.inbox.models import Event
from tests.funding import fake_stripe
from tests.funding.fake_stripe import FakeStripe

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_api(settings):
    with FakeStripe().running() as fake:
        fake_stripe.use(settings, fake)
        yield fake


@pytest.fixture
def succeeded_signals():
    sent: list[int] = []

    def receiver(sender, payment_id, **kwargs):
        sent.append(payment_id)

    ledger.payment_succeeded.connect(receiver)
    yield sent
    ledger.payment_succeeded.disconnect(receiver)


def deliver(client, event: dict, **signing):
    """Post one signed event and run what its commit enqueues (the inbox task)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = fake_stripe.post_event(client, event, **signing)
    assert response.status_code == 200, response.content
    return response


def redeliver_failed(limit: int = 5) -> None:
    """Run failed events again until none fails (the inbox's retry, without the wait)."""
    for _ in range(limit):
        failed = list(Event.objects.filter(provider="stripe", status=Event.Status.FAILED))
        if not failed:
            return
        for event in failed:
            with TestCase.captureOnCommitCallbacks(execute=True):
                inbox.process_again(event=event)
    raise AssertionError("events still failing")


def donation(
    email: str = "giver@example.org", amount: int = 2500, campaign=None, fee: int = 0
) -> Checkout:
    return Checkout.objects.create(
        kind=Checkout.Kind.DONATION,
        provider="stripe",
        email=email,
        amount=amount,
        fee_covered=fee,
        currency="USD",
        campaign=campaign,
    )


def membership_checkout(plan, email: str, campaign=None) -> Checkout:
    price = plan.prices.get(interval="month", currency="USD")
    return Checkout.objects.create(
        kind=Checkout.Kind.MEMBERSHIP,
        provider="stripe",
        email=email,
        amount=price.amount,
        currency="USD",
        price=price,
        campaign=campaign,
    )


class TestDuplicates:
    def test_one_event_delivered_three_times_writes_one_row_and_one_signal(
        self, client, stripe_api, succeeded_signals
    ):
        checkout = donation()
        session = stripe_api.donation(checkout)
        event = stripe_api.event("checkout.session.completed", session)

        for _ in range(3):
            deliver(client, event)  # re-signed each time, as Stripe does

        payment = Payment.objects.get()
        assert (payment.reference, payment.status) == (
            session["payment_intent"],
            Payment.Status.SUCCEEDED,
        )
        assert payment.amount == 2500
        assert payment.reader.email == "giver@example.org"
        assert Event.objects.filter(provider="stripe").count() == 1
        assert succeeded_signals == [payment.pk]
        assert Checkout.objects.get().status == Checkout.Status.COMPLETE

    def test_session_completed_and_invoice_paid_about_one_payment_write_one_row(
        self, client, stripe_api, plan, succeeded_signals
    ):
        checkout = membership_checkout(plan, "member@example.org")
        session, subscription, invoice = stripe_api.membership(checkout)

        deliver(client, stripe_api.event("checkout.session.completed", session))
        deliver(client, stripe_api.event("invoice.paid", invoice))

        payment = Payment.objects.get()
        assert payment.reference == invoice["id"]
        assert payment.kind == Payment.Kind.MEMBERSHIP
        assert payment.first_of_membership
        assert payment.membership.reference == subscription["id"]
        assert Event.objects.filter(provider="stripe").count() == 2
        assert succeeded_signals == [payment.pk]


LIFECYCLE = (
    "checkout.session.completed",
    "customer.subscription.created",
    "invoice.paid",
    "customer.subscription.deleted",
)


def test_every_order_of_a_membership_lifecycle_ends_in_stripes_state(client, stripe_api, plan):
    orders = list(itertools.permutations(LIFECYCLE))
    assert len(orders) == 24
    for number, order in enumerate(orders):
        checkout = membership_checkout(plan, f"member{number}@example.org")
        session, subscription, invoice = stripe_api.membership(checkout)
        # The events were sent while it lived; by delivery time Stripe has cancelled it.
        events = {
            "checkout.session.completed": stripe_api.event("checkout.session.completed", session),
            "customer.subscription.created": stripe_api.event(
                "customer.subscription.created", subscription
            ),
            "invoice.paid": stripe_api.event("invoice.paid", invoice),
        }
        stripe_api.cancel(subscription)
        events["customer.subscription.deleted"] = stripe_api.event(
            "customer.subscription.deleted", subscription
        )
        for kind in order:
            deliver(client, events[kind])
        redeliver_failed()

        membership = Membership.objects.get(reference=subscription["id"])
        assert membership.status == Membership.Status.CANCELED, order
        assert membership.ended_at is not None
        assert membership.reader.email == f"member{number}@example.org"
        payments = Payment.objects.filter(reader=membership.reader)
        assert [(p.reference, p.status) for p in payments] == [
            (invoice["id"], Payment.Status.SUCCEEDED)
        ], order
        assert payments[0].membership_id == membership.pk  # no orphan payment
    assert Payment.objects.filter(membership__isnull=True).count() == 0
    assert Event.objects.filter(status=Event.Status.FAILED).count() == 0


def test_an_invoice_for_an_unknown_customer_fails_then_succeeds_once_known(
    client, stripe_api, plan
):
    checkout = membership_checkout(plan, "late@example.org")
    session, subscription, invoice = stripe_api.membership(checkout)
    # A subscription whose metadata names no checkout (as Ghost #19706 saw): only the
    # session ties its customer to a reader.
    subscription["metadata"] = {}
    invoice["parent"]["subscription_details"]["metadata"] = {}
    session["invoice"] = None

    deliver(client, stripe_api.event("invoice.paid", invoice))

    failed = Event.objects.get(kind="invoice.paid")
    assert failed.status == Event.Status.FAILED
    assert "Not ready" in failed.outcome
    assert failed.next_attempt_at is not None  # retried later, never dropped
    assert not Payment.objects.exists()

    deliver(client, stripe_api.event("checkout.session.completed", session))
    redeliver_failed()

    payment = Payment.objects.get()
    assert payment.reference == invoice["id"]
    assert payment.membership.reference == subscription["id"]
    assert payment.reader.email == "late@example.org"
    assert Event.objects.get(pk=failed.pk).status == Event.Status.PROCESSED


def test_a_subscription_event_for_an_unknown_customer_waits(client, stripe_api, plan):
    checkout = membership_checkout(plan, "nobody@example.org")
    _, subscription, _ = stripe_api.membership(checkout)
    subscription["metadata"] = {}

    deliver(client, stripe_api.event("customer.subscription.updated", subscription))

    assert Event.objects.get().status == Event.Status.FAILED
    assert not Membership.objects.exists()


def test_an_event_days_late_applies_the_current_state_not_its_snapshot(client, stripe_api, plan):
    checkout = membership_checkout(plan, "slow@example.org")
    session, subscription, _ = stripe_api.membership(checkout)
    deliver(client, stripe_api.event("checkout.session.completed", session))
    three_days_ago = int((timezone.now() - dt.timedelta(days=3)).timestamp())
    stale = stripe_api.event("customer.subscription.updated", subscription, created=three_days_ago)
    stripe_api.cancel(subscription)
    deliver(client, stripe_api.event("customer.subscription.deleted", subscription))

    # Its snapshot says "active"; Stripe now says "canceled".
    assert stale["data"]["object"]["status"] == "active"
    deliver(client, stale)

    membership = Membership.objects.get()
    assert membership.status == Membership.Status.CANCELED
    assert not queries.has_access(membership.reader)


def test_past_due_then_paid_follows_the_subscription(client, stripe_api, plan):
    checkout = membership_checkout(plan, "card@example.org")
    session, subscription, _ = stripe_api.membership(checkout)
    deliver(client, stripe_api.event("checkout.session.completed", session))
    renewal = stripe_api.invoice(subscription, amount=500, paid=False)
    subscription["status"] = "past_due"

    deliver(client, stripe_api.event("invoice.payment_failed", renewal))
    deliver(client, stripe_api.event("customer.subscription.updated", subscription))

    membership = Membership.objects.get()
    failed = Payment.objects.get(reference=renewal["id"])
    assert failed.status == Payment.Status.FAILED
    assert not failed.first_of_membership
    assert membership.status == Membership.Status.PAST_DUE
    assert membership.past_due_since is not None
    assert queries.has_access(membership.reader)  # the grace period

    renewal.update(status="paid", amount_paid=500)
    subscription["status"] = "unpaid"  # "unpaid" is past due too, until Stripe says active
    deliver(client, stripe_api.event("invoice.paid", renewal))
    deliver(client, stripe_api.event("customer.subscription.updated", subscription))
    assert Payment.objects.get(reference=renewal["id"]).status == Payment.Status.SUCCEEDED
    assert Membership.objects.get().status == Membership.Status.PAST_DUE
    subscription["status"] = "active"
    deliver(client, stripe_api.event("customer.subscription.updated", subscription))
    assert Membership.objects.get().status == Membership.Status.ACTIVE
    assert Membership.objects.get().past_due_since is None


class TestAsyncPayments:
    def test_an_unpaid_session_is_pending_and_counts_only_once_it_succeeds(
        self, client, stripe_api, campaign, succeeded_signals
    ):
        checkout = donation(amount=4000, campaign=campaign)
        session = stripe_api.donation(checkout, payment_status="unpaid")

        deliver(client, stripe_api.event("checkout.session.completed", session))

        assert Payment.objects.get().status == Payment.Status.PENDING
        assert queries.progress(campaign).raised == 0
        assert succeeded_signals == []

        stripe_api.settle(session, succeeded=True)
        deliver(client, stripe_api.event("checkout.session.async_payment_succeeded", session))

        assert Payment.objects.get().status == Payment.Status.SUCCEEDED
        assert queries.progress(campaign).raised == 4000
        assert len(succeeded_signals) == 1
        assert Checkout.objects.get().status == Checkout.Status.COMPLETE

    def test_a_failed_delayed_payment_is_failed_and_never_counts(
        self, client, stripe_api, campaign, succeeded_signals
    ):
        checkout = donation(amount=4000, campaign=campaign)
        session = stripe_api.donation(checkout, payment_status="unpaid")
        stripe_api.settle(session, succeeded=False)

        # The failure can overtake the completion: both read Stripe's current state.
        deliver(client, stripe_api.event("checkout.session.async_payment_failed", session))
        deliver(client, stripe_api.event("checkout.session.completed", session))

        assert Payment.objects.get().status == Payment.Status.FAILED
        assert queries.progress(campaign).raised == 0
        assert succeeded_signals == []
        assert Checkout.objects.get().status == Checkout.Status.FAILED


class TestRefunds:
    def test_a_refund_seen_before_its_payment_counts_once_the_payment_lands(
        self, client, stripe_api, campaign
    ):
        checkout = donation(amount=5000, campaign=campaign)
        session = stripe_api.donation(checkout)
        charge = stripe_api.charge_of(session)
        refund = stripe_api.refund(charge, 1500)

        deliver(client, stripe_api.event("charge.refunded", charge))

        stored = Refund.objects.get()
        assert (stored.reference, stored.payment_reference, stored.amount) == (
            refund["id"],
            session["payment_intent"],
            1500,
        )
        assert queries.progress(campaign).raised == 0

        deliver(client, stripe_api.event("checkout.session.completed", session))
        deliver(client, stripe_api.event("charge.refunded", charge))  # a replay

        assert Refund.objects.count() == 1
        assert queries.progress(campaign).raised == 3500

    def test_a_refunded_membership_payment_is_tied_to_its_invoice(
        self, client, stripe_api, plan, campaign
    ):
        checkout = membership_checkout(plan, "refunded@example.org", campaign=campaign)
        session, _, invoice = stripe_api.membership(checkout)
        charge = stripe_api.charge_of(invoice)
        stripe_api.refund(charge, 500)

        deliver(client, stripe_api.event("charge.refunded", charge))
        deliver(client, stripe_api.event("checkout.session.completed", session))

        assert Refund.objects.get().payment_reference == invoice["id"]
        assert Payment.objects.get().reference == invoice["id"]
        assert queries.progress(campaign).raised == 0

    def test_failed_refunds_give_nothing_back(self, client, stripe_api, campaign):
        checkout = donation(amount=5000, campaign=campaign)
        session = stripe_api.donation(checkout)
        charge = stripe_api.charge_of(session)
        stripe_api.refund(charge, 5000, status="failed")

        deliver(client, stripe_api.event("checkout.session.completed", session))
        deliver(client, stripe_api.event("charge.refunded", charge))

        assert not Refund.objects.exists()
        assert queries.progress(campaign).raised == 5000


def test_the_campaign_total_is_paid_less_refunded_without_covered_fees(
    client, stripe_api, plan, campaign
):
    paid = []
    for number, (amount, fee) in enumerate([(2500, 0), (10300, 300), (1000, 0), (7777, 0)]):
        checkout = donation(f"d{number}@example.org", amount=amount, campaign=campaign, fee=fee)
        session = stripe_api.donation(checkout)
        deliver(client, stripe_api.event("checkout.session.completed", session))
        paid.append((session, amount - fee))
    # A refund of part of one gift, all of another.
    for (session, _), refunded in [(paid[0], 500), (paid[2], 1000)]:
        charge = stripe_api.charge_of(session)
        stripe_api.refund(charge, refunded)
        deliver(client, stripe_api.event("charge.refunded", charge))
    # A membership from the campaign: its first payment counts, its renewal does not.
    checkout = membership_checkout(plan, "m@example.org", campaign=campaign)
    session, subscription, _ = stripe_api.membership(checkout)
    deliver(client, stripe_api.event("checkout.session.completed", session))
    renewal = stripe_api.invoice(subscription, amount=500)
    deliver(client, stripe_api.event("invoice.paid", renewal))
    # A gift outside the campaign, and one still unpaid.
    deliver(
        client, stripe_api.event("checkout.session.completed", stripe_api.donation(donation()))
    )
    unpaid = stripe_api.donation(donation(amount=9000, campaign=campaign), payment_status="unpaid")
    deliver(client, stripe_api.event("checkout.session.completed", unpaid))

    expected = (2500 + 10000 + 1000 + 7777) - (500 + 1000) + 500
    assert queries.progress(campaign).raised == expected
    # The same figure summed independently over the ledger rows.
    counted = Payment.objects.filter(campaign=campaign, status=Payment.Status.SUCCEEDED)
    independent = sum(
        p.amount - p.fee_covered
        for p in counted
        if p.kind != Payment.Kind.MEMBERSHIP or p.first_of_membership
    ) - sum(
        r.amount
        for r in Refund.objects.all()
        if counted.filter(reference=r.payment_reference).exists()
    )
    assert independent == expected
    assert queries.progress(campaign).supporters == 4  # d0, d1, d3 and the member


def test_after_a_free_trial_the_first_charge_counts_toward_the_campaign_and_renewals_do_not(
    client, stripe_api, plan, campaign
):
    checkout = membership_checkout(plan, "trial@example.org", campaign=campaign)
    session, subscription, trial_invoice = stripe_api.membership(checkout, trial=True)
    deliver(client, stripe_api.event("checkout.session.completed", session))
    deliver(client, stripe_api.event("invoice.paid", trial_invoice))
    assert queries.progress(campaign).raised == 0  # the trial moved no money

    first = stripe_api.invoice(subscription, amount=500)
    second = stripe_api.invoice(subscription, amount=500)
    # The renewal's event arrives before the first charge's.
    deliver(client, stripe_api.event("invoice.paid", second))
    deliver(client, stripe_api.event("invoice.paid", first))

    assert Payment.objects.get(reference=first["id"]).first_of_membership
    assert not Payment.objects.get(reference=second["id"]).first_of_membership
    assert queries.progress(campaign).raised == 500
    assert queries.progress(campaign).supporters == 1


def test_an_expired_session_expires_its_checkout_and_writes_no_payment(client, stripe_api):
    checkout = donation()
    session = stripe_api.donation(checkout, payment_status="unpaid")
    session["status"] = "expired"

    deliver(client, stripe_api.event("checkout.session.completed", session))

    assert Checkout.objects.get().status == Checkout.Status.EXPIRED
    assert not Payment.objects.exists()


def test_a_paid_session_no_checkout_started_is_a_gift_toward_no_campaign(
    client, stripe_api, campaign
):
    # A Payment Link or a Dashboard charge: money all the same.
    session = stripe_api.add_paid_session(
        "cs_link_1", payment_intent="pi_link_1", amount=1200, currency="usd", email="l@example.org"
    )

    deliver(client, stripe_api.event("checkout.session.completed", session))

    payment = Payment.objects.get()
    assert (payment.reference, payment.kind, payment.amount) == ("pi_link_1", "donation", 1200)
    assert (payment.email, payment.campaign) == ("l@example.org", None)
    assert queries.progress(campaign).raised == 0


def test_a_subscription_session_no_checkout_started_is_ignored(client, stripe_api, plan):
    session, subscription, _ = stripe_api.membership(membership_checkout(plan, "s@example.org"))
    session["metadata"] = subscription["metadata"] = {}

    deliver(client, stripe_api.event("checkout.session.completed", session))

    assert Event.objects.get().status == Event.Status.IGNORED
    assert not Payment.objects.exists()
    assert not Membership.objects.exists()
