"""Importing readers from CSV: every row checked first, then all written or nothing (issue 4)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from masthead.audience import importing
from masthead.audience.models import Reader, Subscription, Suppression
from tests.audience.admin_helpers import newsletter, subscribe

pytestmark = pytest.mark.django_db

DEFAULT = dt.datetime(2025, 1, 15, tzinfo=dt.UTC)
Status = Subscription.Status


@pytest.fixture
def daily():
    return newsletter("daily", language="en")


@pytest.fixture
def diario():
    return newsletter("diario", language="es")


def run(content: str | bytes, target, *, source: str = "Book fair sign-up sheet", **kwargs):
    data = content.encode() if isinstance(content, str) else content
    return importing.import_readers(
        io.BytesIO(data),
        newsletter=target,
        source=source,
        default_consented_at=kwargs.pop("default_consented_at", DEFAULT),
    )


def refused(content: str | bytes, target) -> list[importing.RowError]:
    with pytest.raises(importing.ImportRefused) as caught:
        run(content, target)
    assert Reader.objects.count() == 0
    assert Subscription.objects.count() == 0
    return caught.value.errors


def test_new_addresses_become_confirmed_imported_subscribers(daily):
    before = timezone.now()
    result = run("email\nAnn@Example.ORG\nbo@example.org\n", daily)

    assert (result.created, result.total, result.new_readers) == (2, 2, 2)
    ann = Reader.objects.get(email="Ann@example.org")  # the domain is lower-cased
    assert ann.language == "en"  # the newsletter's language when the row has none
    sub = ann.subscriptions.get()
    assert sub.newsletter == daily
    assert sub.status == Status.CONFIRMED
    assert sub.source == Subscription.Source.IMPORT
    assert sub.consented_at == DEFAULT
    assert sub.confirmed_at >= before


def test_a_new_reader_takes_the_newsletter_language_unless_the_row_names_one(diario):
    run("email,language\nana@example.org,\nbo@example.org,EN\n", diario)
    assert Reader.objects.get(email="ana@example.org").language == "es"
    assert Reader.objects.get(email="bo@example.org").language == "en"


def test_a_row_consent_date_overrides_the_default(daily):
    run(
        "email,consented_at\n"
        "a@example.org,2024-03-01\n"
        "b@example.org,2024-03-01T10:30:00Z\n"
        "c@example.org,\n",
        daily,
    )
    consented = {
        s.reader.email: s.consented_at for s in Subscription.objects.select_related("reader")
    }
    assert consented["a@example.org"] == timezone.make_aware(dt.datetime(2024, 3, 1))  # noqa: DTZ001 (made aware here)
    assert consented["b@example.org"] == dt.datetime(2024, 3, 1, 10, 30, tzinfo=dt.UTC)
    assert consented["c@example.org"] == DEFAULT


def test_a_row_newsletter_slug_overrides_the_chosen_newsletter(daily, diario):
    result = run("email,newsletter\na@example.org,diario\na@example.org,\n", daily)
    assert result.created == 2
    assert result.newsletters == ["daily", "diario"]
    assert Reader.objects.count() == 1
    assert set(Subscription.objects.values_list("newsletter__slug", flat=True)) == {
        "daily",
        "diario",
    }


def test_a_semicolon_separated_file_with_a_byte_order_mark_is_read(daily):
    content = "\ufeffemail;language;consented_at\r\nana@example.org;es;2024-05-01\r\n"
    result = run(content.encode("utf-8"), daily)
    assert result.created == 1
    assert Reader.objects.get().language == "es"


def test_blank_lines_and_empty_rows_are_skipped(daily):
    result = run("\n\nemail,language\n\na@example.org,en\n,\n   \nb@example.org,es\n\n", daily)
    assert result.total == 2


def test_header_names_ignore_case_and_spaces(daily):
    assert run(" Email , LANGUAGE\na@example.org,en\n", daily).created == 1


def test_quoted_cells_are_unquoted(daily):
    assert run('"email";"language"\n"a@example.org";"es"\n', daily).created == 1


# --- bad rows: each one named, and nothing written ------------------------------------------


@pytest.mark.parametrize(
    ("bad_row", "email", "problem"),
    [
        ("not-an-email,en,", "not-an-email", "not a valid email address"),
        (",es,2024-01-01", "", "the email is missing"),
        ("c@example.org,fr,", "c@example.org", "unknown language “fr”"),
        ("c@example.org,en,yesterday", "c@example.org", "unreadable date “yesterday”"),
        ("c@example.org,en,2025-02-30", "c@example.org", "unreadable date “2025-02-30”"),
        ("c@example.org,en,2999-01-01", "c@example.org", "the consent date is in the future"),
        ("A@EXAMPLE.org,en,", "A@EXAMPLE.org", "duplicate of row 2"),
        ("c@example.org,en,,weekly", "c@example.org", "unknown newsletter “weekly”"),
        ("c@example.org,en,,,surplus", "c@example.org", "more cells than the header has"),
    ],
)
def test_a_bad_row_is_reported_with_its_row_number_and_nothing_is_imported(
    daily, bad_row, email, problem
):
    content = f"email,language,consented_at,newsletter\na@example.org,en,\n{bad_row}\n"
    errors = refused(content, daily)
    assert len(errors) == 1
    assert errors[0].row == 3
    assert errors[0].email == email
    assert problem in errors[0].message


def test_every_bad_row_is_reported_at_once(daily):
    errors = refused(
        "email,language\nbad,en\ngood@example.org,xx\nalso-bad,yy\nok@example.org,en\n", daily
    )
    assert [(e.row, e.email) for e in errors] == [
        (2, "bad"),
        (3, "good@example.org"),
        (4, "also-bad"),
        (4, "also-bad"),
    ]


def test_row_numbers_count_the_blank_lines_a_spreadsheet_shows(daily):
    errors = refused("email\n\na@example.org\n\nbad\n", daily)
    assert errors[0].row == 5


def test_the_same_address_for_two_newsletters_is_not_a_duplicate(daily, diario):
    assert run("email,newsletter\na@example.org,daily\na@example.org,diario\n", daily).created == 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "The file is empty."),
        ("\n\n", "The file is empty."),
        ("email\n", "header row but no readers"),
        ("a@example.org\nb@example.org\n", "The first row must be a header"),
        ("email,status\na@example.org,confirmed\n", "Unknown column: status."),
        ("email,email\na@example.org,a@example.org\n", "appears twice"),
    ],
)
def test_a_file_without_a_proper_header_is_refused(daily, content, problem):
    errors = refused(content, daily)
    assert len(errors) == 1
    assert problem in errors[0].message


def test_a_file_that_is_not_utf8_is_refused_with_a_clear_message(daily):
    errors = refused("email,language\nnúñez@example.org,es\n".encode("latin-1"), daily)
    assert "not UTF-8" in errors[0].message


def test_a_spreadsheet_uploaded_instead_of_csv_is_refused(daily):
    errors = refused(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", daily)
    assert "not a CSV file" in errors[0].message


def test_a_file_over_the_size_limit_is_refused(daily, monkeypatch):
    monkeypatch.setattr(importing, "MAX_BYTES", 40)
    errors = refused("email\n" + "".join(f"r{i}@example.org\n" for i in range(5)), daily)
    assert "larger than 5 MB" in errors[0].message


def test_a_file_over_the_row_limit_is_refused(daily, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    errors = refused("email\na@example.org\nb@example.org\nc@example.org\n", daily)
    assert "more than 2 rows" in errors[0].message


def test_a_default_consent_date_in_the_future_is_refused(daily):
    with pytest.raises(importing.ImportRefused):
        run(
            "email\na@example.org\n",
            daily,
            default_consented_at=timezone.now() + dt.timedelta(days=1),
        )
    assert Reader.objects.count() == 0


def test_a_blank_consent_source_is_refused(daily):
    with pytest.raises(importing.ImportRefused):
        run("email\na@example.org\n", daily, source="   ")
    assert Reader.objects.count() == 0


# --- people already known ---------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing_the_second_time(daily):
    content = "email,language\na@example.org,en\nb@example.org,es\n"
    run(content, daily)
    snapshot = list(Subscription.objects.order_by("pk").values())

    again = run(content, daily)

    assert (again.created, again.already_subscribed, again.total) == (0, 2, 2)
    assert list(Subscription.objects.order_by("pk").values()) == snapshot
    assert Reader.objects.count() == 2


def test_someone_who_unsubscribed_is_never_subscribed_again(daily):
    long_ago = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    left = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    reader = Reader.objects.create(email="gone@example.org")
    subscribe(reader, daily, Status.UNSUBSCRIBED, at=long_ago, unsubscribed_at=left)

    result = run("email\nGONE@example.org\n", daily)

    assert (result.kept_unsubscribed, result.created, result.total) == (1, 0, 1)
    sub = Subscription.objects.get()
    assert (sub.status, sub.unsubscribed_at, sub.source) == (
        Status.UNSUBSCRIBED,
        left,
        Subscription.Source.FORM,
    )


def test_a_suppressed_address_is_skipped_and_counted(daily):
    Suppression.objects.create(email="bounced@example.org", reason=Suppression.Reason.HARD_BOUNCE)

    result = run("email\nBounced@Example.org\nfine@example.org\n", daily)

    assert (result.suppressed, result.created, result.total) == (1, 1, 2)
    assert list(Reader.objects.values_list("email", flat=True)) == ["fine@example.org"]


def test_an_existing_reader_is_matched_whatever_the_case_and_keeps_their_language(daily, diario):
    reader = Reader.objects.create(email="Ann@example.org", language="en")

    result = run("email,language\nann@EXAMPLE.org,es\n", diario)

    assert (result.created, result.new_readers) == (1, 0)
    reader.refresh_from_db()
    assert reader.language == "en"
    assert reader.subscriptions.get().newsletter == diario


def test_a_confirmed_subscriber_stays_exactly_as_they_are(daily):
    then = dt.datetime(2024, 2, 2, tzinfo=dt.UTC)
    reader = Reader.objects.create(email="kept@example.org")
    subscribe(reader, daily, at=then)

    result = run("email,consented_at\nkept@example.org,2024-12-01\n", daily)

    assert result.already_subscribed == 1
    sub = Subscription.objects.get()
    assert (sub.source, sub.consented_at, sub.confirmed_at) == (
        Subscription.Source.FORM,
        then,
        then,
    )


def test_a_pending_sign_up_is_confirmed_by_the_import(daily):
    reader = Reader.objects.create(email="waiting@example.org")
    subscribe(reader, daily, Status.PENDING, at=timezone.now())

    result = run("email\nwaiting@example.org\n", daily)

    assert (result.confirmed, result.created, result.total) == (1, 0, 1)
    sub = Subscription.objects.get()
    assert (sub.status, sub.source, sub.consented_at) == (
        Status.CONFIRMED,
        Subscription.Source.IMPORT,
        DEFAULT,
    )
    assert sub.confirmed_at is not None


def test_the_summary_counts_every_kind_of_row(daily):
    Suppression.objects.create(email="x@example.org", reason=Suppression.Reason.COMPLAINT)
    then = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    subscribe(Reader.objects.create(email="in@example.org"), daily, at=then)
    subscribe(
        Reader.objects.create(email="out@example.org"),
        daily,
        Status.UNSUBSCRIBED,
        at=then,
        unsubscribed_at=then,
    )

    result = run("email\nnew@example.org\nin@example.org\nout@example.org\nx@example.org\n", daily)

    assert (
        result.created,
        result.already_subscribed,
        result.kept_unsubscribed,
        result.suppressed,
        result.total,
    ) == (1, 1, 1, 1, 4)
    assert result.source == "Book fair sign-up sheet"


def test_the_consent_source_and_who_imported_are_kept_in_the_newsletter_history(daily, diario):
    from django.contrib.auth import get_user_model
    from wagtail.models import ModelLogEntry

    user = get_user_model().objects.create_user("importer", "i@example.org", "pw")
    result = importing.import_readers(
        io.BytesIO(b"email,newsletter\na@example.org,\nb@example.org,diario\n"),
        newsletter=daily,
        source="Paper sheet, March fair",
        default_consented_at=DEFAULT,
        user=user,
    )

    entries = ModelLogEntry.objects.filter(action=importing.LOG_ACTION)
    assert {entry.object_id for entry in entries} == {str(daily.pk), str(diario.pk)}
    entry = entries.get(object_id=str(daily.pk))
    assert entry.user == user
    assert entry.data["source"] == "Paper sheet, March fair"
    assert entry.data["total"] == result.total == 2
    confirmed_at = Subscription.objects.values_list("confirmed_at", flat=True).first()
    assert entry.data["confirmed_at"] == confirmed_at.isoformat()
    assert "Consent source: Paper sheet, March fair" in entry.message
