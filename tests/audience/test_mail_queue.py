"""Readers' emails leave from the background worker, never from inside their request.

With the database task queue (the production default) a sign-up or a sign-in request only
queues its email: the response cannot be timed to learn whether an address is known, and
a slow mail server never holds a reader's page. The worker then sends it.
"""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from tests.audience import accounts

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "ENQUEUE_ON_COMMIT": False}
}


def _run_like_the_worker(queued: DBTaskResult) -> None:
    # What db_worker does with a claimed row, without the command itself, which closes
    # the database connection this test's transaction lives on (PostgreSQL).
    queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE  # django-tasks drops its cached backends on the change


def test_a_sign_up_only_queues_its_email_and_the_worker_sends_it(
    database_queue, smtp_sink, post_signup, newsletters
):
    response = post_signup("queued@example.org", [newsletters["daily"]])
    assert response.status_code == 302
    assert smtp_sink.to("queued@example.org") == []
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "masthead.audience.tasks.send_email"

    _run_like_the_worker(queued)
    [message] = smtp_sink.to("queued@example.org")
    assert "/newsletter/confirm/" in message.get_body(("plain",)).get_content()


def test_a_sign_in_request_for_a_known_address_sends_nothing_in_the_request(
    database_queue, smtp_sink, client, django_capture_on_commit_callbacks
):
    reader = accounts.reader("known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/account/sign-in/", {"email": reader.email})
    assert smtp_sink.to(reader.email) == []
    [queued] = DBTaskResult.objects.all()

    _run_like_the_worker(queued)
    [message] = smtp_sink.to(reader.email)
    assert "/account/sign-in/" in message.get_body(("plain",)).get_content()
