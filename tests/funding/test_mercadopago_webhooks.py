"""Mercado Pago notifications at the real endpoint: what is refused, what is stored once.

Notifications are signed the way Mercado Pago signs them (x-signature: ts and the
HMAC-SHA256 of ``id:<data.id>;request-id:<x-request-id>;ts:<ts>;``) and posted to
/webhooks/payments/mercadopago/; the adapter fetches objects from a fake Mercado Pago API
on loopback through the official SDK.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.apps import apps
from django.utils import timezone
from freezegun import freeze_time

from masthead.funding import ledger
from masthead.funding.models import Payment
from masthead.inbox import services as inbox
from masthead.inbox.models import Event
from tests.funding.fake_mercadopago import WEBHOOK, FakeMercadoPago, configure, notify, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(settings):
    with FakeMercadoPago() as fake:
        configure(settings, fake)
        yield fake


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """Post a signed notification and run what it enqueues (the inbox task), as on commit."""

    def deliver(*args: object, **kwargs: object):
        with django_capture_on_commit_callbacks(execute=True):
            return notify(client, *args, **kwargs)

    return deliver


@pytest.fixture
def succeeded_signals():
    sent: list[int] = []

    def receive(sender: object, payment_id: int, **kwargs: object) -> None:
        sent.append(payment_id)

    ledger.payment_succeeded.connect(receive)
    yield sent
    ledger.payment_succeeded.disconnect(receive)


def row_counts() -> dict[str, int]:
    """Rows in every table of the apps a notification could write to."""
    models = [
        model
        for label in ("funding", "inbox", "audience")
        for model in apps.get_app_config(label).get_models()
    ]
    return {model._meta.label: model.objects.count() for model in models}


class TestSignature:
    def test_a_valid_signature_is_stored_once_and_answered_200(self, api, post):
        response = post("payment", "501", notification_id=9001)
        assert response.status_code == 200
        assert list(Event.objects.values_list("provider", "event_id", "kind")) == [
            ("mercadopago", "9001", "payment")
        ]

    def test_a_missing_request_id_is_left_out_of_the_manifest_and_still_valid(self, api, post):
        assert post("payment", "501", request_id=None).status_code == 200
        assert Event.objects.count() == 1

    def test_a_timestamp_in_milliseconds_is_accepted(self, api, post):
        assert post("payment", "501", ts=int(time.time() * 1000)).status_code == 200
        assert Event.objects.count() == 1

    def test_an_alphanumeric_id_is_signed_in_lower_case(self, api, post):
        # Preapproval ids are alphanumeric; Mercado Pago lower-cases them in the manifest.
        response = post("subscription_preapproval", "2C93808479ABCDEF")
        assert response.status_code == 200

    @pytest.mark.parametrize(
        ("case", "kwargs", "status"),
        [
            ("wrong secret", {"secret": "not-the-secret"}, 401),
            ("tampered data.id", {"signed_id": "502"}, 401),
            ("301 s old", {"ts": -301}, 400),
            ("301 s ahead", {"ts": +301}, 400),
            ("301 s old in ms", {"ts_ms": -301_000}, 400),
            ("301 s ahead in ms", {"ts_ms": +301_000}, 400),
            ("missing header", {"signature": ""}, 400),
            ("no v1", {"signature": f"ts={int(time.time())}"}, 400),
            ("garbage header", {"signature": "nonsense"}, 400),
        ],
    )
    def test_a_bad_signature_is_refused_and_nothing_is_written(
        self, api, post, case, kwargs, status
    ):
        # Offsets from now, taken here (not at collection); the clock stands still at ``now``
        # while the server checks, so a second passing cannot decide the ±301 s cases.
        now = int(time.time())
        if "ts" in kwargs:
            kwargs["ts"] = now + kwargs["ts"]
        if "ts_ms" in kwargs:
            kwargs["ts"] = now * 1000 + kwargs.pop("ts_ms")
        before = row_counts()
        with freeze_time(dt.datetime.fromtimestamp(now, dt.UTC)):
            response = post("payment", "501", **kwargs)
        assert response.status_code == status, case
        assert row_counts() == before
        assert api.state.calls == []  # nothing was even fetched

    def test_without_a_webhook_secret_every_notification_is_refused(self, api, post, settings):
        settings.MERCADOPAGO_WEBHOOK_SECRET = ""
        assert post("payment", "501").status_code == 401
        assert Event.objects.count() == 0

    def test_a_signed_body_that_is_not_json_is_refused(self, api, client):
        from tests.funding.fake_mercadopago import sign

        response = client.post(
            f"{WEBHOOK}?data.id=501&type=payment",
            data="{not json",
            content_type="application/json",
            HTTP_X_SIGNATURE=sign(data_id="501", request_id=None, ts=int(time.time())),
        )
        assert response.status_code == 400
        assert Event.objects.count() == 0


class TestWhatIsStored:
    def test_a_type_masthead_does_not_use_is_answered_200_and_not_stored(self, api, post):
        response = post("topic_merchant_order_wh", "501")
        assert response.status_code == 200
        assert b"Ignored" in response.content
        assert Event.objects.count() == 0

    def test_without_its_own_id_the_event_is_named_by_type_data_id_and_action(self, api, post):
        post("payment", "501", notification_id=0, action="payment.created")
        assert Event.objects.get().event_id == "payment:501:payment.created"

    def test_a_payment_that_is_not_masthead_s_is_ignored(self, api, post):
        api.payment("777", external_reference="shop-order-12")
        post("payment", "777")
        event = Event.objects.get()
        assert event.status == Event.Status.IGNORED
        assert Payment.objects.count() == 0


class TestReplays:
    def test_one_notification_delivered_three_times_writes_one_row_and_thanks_once(
        self, api, post, succeeded_signals
    ):
        checkout, _ = start(amount=1850)
        api.payment("601", external_reference=str(checkout.pk))
        for _ in range(3):
            assert post("payment", "601", notification_id=42).status_code == 200

        assert Event.objects.count() == 1
        payment = Payment.objects.get()
        assert (payment.provider, payment.reference, payment.status) == (
            "mercadopago",
            "601",
            Payment.Status.SUCCEEDED,
        )
        assert succeeded_signals == [payment.pk]

    def test_three_different_notifications_about_one_payment_write_one_row(
        self, api, post, succeeded_signals
    ):
        checkout, _ = start(amount=1850)
        api.payment("602", external_reference=str(checkout.pk), status="pending")
        post("payment", "602", action="payment.created")
        api.payment("602", external_reference=str(checkout.pk))
        post("payment", "602", action="payment.updated")
        post("payment", "602", action="payment.updated")

        assert Event.objects.count() == 3
        assert Payment.objects.get().status == Payment.Status.SUCCEEDED
        assert len(succeeded_signals) == 1

    def test_a_payment_not_yet_visible_at_mercado_pago_is_retried_not_dropped(self, api, post):
        checkout, _ = start(amount=1850)
        post("payment", "603")  # the fake does not know 603 yet: 404
        event = Event.objects.get()
        assert event.status == Event.Status.FAILED and "Not ready" in event.outcome

        api.payment("603", external_reference=str(checkout.pk))
        inbox.retry_due(now=timezone.now() + dt.timedelta(hours=1))  # the scheduler's sweep
        event.refresh_from_db()
        assert event.status == Event.Status.PROCESSED
        assert Payment.objects.get().reference == "603"
