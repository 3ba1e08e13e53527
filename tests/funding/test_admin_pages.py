"""Who may open the funding admin, and what its pages show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from masthead.funding import ledger
from masthead.funding.models import Payment
from tests.audience.admin_helpers import editor, reader_without_admin_access, superuser

pytestmark = pytest.mark.django_db

# Page → the one permission that opens it.
PAGES = {
    "funding_dashboard:index": "view_payment",
    "funding_payment:index": "view_payment",
    "funding_payment:offline_gift": "add_payment",
    "funding_membership:index": "view_membership",
    "funding_membership:grant": "add_membership",
    "funding_plan:index": "view_plan",
    "funding_plan:add": "add_plan",
    "funding_campaign:index": "view_campaign",
    "funding_campaign:add": "add_campaign",
    "funding_offer:index": "view_offer",
    "funding_offer:add": "add_offer",
}


@pytest.fixture
def admin_client(client):
    client.force_login(superuser())
    return client


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_for_a_superuser(admin_client, plan, campaign, name):
    assert admin_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_an_editor_without_the_permission_gets_403(client, name):
    client.force_login(editor())
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize(("name", "codename"), PAGES.items())
def test_an_editor_with_the_permission_gets_the_page(client, name, codename):
    client.force_login(editor(codename, app_label="funding"))
    assert client.get(reverse(name)).status_code == 200


def test_the_csv_export_needs_view_payment_too(client):
    url = reverse("funding_dashboard:export") + "?start=2026-01-01&end=2026-01-31"
    client.force_login(editor("view_membership", app_label="funding"))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("name", ["funding_dashboard:index", "funding_payment:index"])
def test_people_without_admin_access_are_sent_to_the_login_page(client, name):
    client.force_login(reader_without_admin_access())
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_wagtails_editors_group_is_given_the_funding_admin(client):
    user = get_user_model().objects.create_user("eva", "eva@example.org", "pw")
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)

    for name in ["funding_dashboard:index", "funding_payment:offline_gift", "funding_plan:add"]:
        assert client.get(reverse(name)).status_code == 200, name
    # The ledger has no edit screen, so nobody is given a permission to change payments.
    assert not user.has_perm("funding.change_payment")
    assert not user.has_perm("funding.delete_payment")


def test_the_menu_shows_the_dashboard_only_to_those_who_may_see_payments(client):
    client.force_login(editor("view_plan", app_label="funding"))
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("funding_plan:index") in home
    assert reverse("funding_dashboard:index") not in home


def test_the_dashboard_says_what_it_counts_and_shows_recent_supporters(admin_client, campaign):
    checkout_free = {"provider": "local", "status": Payment.Status.SUCCEEDED}
    ledger.record_payment(
        reference="p1",
        amount=2500,
        currency="USD",
        kind=Payment.Kind.DONATION,
        email="lola@example.org",
        **checkout_free,
    )
    ledger.record_offline_gift(
        amount=1000,
        currency="USD",
        received_at=timezone.now() - dt.timedelta(hours=1),
        campaign=campaign,
        name="The Tuesday Reading Circle",
    )

    page = admin_client.get(reverse("funding_dashboard:index"))
    html = page.content.decode()

    assert "no-store" in page["Cache-Control"]
    assert "less the fees they chose to cover" in html
    assert "lola@example.org" in html
    assert "The Tuesday Reading Circle" in html
    assert "US$35.00" in html  # raised this month: both payments
    assert "Keep the long interviews coming" in html
    assert '<progress value="10.00" max="50000.00"' in html
    assert "<svg" in html and "<script" not in html.split('id="monthly"')[1].split("</section>")[0]


def test_the_payments_listing_filters_by_kind_currency_and_provider(admin_client):
    for ref, currency, kind in [
        ("usd-gift", "USD", Payment.Kind.DONATION),
        ("pen-gift", "PEN", Payment.Kind.DONATION),
        ("usd-member", "USD", Payment.Kind.MEMBERSHIP),
    ]:
        ledger.record_payment(
            provider="local",
            reference=ref,
            status=Payment.Status.SUCCEEDED,
            amount=1000,
            currency=currency,
            kind=kind,
            email=f"{ref}@example.org",
        )
    url = reverse("funding_payment:index")

    page = admin_client.get(url, {"currency": "PEN"}).content.decode()
    assert "pen-gift" in page and "usd-gift" not in page

    page = admin_client.get(url, {"kind": "membership", "provider": "local"}).content.decode()
    assert "usd-member" in page and "usd-gift" not in page

    ledger.record_offline_gift(
        amount=500, currency="USD", received_at=timezone.now(), campaign=None, name="Cash jar"
    )
    page = admin_client.get(url, {"provider": "offline"}).content.decode()
    assert "Cash jar" in page and "usd-member" not in page


def test_the_payments_listing_does_not_query_per_row(
    admin_client, campaign, django_assert_max_num_queries
):
    for i in range(30):
        ledger.record_payment(
            provider="local",
            reference=f"r{i}",
            status=Payment.Status.SUCCEEDED,
            amount=1000,
            currency="USD",
            kind=Payment.Kind.DONATION,
            email=f"r{i}@example.org",
        )
    url = reverse("funding_payment:index")
    admin_client.get(url)
    with django_assert_max_num_queries(25):
        assert admin_client.get(url).status_code == 200


def test_a_payment_and_a_membership_have_a_page_of_their_own(admin_client, plan, reader):
    payment = ledger.record_payment(
        provider="local",
        reference="pi_page",
        status=Payment.Status.SUCCEEDED,
        amount=1234,
        currency="USD",
        kind=Payment.Kind.DONATION,
        reader=reader,
    )
    membership = ledger.grant(reader=reader, plan=plan, until=None, note="Columnist")

    page = admin_client.get(reverse("funding_payment:inspect", args=[payment.pk]))
    assert page.status_code == 200
    assert "pi_page" in page.content.decode()
    page = admin_client.get(reverse("funding_membership:inspect", args=[membership.pk]))
    assert page.status_code == 200
    assert "Columnist" in page.content.decode()


@pytest.mark.parametrize("model", ["payment", "membership"])
@pytest.mark.parametrize("view", ["add", "edit", "delete", "copy"])
def test_the_ledger_has_no_add_edit_or_delete_screen(model, view):
    # Rows change only through funding.ledger: from provider events, or the two forms.
    with pytest.raises(NoReverseMatch):
        reverse(f"funding_{model}:{view}", args=[1])


def test_the_dashboard_costs_the_same_queries_at_any_ledger_size(
    admin_client, plan, campaign, django_assert_max_num_queries
):
    for i in range(25):
        ledger.record_payment(
            provider="local",
            reference=f"q{i}",
            status=Payment.Status.SUCCEEDED,
            amount=1000,
            currency="USD" if i % 2 else "PEN",
            kind=Payment.Kind.DONATION,
            email=f"q{i}@example.org",
        )
    url = reverse("funding_dashboard:index")
    admin_client.get(url)  # warm Wagtail's own caches
    with django_assert_max_num_queries(25):
        assert admin_client.get(url).status_code == 200
