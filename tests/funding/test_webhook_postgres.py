"""The payment webhook's PostgreSQL shortcuts (issue 9 §5), and why they are safe.

A webhook's first query goes without Django's connection health check (lib/webhookpath.py):
if the kept connection has died, the post fails with a 500 and stores nothing, the
provider delivers it again, and the redelivery, on a fresh connection, is stored. The
insert and the redelivery's read are prepared once per connection (inbox/services.py
``_execute``); every other query stays bound on the client and is never prepared. PostgreSQL only: the CI's PostgreSQL
pass runs these.
"""

from __future__ import annotations

import io
import json

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from masthead.funding.models import Checkout
from masthead.inbox.models import Event
from tests.funding import fake_stripe
from tests.funding.fake_stripe import WEBHOOK_PATH, FakeStripe, sign

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's connection and statements"
)


@pytest.fixture
def stripe_api(settings):
    with FakeStripe().running() as fake:
        fake_stripe.use(settings, fake)
        yield fake


def _event_body(stripe_api: FakeStripe) -> str:
    checkout = Checkout.objects.create(
        kind=Checkout.Kind.DONATION,
        provider="stripe",
        email="giver@example.org",
        amount=2500,
        currency="USD",
    )
    return json.dumps(
        stripe_api.event("checkout.session.completed", stripe_api.donation(checkout))
    )


def _served_post(body: str) -> int:
    """POST through Django's WSGI handler, as gunicorn does: with the request signals that
    check, keep and close connections (the test client switches them off)."""
    raw = body.encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": WEBHOOK_PATH,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "HTTP_STRIPE_SIGNATURE": sign(body),
        "wsgi.input": io.BytesIO(raw),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    status: list[str] = []
    response = WSGIHandler()(environ, lambda line, headers, exc_info=None: status.append(line))
    b"".join(response)
    response.close()
    return int(status[0].split()[0])


def _terminate_the_kept_connection() -> None:
    """End the server process behind Django's connection, as a server restart would."""
    # A fresh connection, so that its CONN_MAX_AGE has not run out: an obsolete one would
    # be replaced at the request's start whatever its health, and the test would prove
    # nothing (it did, after a long suite).
    connection.close()
    connection.connect()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_a_webhook_on_a_dead_connection_stores_nothing_and_its_redelivery_is_stored(
    stripe_api,
):
    body = _event_body(stripe_api)
    _terminate_the_kept_connection()

    first = _served_post(body)  # no health check on this path: the insert meets the dead link
    again = _served_post(body)  # the provider's redelivery, on the connection Django reopened

    assert (first, again) == (500, 200)
    assert Event.objects.filter(provider="stripe").count() == 1


@pytest.mark.django_db
def test_only_the_webhook_statements_are_prepared_and_redeliveries_reuse_them(
    client, stripe_api, django_capture_on_commit_callbacks
):
    bodies = [_event_body(stripe_api) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            client.post(
                WEBHOOK_PATH,
                data=body,
                content_type="application/json",
                headers={"Stripe-Signature": sign(body)},
            ).status_code
            for body in (*bodies, bodies[0], bodies[1])  # two redeliveries
        ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]

    assert statuses == [200] * 5
    assert Event.objects.filter(provider="stripe").count() == 3
    # The insert (run five times), and the read of the stored row (twice); the drain
    # check is the third, with the database queue (tests use the immediate one).
    assert sorted(statement.split(" ", 1)[0] for statement in prepared) == ["INSERT", "SELECT"]
    assert all('"inbox_event"' in statement for statement in prepared)
