"""CSV imports run in the worker, with a progress page (issue 8).

A 50,000-row import used to hold its request (and SQLite's write lock) for about 16 s. The
upload now stores the file and queues a task; the worker checks and imports it, committing
its progress as it goes; the page shows how far it got and then what today's result page
showed. Nothing is ever half-written, and the stored file is deleted at the end.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.users.models import UserProfile

from masthead import cli
from masthead.audience import import_jobs, importing
from masthead.audience.models import ConsentEvent, Reader, ReaderImport, Subscription
from tests.audience.admin_helpers import editor, newsletter, subscribe, superuser

pytestmark = pytest.mark.django_db

Status = ReaderImport.Status
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
REFRESH = '<meta http-equiv="refresh" content="2">'


@pytest.fixture
def daily():
    return newsletter("daily", name="The Daily")


@pytest.fixture
def admin(client):
    client.force_login(superuser())
    return client


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE  # django-tasks drops its cached backends on the change


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """POST the import form and run what the upload queued for after its commit: with the
    immediate backend that is the import itself, with the database queue only the enqueue."""

    def post(client, content: bytes, target, *, name: str = "readers.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("audience_csv:import"),
                {
                    "file": SimpleUploadedFile(name, content, content_type="text/csv"),
                    "newsletter": target.pk,
                    "source": "Book fair",
                    "consented_at": "2025-01-15",
                },
            )

    return post


def run_like_the_worker(queued: DBTaskResult) -> None:
    # What db_worker does with a claimed row, without the command itself, which closes
    # the database connection this test's transaction lives on (PostgreSQL).
    queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])


def progress_url(job: ReaderImport) -> str:
    return reverse("audience_csv:progress", args=[job.pk])


def queued(target, content: bytes, *, user=None) -> ReaderImport:
    return import_jobs.queue_import(
        data=content,
        file_name="readers.csv",
        newsletter=target,
        source="Book fair",
        default_consented_at=dt.datetime(2025, 1, 15, tzinfo=dt.UTC),
        user=user,
        language="en",
    )


# --- the whole path ------------------------------------------------------------------------


def test_an_upload_is_queued_and_the_worker_imports_it_with_its_counts(
    database_queue, admin, daily, post
):
    subscribe(Reader.objects.create(email="in@example.org"), daily, at=timezone.now())

    response = post(admin, b"email,language\nana@example.org,es\nin@example.org,en\n", daily)

    job = ReaderImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == progress_url(job)
    assert job.status == Status.QUEUED
    [task] = DBTaskResult.objects.all()
    assert task.task_path == "masthead.audience.tasks.import_readers"
    waiting = admin.get(progress_url(job)).content.decode()
    assert "Waiting for the worker" in waiting
    assert REFRESH in waiting

    run_like_the_worker(task)

    job.refresh_from_db()
    assert job.status == Status.DONE
    assert (job.rows_checked, job.rows_total) == (2, 2)
    assert job.finished_at is not None
    assert Reader.objects.filter(email="ana@example.org").exists()
    page = admin.get(progress_url(job)).content.decode()
    assert REFRESH not in page
    assert "The file was imported" in page
    assert 'data-count="created">1<' in page
    assert 'data-count="already_subscribed">1<' in page
    assert 'data-count="total">2<' in page
    assert "Consent source: Book fair" in page


def test_a_file_with_bad_rows_is_refused_with_every_bad_row_listed_and_nothing_imported(
    admin, daily, post
):
    content = (
        b"email,language\nana@example.org,es\nnot-an-address,en\n"
        b"bo@example.org,fr\nana@example.org,es\n"
    )

    response = post(admin, content, daily)

    job = ReaderImport.objects.get()
    assert job.status == Status.REFUSED
    assert job.error_count == 3
    page = admin.get(response["Location"]).content.decode()
    assert "Nothing was imported: the file has 3 problems." in page
    cells = re.findall(r"<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", page)
    assert [(row, email) for row, email, _problem in cells] == [
        ("3", "not-an-address"),
        ("4", "bo@example.org"),
        ("5", "ana@example.org"),
    ]
    assert "not a valid email address" in cells[0][2]
    assert "unknown language" in cells[1][2]
    assert "duplicate of row 2" in cells[2][2]
    assert Reader.objects.count() == Subscription.objects.count() == 0
    assert ConsentEvent.objects.count() == 0


def test_the_bad_rows_are_listed_in_the_uploaders_admin_language(client, daily, post):
    user = superuser()
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "es"
    profile.save()
    client.force_login(user)

    response = post(client, b"email\nnot-an-address\n", daily)

    page = client.get(response["Location"]).content.decode()
    assert "no es una dirección de correo válida" in page


@pytest.mark.parametrize(
    ("content", "status"),
    [(b"email\nana@example.org\n", Status.DONE), (b"email\nnot-an-address\n", Status.REFUSED)],
)
def test_the_uploaded_file_is_deleted_when_the_import_ends(admin, daily, post, content, status):
    post(admin, content, daily)

    job = ReaderImport.objects.get()
    assert job.status == status
    assert bytes(job.content) == b""


def test_progress_is_committed_in_steps_outside_the_import_transaction(
    daily, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 2)
    seen = []
    depth = len(connection.atomic_blocks)  # the test's own transaction

    def record(step):
        original = getattr(import_jobs._Progress, step)

        def spy(self, *args):
            original(self, *args)
            row = ReaderImport.objects.get(pk=self.job.pk)
            inside = len(connection.atomic_blocks) > depth
            seen.append((step, row.status, row.rows_checked, row.rows_total, inside))

        monkeypatch.setattr(import_jobs._Progress, step, spy)

    for step in ("checked", "writing", "written"):
        record(step)
    job = queued(daily, b"email\n" + b"".join(b"r%d@example.org\n" % i for i in range(5)))

    import_jobs.run_import(import_pk=job.pk)

    assert seen == [
        ("checked", Status.CHECKING, 0, 5, False),
        ("checked", Status.CHECKING, 2, 5, False),
        ("checked", Status.CHECKING, 4, 5, False),
        ("checked", Status.CHECKING, 5, 5, False),
        ("writing", Status.IMPORTING, 5, 5, False),
        # Marked done inside the import's transaction: both commit, or neither.
        ("written", Status.DONE, 5, 5, True),
    ]


def test_a_running_import_shows_its_counters_and_refreshes_itself(admin, daily):
    job = queued(daily, b"email\na@example.org\n")
    ReaderImport.objects.filter(pk=job.pk).update(
        status=Status.CHECKING, rows_checked=1000, rows_total=50000
    )

    page = admin.get(progress_url(job)).content.decode()

    assert "Checking the rows" in page
    assert '<span data-count="rows_checked">1000</span>' in page
    assert '<span data-count="rows_total">50000</span>' in page
    assert REFRESH in page.split("</head>", 1)[0]


def test_a_task_delivered_twice_imports_once(daily):
    job = queued(daily, b"email\na@example.org\n")
    import_jobs.run_import(import_pk=job.pk)
    finished = ReaderImport.objects.get(pk=job.pk)

    again = import_jobs.run_import(import_pk=job.pk)

    assert again.status == Status.DONE
    assert again.finished_at == finished.finished_at
    assert ConsentEvent.objects.count() == 2  # one subscribe and one confirm, once


def test_a_crash_inside_the_import_writes_nothing_and_says_so(admin, daily, monkeypatch, post):
    def crash(*args, **kwargs):  # Wagtail's log, written after every reader row
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "log", crash)

    response = post(admin, b"email\nana@example.org\n", daily)

    job = ReaderImport.objects.get()
    assert (job.status, bytes(job.content)) == (Status.FAILED, b"")
    assert Reader.objects.count() == Subscription.objects.count() == 0
    page = admin.get(response["Location"]).content.decode()
    assert "The import stopped on an unexpected error, so nothing was imported." in page


# --- crashed workers -----------------------------------------------------------------------


def test_the_scheduler_fails_imports_whose_worker_stopped_and_nothing_is_imported(daily):
    weekly = newsletter("weekly")
    monthly = newsletter("monthly")
    never_started = queued(daily, b"email\na@example.org\n")
    died = queued(weekly, b"email\nb@example.org\n")
    fresh = queued(monthly, b"email\nc@example.org\n")
    long_ago = timezone.now() - import_jobs.STUCK_AFTER - dt.timedelta(minutes=1)
    ReaderImport.objects.filter(pk=never_started.pk).update(updated_at=long_ago)
    ReaderImport.objects.filter(pk=died.pk).update(status=Status.IMPORTING, updated_at=long_ago)

    # What the scheduler runs every minute (in-process: `masthead scheduler` would close
    # this test's database connection when its commands end).
    assert "reader_import_sweep" in cli.SCHEDULED_COMMANDS
    call_command("reader_import_sweep")

    never_started.refresh_from_db()
    died.refresh_from_db()
    fresh.refresh_from_db()
    assert (never_started.status, died.status, fresh.status) == (
        Status.FAILED,
        Status.FAILED,
        Status.QUEUED,
    )
    assert "No worker started this import within 30 minutes" in never_started.error
    assert died.error == "The worker stopped; nothing was imported. Upload the file again."
    assert bytes(never_started.content) == bytes(died.content) == b""
    assert bytes(fresh.content) != b""
    # A task that arrives after all changes nothing.
    import_jobs.run_import(import_pk=never_started.pk)
    assert Reader.objects.count() == 0


def test_an_import_given_up_on_while_it_ran_rolls_back_and_stays_failed(daily, monkeypatch):
    writing = import_jobs._Progress.writing

    def sweep_first(self):  # the sweep runs just before the worker starts writing
        later = timezone.now() + import_jobs.STUCK_AFTER + dt.timedelta(minutes=1)
        assert import_jobs.fail_stuck(now=later) == 1
        writing(self)

    monkeypatch.setattr(import_jobs._Progress, "writing", sweep_first)
    job = queued(daily, b"email\na@example.org\n")

    ended = import_jobs.run_import(import_pk=job.pk)

    assert ended.status == Status.FAILED
    assert Reader.objects.count() == 0


# --- two at once, checks in the request ----------------------------------------------------


def test_a_second_upload_into_a_newsletter_with_a_running_import_is_refused(
    database_queue, admin, daily, post
):
    post(admin, b"email\na@example.org\n", daily)
    running = ReaderImport.objects.get()

    response = post(admin, b"email\nb@example.org\n", daily)

    assert response.status_code == 200
    page = response.content.decode()
    assert "A file is still being imported into this newsletter." in page
    assert progress_url(running) in page
    assert ReaderImport.objects.count() == DBTaskResult.objects.count() == 1

    run_like_the_worker(DBTaskResult.objects.get())
    assert post(admin, b"email\nb@example.org\n", daily).status_code == 302


def test_a_file_without_a_proper_header_is_refused_in_the_request(admin, daily, post):
    response = post(admin, b"a@example.org\nb@example.org\n", daily)

    assert response.status_code == 200
    assert "The first row must be a header" in response.content.decode()
    assert not ReaderImport.objects.exists()


def test_a_50000_row_file_no_longer_runs_inside_the_request(database_queue, admin, daily, post):
    rows = "".join(f"reader{i}@example.org\n" for i in range(importing.MAX_ROWS))
    content = f"email\n{rows}".encode()

    response = post(admin, content, daily)

    assert response.status_code == 302
    [task] = DBTaskResult.objects.all()
    assert Reader.objects.count() == 0
    assert ReaderImport.objects.get().status == Status.QUEUED

    run_like_the_worker(task)

    job = ReaderImport.objects.get()
    assert (job.status, job.result["created"], job.rows_checked) == (Status.DONE, 50000, 50000)
    assert Reader.objects.count() == 50000


# --- who sees it -----------------------------------------------------------------------------


def test_the_import_page_lists_past_imports_with_links_to_their_pages(admin, daily, post):
    post(admin, b"email\na@example.org\n", daily, name="march-fair.csv")
    job = ReaderImport.objects.get()

    page = admin.get(reverse("audience_csv:import")).content.decode()

    assert "Recent imports" in page
    assert "march-fair.csv" in page
    assert f'<a href="{progress_url(job)}">Imported</a>' in page


def test_only_users_who_may_import_see_an_import(client, daily):
    job = queued(daily, b"email\na@example.org\n")
    url = progress_url(job)

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("wagtailadmin_login"))

    client.force_login(editor("view_reader"))
    assert client.get(url).status_code == 403

    client.force_login(superuser())
    assert client.get(url).status_code == 200
    assert client.get(reverse("audience_csv:progress", args=[job.pk + 1])).status_code == 404


def test_an_editor_with_the_import_permission_sees_an_import(client, daily):
    job = queued(daily, b"email\na@example.org\n")
    client.force_login(editor("add_reader"))
    assert client.get(progress_url(job)).status_code == 200


def test_the_bad_rows_of_an_import_are_forgotten_thirty_days_after_it_ended(daily):
    def refused(email: str, *, finished_at: dt.datetime) -> ReaderImport:
        return ReaderImport.objects.create(
            newsletter=daily,
            source="Fair sheet",
            default_consented_at=finished_at,
            status=ReaderImport.Status.REFUSED,
            errors=[{"row": 2, "email": email, "message": "a duplicate"}],
            error_count=1,
            finished_at=finished_at,
        )

    old = refused("ana@example.org", finished_at=timezone.now() - dt.timedelta(days=31))
    recent = refused("bea@example.org", finished_at=timezone.now())

    assert import_jobs.forget_old_problems() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.errors, old.error_count) == ([], 1)
    assert recent.errors[0]["email"] == "bea@example.org"
