"""Readers' emails leave from the background worker, and the queue holds ids, never addresses.

With the database task queue (the production default) a sign-up, a sign-in request or an
email change only queues ids: the response cannot be timed to learn whether an address is
known, and a slow mail server never holds a reader's page. The task table keeps a task's
arguments and outcome after it ran, so they carry no address, body or link (issue 8): the
worker rebuilds the message and its link from the database, and sends nothing when the
state moved on meanwhile.
"""

from __future__ import annotations

import re

import pytest
from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.exceptions import AnymailRecipientsRefused
from django.test import Client
from django_tasks_db.models import DBTaskResult

from masthead.audience import queries, services
from masthead.audience.models import EmailChangeRequest, Reader, Subscription

from . import accounts
from .conftest import confirm_path, text_part
from .test_erasure import rows_holding
from .worker import run_the_worker, use_database_queue

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"/(?:confirm|sign-in)/([^/\s\"<>]+)/")


@pytest.fixture
def database_queue(settings):
    use_database_queue(settings)


@pytest.fixture
def ask_sign_in(client, django_capture_on_commit_callbacks):
    def post(email: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/en/account/sign-in/", {"email": email})

    return post


@pytest.fixture
def ask_change(django_capture_on_commit_callbacks):
    def post(client, new_email: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/en/account/email/", {"new_email": new_email})

    return post


def queued_kwargs() -> list[tuple[str, dict]]:
    """Each queued task's name and keyword arguments, oldest first."""
    return [
        (row.task_path.rsplit(".", 1)[1], row.args_kwargs["kwargs"])
        for row in DBTaskResult.objects.order_by("enqueued_at")
    ]


def assert_nothing_stored(message) -> None:
    """Neither the message's link nor its token is in any table."""
    body = text_part(message)
    token = TOKEN.search(body).group(1)
    assert rows_holding(token) == []
    for path in ("/newsletter/confirm/", "/account/sign-in/", "/account/email/confirm/"):
        assert rows_holding(path) == []


def test_a_sign_up_queues_ids_only_and_the_worker_mails_a_link_that_works(
    database_queue, smtp_sink, post_signup, newsletters, client
):
    response = post_signup("Queued@example.org", [newsletters["daily"], newsletters["diario"]])
    assert response.status_code == 302
    assert smtp_sink.messages == []
    reader = Reader.objects.get()
    subs = sorted(Subscription.objects.values_list("pk", flat=True))
    [(name, kwargs)] = queued_kwargs()
    assert name == "send_confirmation"
    assert sorted(kwargs) == ["consent_stamp", "reader_id", "subscription_ids"]
    assert (kwargs["reader_id"], kwargs["subscription_ids"]) == (reader.pk, subs)
    assert rows_holding("queued@example.org") == [f"audience.Reader#{reader.pk}"]

    [row] = run_the_worker()
    assert (row.status, row.return_value, row.traceback) == ("SUCCESSFUL", True, "")
    [message] = smtp_sink.to("Queued@example.org")
    assert "Daily digest" in text_part(message)
    assert "Boletín diario" in text_part(message)
    assert rows_holding("queued@example.org") == [f"audience.Reader#{reader.pk}"]
    assert_nothing_stored(message)

    assert client.post(confirm_path(message)).status_code == 200
    assert set(Subscription.objects.values_list("status", flat=True)) == {"confirmed"}


def test_a_sign_in_request_queues_ids_only_and_the_worker_mails_a_link_that_works(
    database_queue, smtp_sink, ask_sign_in, publication
):
    ada = accounts.reader("ada@example.org")
    ask_sign_in("ada@example.org")
    ask_sign_in("nobody@example.org")  # unknown: nothing queued, nothing written
    assert smtp_sink.messages == []
    assert queued_kwargs() == [("send_sign_in_link", {"reader_id": ada.pk, "sign_in_stamp": 0})]

    [row] = run_the_worker()
    assert (row.status, row.return_value) == ("SUCCESSFUL", True)
    [message] = smtp_sink.to("ada@example.org")
    assert rows_holding("ada@example.org") == [f"audience.Reader#{ada.pk}"]
    assert rows_holding("nobody@example.org") == []
    assert_nothing_stored(message)

    assert Client().post(accounts.sign_in_path(message)).status_code == 302


def test_an_email_change_waits_on_its_own_row_and_the_worker_mails_both_addresses(
    database_queue, smtp_sink, ask_change, client, publication
):
    ada = accounts.reader("ada@example.org")
    accounts.signed_in(ada, client)
    assert ask_change(client, "Ada.New@example.org").status_code == 302
    [change] = EmailChangeRequest.objects.all()
    assert queued_kwargs() == [("send_email_change", {"request_id": change.pk})]
    # The new address is on the request row only, until the worker has mailed it.
    assert rows_holding("ada.new@example.org") == [f"audience.EmailChangeRequest#{change.pk}"]
    # Held about her, so her data download lists it while it is held.
    [held] = queries.reader_data(ada)["email_change_requests"]
    assert held["new_email"] == "Ada.New@example.org"

    [row] = run_the_worker()
    assert (row.status, row.return_value) == ("SUCCESSFUL", True)
    [link] = smtp_sink.to("Ada.New@example.org")
    [notice] = smtp_sink.to("ada@example.org")
    assert notice["Subject"] == "A change of email address was requested"
    assert not EmailChangeRequest.objects.exists()
    assert rows_holding("ada.new@example.org") == []
    assert rows_holding("ada@example.org") == [f"audience.Reader#{ada.pk}"]
    assert_nothing_stored(link)

    assert client.post(accounts.email_change_path(link)).status_code == 200
    ada.refresh_from_db()
    assert ada.email == "Ada.New@example.org"


def test_an_email_change_to_a_taken_address_is_decided_by_the_worker(
    database_queue, smtp_sink, ask_change, client, publication
):
    ada = accounts.reader("ada@example.org")
    accounts.signed_in(ada, client)
    ask_change(client, "taken@example.org")
    accounts.reader("taken@example.org")  # taken after the request, before the worker ran
    run_the_worker()
    [note] = smtp_sink.to("taken@example.org")
    assert note["Subject"] == "Your email address was not changed"
    assert smtp_sink.to("ada@example.org") == []
    assert not EmailChangeRequest.objects.exists()


def test_tasks_of_a_reader_erased_before_they_ran_send_nothing_and_fail_nothing(
    database_queue, smtp_sink, post_signup, ask_sign_in, ask_change, newsletters, client
):
    post_signup("vanishing@example.org", [newsletters["daily"]])
    ada = Reader.objects.get()
    ask_sign_in("vanishing@example.org")
    accounts.signed_in(ada, client)
    ask_change(client, "vanishing.new@example.org")
    assert [name for name, _ in queued_kwargs()] == [
        "send_confirmation",
        "send_sign_in_link",
        "send_email_change",
    ]

    services.erase_reader(reader=ada)
    ran = run_the_worker()
    assert [(row.status, row.return_value) for row in ran] == [("SUCCESSFUL", False)] * 3
    assert smtp_sink.messages == []
    assert rows_holding("vanishing") == []


def test_a_task_whose_link_was_replaced_or_used_meanwhile_sends_nothing(
    database_queue, smtp_sink, post_signup, ask_sign_in, newsletters, client
):
    post_signup("twice@example.org", [newsletters["daily"]])
    post_signup("twice@example.org", [newsletters["daily"]])  # a newer link replaces it
    ask_sign_in("twice@example.org")
    accounts.signed_in(Reader.objects.get(), Client())  # signed in another way meanwhile
    ran = run_the_worker()
    assert [row.return_value for row in ran] == [False, True, False]
    [message] = smtp_sink.messages
    assert client.post(confirm_path(message)).status_code == 200


class RefusingESP(AnymailTestBackend):
    """An ESP that refuses every recipient and, as Postmark does, names them in the error."""

    def send_messages(self, email_messages):
        raise AnymailRecipientsRefused(f"Found inactive addresses: {email_messages[0].to[0]}")


def test_an_esp_error_naming_the_address_leaves_it_in_no_task_row(
    database_queue, settings, ask_sign_in, publication
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingESP"
    ada = accounts.reader("refused@example.org")
    ask_sign_in("refused@example.org")
    [row] = run_the_worker()
    assert row.status == "SUCCESSFUL"  # logged, not raised into the row's traceback
    assert rows_holding("refused@example.org") == [f"audience.Reader#{ada.pk}"]
