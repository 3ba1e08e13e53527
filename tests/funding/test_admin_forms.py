"""Editors' writes from the admin: offline gifts, complimentary memberships, plans, campaigns
and offers with amounts typed in major units. Bad input is a form error and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from masthead.audience.models import Reader
from masthead.funding import ledger, queries
from masthead.funding.models import Campaign, Membership, Offer, Payment, Plan, PlanPrice
from tests.audience.admin_helpers import superuser

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def admin(client):
    user = superuser()
    client.force_login(user)
    client.user = user
    return client


def gift(**overrides) -> dict:
    data = {
        "amount": "120.50",
        "currency": "USD",
        "received": TODAY.isoformat(),
        "campaign": "",
        "name": "The Tuesday Reading Circle",
        "email": "",
        "note": "Bank transfer 2026-114",
    }
    data.update(overrides)
    return data


# --- offline gifts -------------------------------------------------------------------------


def test_an_offline_gift_is_a_ledger_row_with_an_audit_entry_and_moves_the_campaign(
    admin, campaign
):
    before = queries.progress(campaign).raised

    response = admin.post(
        reverse("funding_payment:offline_gift"), gift(campaign=campaign.pk, anonymous="on")
    )

    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.kind, payment.provider, payment.status) == ("offline", "offline", "succeeded")
    assert (payment.amount, payment.currency, payment.anonymous) == (12050, "USD", True)
    assert payment.note == "Bank transfer 2026-114"
    assert queries.progress(campaign).raised == before + 12050
    entry = ModelLogEntry.objects.get(action="masthead.funding.offline_gift")
    assert entry.user_id == admin.user.pk
    assert entry.object_id == str(payment.pk)


def test_an_offline_gift_with_an_email_is_tied_to_that_reader(admin):
    admin.post(reverse("funding_payment:offline_gift"), gift(email="Marta@Example.org"))

    payment = Payment.objects.get()
    assert payment.reader.email == "Marta@example.org"  # the domain is case-blind


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "above zero"),
        ("0", "above zero"),
        ("abc", "such as 25 or 25.50"),
        ("10.555", "at most 2 decimal places"),
        ("", "This field is required"),
    ],
)
def test_a_bad_amount_is_a_form_error_and_writes_nothing(admin, amount, message):
    response = admin.post(reverse("funding_payment:offline_gift"), gift(amount=amount))

    assert response.status_code == 200
    assert message in response.context["form"].errors["amount"][0]
    assert not Payment.objects.exists()
    assert not ModelLogEntry.objects.filter(action="masthead.funding.offline_gift").exists()


def test_a_gift_in_another_currency_than_its_campaign_is_refused(admin, campaign):
    response = admin.post(
        reverse("funding_payment:offline_gift"), gift(currency="PEN", campaign=campaign.pk)
    )

    assert response.status_code == 200
    assert "counts USD only" in response.context["form"].errors["campaign"][0]
    assert not Payment.objects.exists()


def test_a_gift_received_in_the_future_or_in_an_unknown_currency_is_refused(admin):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = admin.post(reverse("funding_payment:offline_gift"), gift(received=tomorrow))
    assert "future" in response.context["form"].errors["received"][0]

    response = admin.post(reverse("funding_payment:offline_gift"), gift(currency="XXX"))
    assert "currency" in response.context["form"].errors
    assert not Payment.objects.exists()


def test_a_currency_without_decimals_takes_whole_amounts_only(admin):
    response = admin.post(
        reverse("funding_payment:offline_gift"), gift(amount="5000.5", currency="CLP")
    )
    assert "at most 0 decimal places" in response.context["form"].errors["amount"][0]

    admin.post(reverse("funding_payment:offline_gift"), gift(amount="5000", currency="CLP"))
    assert Payment.objects.get().amount == 5000


# --- complimentary memberships -------------------------------------------------------------


def test_granting_a_comp_until_a_date_gives_access_and_is_logged(admin, plan):
    until = TODAY + dt.timedelta(days=90)

    response = admin.post(
        reverse("funding_membership:grant"),
        {"email": "guest.writer@example.org", "plan": plan.pk, "until": until.isoformat()},
    )

    assert response.status_code == 302
    membership = Membership.objects.get()
    assert membership.source == Membership.Source.COMP
    assert timezone.localtime(membership.current_period_end).date() == until
    assert queries.has_access(Reader.objects.get(email="guest.writer@example.org"))
    entry = ModelLogEntry.objects.get(action="masthead.funding.comp_grant")
    assert entry.user_id == admin.user.pk
    assert entry.data == {"plan": "member", "until": until.isoformat()}


def test_a_comp_forever_has_no_end_date(admin, plan, reader):
    admin.post(
        reverse("funding_membership:grant"),
        {"email": reader.email, "plan": plan.pk, "forever": "on", "note": "Board member"},
    )

    membership = Membership.objects.get(reader=reader)
    assert membership.current_period_end is None
    assert membership.note == "Board member"


@pytest.mark.parametrize(
    "choice",
    [
        {},  # neither a date nor "forever"
        {"until": "2030-01-01", "forever": "on"},  # both
        {"until": TODAY.isoformat()},  # not after today
        {"until": "not a date"},
    ],
)
def test_a_comp_needs_exactly_one_future_end_or_forever(admin, plan, choice):
    response = admin.post(
        reverse("funding_membership:grant"), {"email": "x@example.org", "plan": plan.pk, **choice}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["until"]
    assert not Membership.objects.exists()
    assert not Reader.objects.filter(email="x@example.org").exists()


def test_ending_a_comp_asks_first_then_ends_it_and_logs_it(admin, plan, reader):
    membership = ledger.grant(reader=reader, plan=plan, until=None)
    url = reverse("funding_membership:end", args=[membership.pk])

    assert admin.get(url).status_code == 200
    membership.refresh_from_db()
    assert membership.ended_at is None  # a GET changes nothing

    response = admin.post(url)

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.CANCELED and membership.ended_at
    assert not queries.has_access(reader)
    entry = ModelLogEntry.objects.get(action="masthead.funding.comp_end")
    assert entry.user_id == admin.user.pk


def test_a_paid_membership_cannot_be_ended_from_here(admin, plan, reader):
    paid = ledger.sync_membership(
        provider="local",
        reference="sub_1",
        reader=reader,
        plan=plan,
        price=None,
        status=Membership.Status.ACTIVE,
        current_period_end=timezone.now() + dt.timedelta(days=20),
    )

    admin.post(reverse("funding_membership:end", args=[paid.pk]))

    paid.refresh_from_db()
    assert paid.status == Membership.Status.ACTIVE and paid.ended_at is None
    assert not ModelLogEntry.objects.filter(action="masthead.funding.comp_end").exists()


def test_the_memberships_listing_offers_end_only_for_running_comps(admin, plan, reader):
    comp = ledger.grant(reader=reader, plan=plan, until=None)
    ended = ledger.grant(reader=reader, plan=plan, until=None)
    ledger.end_membership(ended)
    page = admin.get(reverse("funding_membership:index")).content.decode()
    assert reverse("funding_membership:end", args=[comp.pk]) in page
    assert reverse("funding_membership:end", args=[ended.pk]) not in page


# --- plans, campaigns and offers in major units --------------------------------------------


def plan_form(prices: list[dict]) -> dict:
    return nested_form_data(
        {
            "slug": "patron",
            "position": "1",
            "trial_days": "0",
            "active": "on",
            "texts": inline_formset([{"language": "en", "name": "Patron", "benefits": ""}]),
            "prices": inline_formset(prices),
        }
    )


def test_a_plan_is_priced_in_major_units(admin):
    response = admin.post(
        reverse("funding_plan:add"),
        plan_form(
            [
                {"interval": "month", "currency": "USD", "amount": "7.50"},
                {"interval": "year", "currency": "PEN", "amount": "250"},
            ]
        ),
    )

    assert response.status_code == 302
    prices = PlanPrice.objects.filter(plan__slug="patron").order_by("currency")
    assert [(p.currency, p.amount) for p in prices] == [("PEN", 25000), ("USD", 750)]
    edit = admin.get(reverse("funding_plan:edit", args=[Plan.objects.get().pk]))
    assert 'value="7.50"' in edit.content.decode()


@pytest.mark.parametrize("amount", ["7.505", "-1", "seven"])
def test_a_bad_price_is_refused_and_no_plan_is_written(admin, amount):
    response = admin.post(
        reverse("funding_plan:add"),
        plan_form([{"interval": "month", "currency": "USD", "amount": amount}]),
    )

    assert response.status_code == 200
    assert not Plan.objects.exists()


def campaign_form(**overrides) -> dict:
    start = timezone.localtime() + dt.timedelta(days=60)
    data = {
        "slug": "autumn",
        "currency": "USD",
        "goal": "20000",
        "starts_at": start.strftime("%Y-%m-%d %H:%M"),
        "ends_at": (start + dt.timedelta(days=30)).strftime("%Y-%m-%d %H:%M"),
        "texts": inline_formset([{"language": "en", "title": "Autumn drive", "story": ""}]),
    }
    data.update(overrides)
    return nested_form_data(data)


def test_a_campaign_goal_is_typed_in_major_units(admin):
    response = admin.post(reverse("funding_campaign:add"), campaign_form())

    assert response.status_code == 302
    assert Campaign.objects.get(slug="autumn").goal == 2_000_000


def test_a_campaign_that_ends_before_it_starts_or_overlaps_another_is_refused(admin, campaign):
    start = timezone.localtime() + dt.timedelta(days=60)
    backwards = campaign_form(ends_at=(start - dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M"))
    response = admin.post(reverse("funding_campaign:add"), backwards)
    assert response.status_code == 200
    assert "end must come after the start" in response.content.decode()

    overlapping = campaign_form(
        starts_at=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        ends_at=(timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%d %H:%M"),
    )
    response = admin.post(reverse("funding_campaign:add"), overlapping)
    assert response.status_code == 200
    assert "Another campaign runs in these dates" in response.content.decode()
    assert list(Campaign.objects.values_list("slug", flat=True)) == ["drive-2026"]


def offer_form(**overrides) -> dict:
    data = {
        "code": "spring",
        "kind": "fixed",
        "percent_off": "",
        "amount_off": "3.50",
        "currency": "USD",
        "duration": "once",
        "duration_months": "",
        "max_redemptions": "",
        "expires_at": "",
        "active": "on",
    }
    data.update(overrides)
    return data


def test_a_fixed_offer_is_typed_in_major_units_and_a_percent_offer_needs_its_percentage(admin):
    assert admin.post(reverse("funding_offer:add"), offer_form()).status_code == 302
    assert Offer.objects.get(code="spring").amount_off == 350

    response = admin.post(
        reverse("funding_offer:add"), offer_form(code="half", kind="percent", amount_off="")
    )
    assert response.status_code == 200
    assert "Give the percentage" in response.content.decode()

    response = admin.post(reverse("funding_offer:add"), offer_form(code="bad", amount_off="3.505"))
    assert response.status_code == 200
    assert list(Offer.objects.values_list("code", flat=True)) == ["spring"]
