"""The accountant's CSV: every payment in a date range, in major units, safe in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from masthead.audience.models import Reader
from masthead.funding import ledger, reports
from masthead.funding.models import Checkout, Payment
from tests.audience.admin_helpers import superuser

pytestmark = pytest.mark.django_db


def noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.fixture
def admin(client):
    client.force_login(superuser())
    return client


def download(client, start: str, end: str) -> list[dict]:
    response = client.get(reverse("funding_dashboard:export"), {"start": start, "end": end})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_lists_payments_in_the_range_with_fee_refund_and_net_in_major_units(
    admin, campaign
):
    checkout = Checkout.objects.create(
        kind=Checkout.Kind.DONATION,
        provider="local",
        email="nadia@example.org",
        amount=2400,
        fee_covered=100,
        currency="USD",
        campaign=campaign,
        name="Nadia R.",
    )
    ledger.record_payment(
        provider="local",
        reference="pi_1",
        status=Payment.Status.SUCCEEDED,
        amount=2500,
        currency="USD",
        kind=Payment.Kind.DONATION,
        checkout=checkout,
        paid_at=noon(dt.date(2026, 3, 2)),
    )
    ledger.record_refund(
        provider="local",
        reference="re_1",
        payment_reference="pi_1",
        amount=400,
        currency="USD",
    )
    ledger.record_payment(
        provider="local",
        reference="pen_1",
        status=Payment.Status.SUCCEEDED,
        amount=1800,
        currency="PEN",
        kind=Payment.Kind.MEMBERSHIP,
        email="luis@example.org",
        paid_at=noon(dt.date(2026, 3, 31)),
    )
    ledger.record_payment(  # outside the range
        provider="local",
        reference="april",
        status=Payment.Status.SUCCEEDED,
        amount=900,
        currency="USD",
        kind=Payment.Kind.DONATION,
        email="late@example.org",
        paid_at=noon(dt.date(2026, 4, 1)),
    )

    rows = download(admin, "2026-03-01", "2026-03-31")

    assert list(rows[0]) == list(reports.CSV_COLUMNS)
    assert [r["reference"] for r in rows] == ["pi_1", "pen_1"]
    first = rows[0]
    assert first == {
        "date": "2026-03-02",
        "kind": "donation",
        "status": "succeeded",
        "amount": "25.00",
        "covered_fee": "1.00",
        "refunded": "4.00",
        "net": "20.00",
        "currency": "USD",
        "provider": "local",
        "reference": "pi_1",
        "campaign": "drive-2026",
        "name": "Nadia R.",
        "email": "nadia@example.org",
    }
    assert (rows[1]["amount"], rows[1]["currency"], rows[1]["net"]) == ("18.00", "PEN", "18.00")


def test_a_failed_payment_is_listed_with_nothing_net(admin):
    ledger.record_payment(
        provider="local",
        reference="failed_1",
        status=Payment.Status.FAILED,
        amount=700,
        currency="USD",
        kind=Payment.Kind.DONATION,
        email="x@example.org",
    )
    today = timezone.localdate().isoformat()

    (row,) = download(admin, today, today)

    assert (row["status"], row["amount"], row["net"]) == ("failed", "7.00", "0.00")


def test_an_erased_supporter_is_anonymised_and_the_amount_stays(admin):
    reader = Reader.objects.create(email="gone@example.org")
    ledger.record_payment(
        provider="local",
        reference="pi_gone",
        status=Payment.Status.SUCCEEDED,
        amount=1000,
        currency="USD",
        kind=Payment.Kind.DONATION,
        reader=reader,
    )
    ledger.scrub_reader(reader=reader)
    today = timezone.localdate().isoformat()

    (row,) = download(admin, today, today)

    assert (row["name"], row["email"], row["amount"]) == ("anonymised", "", "10.00")


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x")', "+1+2", "-3+4", "@SUM(A1)"])
def test_a_name_that_is_a_formula_reaches_the_spreadsheet_as_text(admin, formula):
    ledger.record_offline_gift(
        amount=500, currency="USD", received_at=timezone.now(), campaign=None, name=formula
    )
    today = timezone.localdate().isoformat()

    (row,) = download(admin, today, today)

    assert row["name"] == "'" + formula


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-03-31", "end": "2026-03-01"},
        {"start": "yesterday", "end": "2026-03-01"},
        {"start": "2026-03-01"},
        {},
    ],
)
def test_bad_dates_are_a_400_with_the_reason(admin, query):
    response = admin.get(reverse("funding_dashboard:export"), query)

    assert response.status_code == 400
    assert "dates are not valid" in response.content.decode()


def test_the_export_is_one_query_whatever_the_number_of_payments(
    admin, django_assert_max_num_queries
):
    for i in range(40):
        ledger.record_payment(
            provider="local",
            reference=f"pi_{i}",
            status=Payment.Status.SUCCEEDED,
            amount=1000 + i,
            currency="USD",
            kind=Payment.Kind.DONATION,
            email=f"s{i}@example.org",
        )
    today = timezone.localdate()
    with django_assert_max_num_queries(2):
        rows = list(reports.payment_rows(today, today))
    assert len(rows) == 41
