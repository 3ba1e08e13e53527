"""The readers' side of the Wagtail admin: listings, suppressions, CSV import, the report."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from masthead.audience import importing
from masthead.audience.models import Reader, Subscription, Suppression
from tests.audience.admin_helpers import (
    editor,
    newsletter,
    reader_without_admin_access,
    subscribe,
    superuser,
)

pytestmark = pytest.mark.django_db

Status = Subscription.Status
NOW = timezone.now()
PAGES = [
    "audience_reader:index",
    "audience_suppression:index",
    "audience_suppression:add",
    "audience_subscribers:index",
    "audience_csv:import",
]


@pytest.fixture
def admin_client(client):
    client.force_login(superuser())
    return client


@pytest.fixture
def daily():
    return newsletter("daily", name="The Daily")


@pytest.fixture
def weekly():
    return newsletter("weekly", name="The Weekly")


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_for_a_superuser(admin_client, daily, name):
    assert admin_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


@pytest.mark.parametrize("name", PAGES)
def test_users_without_admin_access_are_sent_to_the_login_page(client, name):
    client.force_login(reader_without_admin_access())
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


@pytest.mark.parametrize("name", PAGES)
def test_editors_without_reader_permissions_are_turned_away(client, name):
    client.force_login(editor())
    response = client.get(reverse(name))
    assert response.status_code == 403


def test_the_readers_menu_shows_only_what_an_editor_may_open(client):
    client.force_login(editor("view_reader"))
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("audience_subscribers:index") in home
    assert reverse("audience_reader:index") in home
    assert reverse("audience_csv:import") not in home


# --- readers -----------------------------------------------------------------------------


def test_the_reader_list_shows_email_language_and_subscriptions(admin_client, daily, weekly):
    ana = Reader.objects.create(email="ana@example.org", language="es")
    subscribe(ana, daily, at=NOW)
    subscribe(ana, weekly, Status.UNSUBSCRIBED, at=NOW, unsubscribed_at=NOW)

    page = admin_client.get(reverse("audience_reader:index")).content.decode()

    assert "ana@example.org" in page
    assert "Spanish" in page
    # Their names, as editors know them, not the slugs.
    assert "The Daily (Confirmed), The Weekly (Unsubscribed)" in page


def test_the_reader_list_does_not_query_per_reader(
    admin_client, daily, django_assert_max_num_queries
):
    for i in range(20):
        subscribe(Reader.objects.create(email=f"r{i}@example.org"), daily, at=NOW)
    admin_client.get(reverse("audience_reader:index"))  # warm Wagtail's own caches
    with django_assert_max_num_queries(20):
        admin_client.get(reverse("audience_reader:index"))


def test_readers_are_searched_by_email(admin_client):
    Reader.objects.create(email="ana@example.org")
    Reader.objects.create(email="bruno@example.net")

    page = admin_client.get(reverse("audience_reader:index"), {"q": "EXAMPLE.NET"})

    assert "bruno@example.net" in page.content.decode()
    assert "ana@example.org" not in page.content.decode()


def test_readers_are_filtered_by_newsletter_and_status_together(admin_client, daily, weekly):
    mixed = Reader.objects.create(email="mixed@example.org")
    subscribe(mixed, daily, Status.UNSUBSCRIBED, at=NOW, unsubscribed_at=NOW)
    subscribe(mixed, weekly, at=NOW)
    subscribe(Reader.objects.create(email="loyal@example.org"), daily, at=NOW)

    page = admin_client.get(
        reverse("audience_reader:index_results"),
        {"newsletter": daily.pk, "status": Status.CONFIRMED},
    ).content.decode()

    assert "loyal@example.org" in page
    assert "mixed@example.org" not in page


def test_a_reader_can_be_inspected_but_not_edited_or_deleted(admin_client):
    ana = Reader.objects.create(email="ana@example.org")
    page = admin_client.get(reverse("audience_reader:inspect", args=[ana.pk]))
    assert page.status_code == 200
    assert "ana@example.org" in page.content.decode()
    for name in ("audience_reader:add", "audience_reader:edit", "audience_reader:delete"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[ana.pk] if not name.endswith("add") else [])


# --- suppressions ------------------------------------------------------------------------


def test_an_editor_adds_a_manual_suppression_stored_lower_cased(admin_client):
    response = admin_client.post(
        reverse("audience_suppression:add"),
        {"email": " Asked.Us@Example.ORG ", "detail": "Phoned the office"},
    )

    assert response.status_code == 302
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason, suppression.detail) == (
        "asked.us@example.org",
        Suppression.Reason.MANUAL,
        "Phoned the office",
    )
    listing = admin_client.get(reverse("audience_suppression:index")).content.decode()
    assert "asked.us@example.org" in listing


def test_an_address_already_suppressed_is_refused_whatever_its_case(admin_client):
    Suppression.objects.create(email="x@example.org", reason=Suppression.Reason.HARD_BOUNCE)
    response = admin_client.post(reverse("audience_suppression:add"), {"email": "X@example.org"})
    assert response.status_code == 200
    assert Suppression.objects.count() == 1


def test_a_suppression_is_edited_for_its_detail_only(admin_client):
    suppression = Suppression.objects.create(
        email="x@example.org", reason=Suppression.Reason.HARD_BOUNCE
    )
    url = reverse("audience_suppression:edit", args=[suppression.pk])
    assert admin_client.get(url).status_code == 200

    admin_client.post(url, {"email": "other@example.org", "detail": "550 no such user"})

    suppression.refresh_from_db()
    assert (suppression.email, suppression.reason, suppression.detail) == (
        "x@example.org",
        Suppression.Reason.HARD_BOUNCE,
        "550 no such user",
    )


# --- import ------------------------------------------------------------------------------


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """POST the import form; the import runs in the (immediate) worker when the upload
    commits, and an accepted upload's progress page is returned."""

    def post(client, content: bytes, target, *, day: str = "2025-01-15", source="Book fair"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("audience_csv:import"),
                {
                    "file": SimpleUploadedFile("readers.csv", content, content_type="text/csv"),
                    "newsletter": target.pk,
                    "source": source,
                    "consented_at": day,
                },
            )
        if response.status_code == 302:
            return client.get(response["Location"])
        return response

    return post


