"""The funding part of the account page, and "Change card or cancel" (issue 9 §1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import formats, timezone, translation

from masthead.funding import ledger
from masthead.funding.models import Membership, Payment
from tests.audience.accounts import ACCOUNT, signed_in
from tests.audience.accounts import reader as make_reader

from .support import MANAGE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(publication):
    """Pages extend base.html, which reads the publication's settings."""


def paid_membership(reader, plan, **fields) -> Membership:
    price = plan.prices.get(interval="year", currency="USD")
    values = {
        "provider": "local",
        "reference": f"local_sub_{reader.pk}",
        "reader": reader,
        "plan": plan,
        "price": price,
        "status": Membership.Status.ACTIVE,
        "current_period_end": timezone.now() + dt.timedelta(days=200),
    }
    values.update(fields)
    membership = ledger.sync_membership(**values)
    ledger.record_payment(
        provider="local",
        reference=f"local_in_{reader.pk}",
        status=Payment.Status.SUCCEEDED,
        amount=price.amount,
        currency="USD",
        kind=Payment.Kind.MEMBERSHIP,
        reader=reader,
        membership=membership,
        first_of_membership=True,
    )
    return membership


def shown(moment: dt.datetime) -> str:
    """A date as the English page writes it: in the site's time zone, DATE_FORMAT."""
    with translation.override("en"):
        return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


class TestTheSection:
    def test_a_member_sees_plan_status_renewal_payments_and_the_manage_button(
        self, client, reader, plan
    ):
        membership = paid_membership(reader, plan)
        ledger.record_payment(
            provider="local",
            reference="local_pi_failed",
            status=Payment.Status.FAILED,
            amount=1000,
            currency="USD",
            kind=Payment.Kind.DONATION,
            reader=reader,
        )
        signed_in(reader, client)
        page = client.get(ACCOUNT).content.decode()
        assert "Membership and payments" in page
        assert "<strong>Member</strong> · US$50.00 / Annual" in page
        assert "Active" in page and "Next renewal" in page
        renewal = shown(membership.current_period_end)
        assert renewal in page
        assert "US$50.00" in page and "US$10.00" in page and "Failed" in page
        assert f'action="{MANAGE}"' in page and "Change card or cancel" in page
        assert "will not renew" not in page

    def test_a_membership_ending_at_the_period_end_says_so(self, client, reader, plan):
        paid_membership(reader, plan, cancel_at_period_end=True)
        signed_in(reader, client)
        page = client.get(ACCOUNT).content.decode()
        assert "Your membership will not renew: it ends on" in page
        assert "Ends on" in page

    def test_a_complimentary_membership_shows_its_end_date_and_no_manage_button(
        self, client, reader, plan
    ):
        until = timezone.now() + dt.timedelta(days=30)
        ledger.grant(reader=reader, plan=plan, until=until)
        signed_in(reader, client)
        page = client.get(ACCOUNT).content.decode()
        assert "(Complimentary)" in page
        assert shown(until) in page
        assert "Change card or cancel" not in page

    def test_a_gift_for_ever_has_no_end_date(self, client, reader, plan):
        ledger.grant(reader=reader, plan=plan, until=None, source=Membership.Source.GIFT)
        signed_in(reader, client)
        page = client.get(ACCOUNT).content.decode()
        assert "(Gift)" in page and "No end date" in page

    def test_a_reader_without_membership_is_invited_and_sees_nobody_elses(
        self, client, reader, plan
    ):
        paid_membership(make_reader("other@example.org"), plan)
        signed_in(reader, client)
        page = client.get(ACCOUNT).content.decode()
        assert "You are not a member." in page and 'href="/en/support/membership/"' in page
        assert "No payments yet." in page
        assert "US$50.00" not in page

    def test_the_spanish_account_page_names_the_plan_in_spanish(self, client, reader, plan):
        paid_membership(reader, plan)
        signed_in(reader, client)
        page = client.get("/es/account/").content.decode()
        assert "<strong>Socio</strong>" in page and "US$50,00" in page


class TestManage:
    def test_change_card_or_cancel_goes_to_the_providers_page(self, client, reader, plan):
        membership = paid_membership(reader, plan)
        signed_in(reader, client)
        response = client.post(MANAGE)
        assert response.status_code == 302
        assert response["Location"] == f"/en/support/test-manage/{membership.pk}/"
        page = client.get(response["Location"]).content.decode()
        assert "Test mode: no money moves" in page and "Member" in page
        assert "Cancel membership (test)" in page

    def test_cancelling_on_the_test_page_ends_the_membership(self, client, reader, plan):
        membership = paid_membership(reader, plan)
        signed_in(reader, client)
        response = client.post(f"/en/support/test-manage/{membership.pk}/")
        assert response["Location"] == ACCOUNT
        membership.refresh_from_db()
        assert membership.status == Membership.Status.CANCELED and membership.ended_at
        page = client.get(ACCOUNT).content.decode()
        assert "Your membership is cancelled (test mode)." in page
        assert "Ended memberships" in page and "Change card or cancel" not in page

    def test_another_reader_cannot_see_or_cancel_it(self, client, reader, plan):
        membership = paid_membership(reader, plan)
        signed_in(make_reader("mallory@example.org"), client)
        path = f"/en/support/test-manage/{membership.pk}/"
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
        membership.refresh_from_db()
        assert membership.status == Membership.Status.ACTIVE

    def test_nobody_signed_in_is_sent_to_sign_in(self, client, reader, plan):
        membership = paid_membership(reader, plan)
        assert client.post(MANAGE)["Location"] == "/en/account/sign-in/"
        assert client.post(f"/en/support/test-manage/{membership.pk}/")["Location"] == (
            "/en/account/sign-in/"
        )

    def test_without_a_paid_membership_there_is_nothing_to_manage(self, client, reader, plan):
        ledger.grant(reader=reader, plan=plan, until=None)
        signed_in(reader, client)
        response = client.post(MANAGE)
        assert response["Location"] == ACCOUNT
        assert (
            "You have no membership paid by card to change."
            in client.get(ACCOUNT).content.decode()
        )

    def test_a_get_changes_nothing_and_the_post_needs_a_csrf_token(self, reader, plan):
        membership = paid_membership(reader, plan)
        strict = signed_in(reader, Client(enforce_csrf_checks=True))
        assert strict.get(MANAGE).status_code == 405
        assert strict.post(MANAGE).status_code == 403
        assert strict.post(f"/en/support/test-manage/{membership.pk}/").status_code == 403
        membership.refresh_from_db()
        assert membership.status == Membership.Status.ACTIVE
