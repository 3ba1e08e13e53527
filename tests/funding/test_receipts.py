"""The receipt page: what a supporter paid, from the token in their email, and nothing more."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from masthead.funding import ledger, links
from masthead.funding.models import Checkout, Interval, Payment

pytestmark = pytest.mark.django_db


def _url(payment: Payment, language: str = "en") -> str:
    token = links.RECEIPT.make(links.ReceiptLink(payment_id=payment.pk))
    return f"/{language}/support/receipt/{token}/"


@pytest.fixture
def donation(reader):
    checkout = Checkout.objects.create(
        kind=Checkout.Kind.DONATION,
        provider="local",
        reader=reader,
        email=reader.email,
        amount=2630,
        fee_covered=130,
        currency="USD",
    )
    return ledger.record_payment(
        provider="local",
        reference="pi_receipt_1",
        status=Payment.Status.SUCCEEDED,
        amount=2630,
        currency="USD",
        kind=Payment.Kind.DONATION,
        checkout=checkout,
        paid_at=dt.datetime(2026, 3, 14, 12, tzinfo=dt.UTC),
    )


def test_the_receipt_shows_publication_date_amount_kind_fee_and_reference(publication, donation):
    page = Client().get(_url(donation))

    assert page.status_code == 200
    text = page.text
    for expected in ["The Test Gazette", "March 14, 2026", "US$26.30", "USD", "One-off gift"]:
        assert expected in text
    assert "US$1.30" in text  # the covered fee
    assert "pi_receipt_1" in text
    assert "ana@example.org" not in text  # no address: a forwarded receipt leaks nothing
    assert "no-store" in page["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in text


def test_refunds_appear_on_the_receipt_with_their_total(publication, donation):
    for reference, amount in [("re_1", 1000), ("re_2", 500)]:
        ledger.record_refund(
            provider="local",
            reference=reference,
            payment_reference="pi_receipt_1",
            amount=amount,
            currency="USD",
        )
    text = Client().get(_url(donation)).text
    assert "Refunds" in text
    assert "US$10.00" in text and "US$5.00" in text and "US$15.00" in text
    assert "re_1" in text and "re_2" in text


def test_a_membership_receipt_names_the_plan_in_the_readers_language(publication, plan, reader):
    membership = ledger.sync_membership(
        provider="local",
        reference="sub_r",
        reader=reader,
        plan=plan,
        price=plan.prices.get(interval=Interval.YEAR, currency="USD"),
        status="active",
        current_period_end=timezone.now() + dt.timedelta(days=365),
    )
    payment = ledger.record_payment(
        provider="local",
        reference="in_r",
        status="succeeded",
        amount=5000,
        currency="USD",
        kind=Payment.Kind.MEMBERSHIP,
        membership=membership,
        first_of_membership=True,
    )
    assert "Member" in Client().get(_url(payment)).text
    spanish = Client().get(_url(payment, "es"))
    assert spanish.status_code == 200 and "Socio" in spanish.text
    assert "50,00" in spanish.text


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "x" * 300, "eyJwYXltZW50X2lkIjoxfQ:1u:abc"],
)
def test_a_bad_token_gets_a_clear_404_page_not_an_error(publication, token):
    page = Client().get(f"/en/support/receipt/{token}/")
    assert page.status_code == 404
    assert "This receipt link is not valid" in page.text


def test_a_token_of_another_kind_is_refused(publication, donation):
    gift_token = links.GIFT.make(links.GiftLink(gift_id=donation.pk, recipient_email="a@b.org"))
    assert Client().get(f"/en/support/receipt/{gift_token}/").status_code == 404


def test_a_pending_or_failed_payment_has_no_receipt(publication):
    for status in (Payment.Status.PENDING, Payment.Status.FAILED):
        payment = ledger.record_payment(
            provider="local",
            reference=f"pi_{status}",
            status=status,
            amount=1000,
            currency="USD",
            kind=Payment.Kind.DONATION,
            email="x@example.org",
        )
        assert Client().get(_url(payment)).status_code == 404


def test_the_receipt_of_an_erased_supporter_still_opens(publication, donation, reader):
    ledger.scrub_reader(reader=reader)
    page = Client().get(_url(donation))
    assert page.status_code == 200 and "US$26.30" in page.text


def test_only_get_is_allowed(publication, donation):
    assert Client().post(_url(donation)).status_code == 405