def test_an_upload_imports_the_file_and_shows_the_summary(admin_client, daily, upload):
    Suppression.objects.create(email="x@example.org", reason=Suppression.Reason.COMPLAINT)
    content = "\ufeffemail;language\nana@example.org;es\nx@example.org;en\n".encode()

    response = upload(admin_client, content, daily)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-count="created">1<' in page
    assert 'data-count="suppressed">1<' in page
    assert 'data-count="total">2<' in page
    assert "Book fair" in page
    sub = Subscription.objects.get()
    assert (sub.reader.email, sub.status, sub.source) == (
        "ana@example.org",
        Status.CONFIRMED,
        Subscription.Source.IMPORT,
    )
    assert sub.consented_at == timezone.make_aware(dt.datetime(2025, 1, 15))  # noqa: DTZ001 (made aware here)


def test_an_upload_with_bad_rows_shows_them_all_and_imports_nothing(admin_client, daily, upload):
    content = b"email,language\nana@example.org,es\nnot-an-address,en\nbo@example.org,fr\n"

    page = upload(admin_client, content, daily).content.decode()

    assert "Nothing was imported: the file has 2 problems." in page
    assert "not a valid email address" in page
    assert "unknown language" in page
    assert Reader.objects.count() == 0


def test_an_upload_that_is_not_utf8_gets_a_clear_message(admin_client, daily, upload):
    response = upload(admin_client, "email\nnúñez@example.org\n".encode("latin-1"), daily)
    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    assert Reader.objects.count() == 0


def test_the_import_form_requires_a_consent_source_and_a_date_not_in_the_future(
    admin_client, daily, upload
):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = upload(admin_client, b"email\na@example.org\n", daily, day=tomorrow, source="")
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"source", "consented_at"}
    assert Reader.objects.count() == 0


def test_a_sign_up_racing_the_import_rolls_it_back_with_a_message(
    admin_client, daily, monkeypatch, upload
):
    def collide(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: reader_email_unique_ci")

    monkeypatch.setattr(importing, "import_readers", collide)
    response = upload(admin_client, b"email\na@example.org\n", daily)
    assert response.status_code == 200
    assert "nothing was imported. Upload the file again." in response.content.decode()


def test_an_editor_who_may_only_view_readers_cannot_import(client, daily, upload):
    client.force_login(editor("view_reader"))
    response = upload(client, b"email\na@example.org\n", daily)
    assert response.status_code == 403
    assert Reader.objects.count() == 0


# --- subscribers report ------------------------------------------------------------------


def test_the_report_shows_counts_an_inline_svg_chart_and_a_table(admin_client, daily):
    for i in range(3):
        subscribe(Reader.objects.create(email=f"r{i}@example.org"), daily, at=NOW)
    subscribe(
        Reader.objects.create(email="gone@example.org"),
        daily,
        Status.UNSUBSCRIBED,
        at=NOW,
        unsubscribed_at=NOW,
    )

    response = admin_client.get(reverse("audience_subscribers:index"), {"days": 90})

    page = response.content.decode()
    assert response.context["days"] == 90
    [item] = response.context["newsletters"]
    assert (item.counts.confirmed, item.counts.unsubscribed) == (3, 1)
    assert len(item.series) == 90
    assert item.series[-1].subscribed == 3
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert f'aria-labelledby="chart-title-{daily.pk} chart-desc-{daily.pk}"' in page
    assert "<title" in page and "Confirmed subscribers of The Daily" in page
    assert "<table" in page.split("<svg", 1)[1]  # the text alternative follows the chart
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<script" not in svg and "style=" not in svg


def _axis_labels(response, axis: str) -> list[str]:
    page = response.content.decode()
    svg = page.split('aria-labelledby="chart-title-', 1)[1].split("</svg>", 1)[0]
    return re.findall(rf'data-axis="{axis}">([^<]+)<', svg)


def test_the_chart_axes_are_labelled_in_the_editors_language(admin_client, daily):
    subscribe(Reader.objects.create(email="r@example.org"), daily, at=NOW)
    english = admin_client.get(reverse("audience_subscribers:index"), {"days": 30})
    x_labels = _axis_labels(english, "x")
    assert len(x_labels) == 5
    # Month names, never a US-style 11/29/2026 beside "Nov. 29, 2026".
    assert not any(re.search(r"\d+/\d+", label) for label in x_labels)
    assert _axis_labels(english, "y")[0] == "0"

    profile = UserProfile.get_for_user(english.wsgi_request.user)
    profile.preferred_language = "es"
    profile.save()
    spanish = admin_client.get(reverse("audience_subscribers:index"), {"days": 30})
    assert " de " in _axis_labels(spanish, "x")[-1]  # "29 de noviembre"
