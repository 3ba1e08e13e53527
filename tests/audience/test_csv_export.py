"""Exporting readers as CSV: one row per reader and newsletter, streamed, safe in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from masthead.audience import exporting
from masthead.audience.models import Reader, Subscription
from tests.audience.admin_helpers import (
    editor,
    newsletter,
    reader_without_admin_access,
    subscribe,
    superuser,
)

pytestmark = pytest.mark.django_db

THEN = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
LATER = dt.datetime(2025, 4, 2, 18, 0, tzinfo=dt.UTC)


def download(client, **params) -> tuple[StreamingHttpResponse, list[dict]]:
    response = client.get(reverse("audience_csv:export"), params)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # so Excel reads it as UTF-8
    return response, list(csv.DictReader(io.StringIO(body[1:])))


@pytest.fixture
def readers():
    daily, weekly = newsletter("daily"), newsletter("weekly")
    ana = Reader.objects.create(email="ana@example.org", language="es")
    subscribe(ana, daily, at=THEN)
    subscribe(ana, weekly, Subscription.Status.UNSUBSCRIBED, at=THEN, unsubscribed_at=LATER)
    Reader.objects.create(email="lurker@example.org")
    return daily, weekly


def test_the_export_is_one_row_per_reader_and_newsletter_with_iso_dates(client, readers):
    client.force_login(superuser())
    _, rows = download(client)

    assert list(rows[0]) == list(exporting.COLUMNS)
    assert rows[:2] == [
        {
            "email": "ana@example.org",
            "language": "es",
            "newsletter": "daily",
            "status": "confirmed",
            "consent_source": "form",
            "consented_at": "2025-03-01T09:30:00+00:00",
            "confirmed_at": "2025-03-01T09:30:00+00:00",
            "unsubscribed_at": "",
        },
        {
            "email": "ana@example.org",
            "language": "es",
            "newsletter": "weekly",
            "status": "unsubscribed",
            "consent_source": "form",
            "consented_at": "2025-03-01T09:30:00+00:00",
            "confirmed_at": "2025-03-01T09:30:00+00:00",
            "unsubscribed_at": "2025-04-02T18:00:00+00:00",
        },
    ]
    assert dt.datetime.fromisoformat(rows[1]["unsubscribed_at"]) == LATER


def test_a_reader_without_subscriptions_has_one_row_with_empty_newsletter_columns(client, readers):
    client.force_login(superuser())
    _, rows = download(client)
    assert rows[2]["email"] == "lurker@example.org"
    assert (rows[2]["newsletter"], rows[2]["status"]) == ("", "")


def test_the_export_can_be_limited_to_one_newsletter(client, readers):
    client.force_login(superuser())
    response, rows = download(client, newsletter="weekly")
    assert [(r["email"], r["newsletter"]) for r in rows] == [("ana@example.org", "weekly")]
    assert "readers-weekly-" in response["Content-Disposition"]


def test_an_unknown_newsletter_is_refused_rather_than_exporting_everyone(client, readers):
    client.force_login(superuser())
    response = client.get(reverse("audience_csv:export"), {"newsletter": "no-such-list"})
    assert response.status_code == 400
    assert "no-such-list" in response.content.decode()


def test_the_export_is_streamed_as_an_attachment_and_never_cached(client, readers):
    client.force_login(superuser())
    response, _ = download(client)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="readers-')
    assert "no-store" in response["Cache-Control"]


def test_the_rows_come_from_a_database_iterator_not_a_list(readers, monkeypatch):
    chunk_sizes = []
    original = type(Reader.objects.all()).iterator

    def spy(queryset, chunk_size=None):
        chunk_sizes.append(chunk_size)
        return original(queryset, chunk_size=chunk_size)

    monkeypatch.setattr(type(Reader.objects.all()), "iterator", spy)
    rows = exporting.export_rows()
    assert next(rows) == list(exporting.COLUMNS)
    assert chunk_sizes == []  # nothing read until the first reader is asked for
    next(rows)
    assert chunk_sizes == [2000]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("ana@example.org", "ana@example.org"),
        ("a=b@example.org", "a=b@example.org"),
        (None, ""),
        (THEN, "2025-03-01T09:30:00+00:00"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_escaped(value, cell):
    assert exporting.csv_cell(value) == cell


def test_a_formula_typed_in_as_an_address_is_exported_as_text(client):
    Reader.objects.create(email="=1+2@example.org")
    client.force_login(superuser())
    _, rows = download(client)
    assert rows[0]["email"] == "'=1+2@example.org"


def test_anonymous_visitors_are_sent_to_the_login_page(client, readers):
    response = client.get(reverse("audience_csv:export"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_user_without_admin_access_cannot_export(client, readers):
    client.force_login(reader_without_admin_access())
    response = client.get(reverse("audience_csv:export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_an_editor_without_the_view_readers_permission_is_turned_away(client, readers):
    client.force_login(editor("add_reader"))
    response = client.get(reverse("audience_csv:export"))
    # A 403 page, not Wagtail's redirect home (theme/admin_refusal.py).
    assert response.status_code == 403


def test_an_editor_with_the_view_readers_permission_can_export(client, readers):
    client.force_login(editor("view_reader"))
    response, rows = download(client)
    assert response.status_code == 200
    assert len(rows) == 3
