"""Deleting an account: a confirm step, then erasure in one transaction (issue 4)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from masthead.audience import services
from masthead.audience.models import Reader, ReaderImport, Subscription, Suppression
from masthead.inbox.models import Event
from masthead.newsletter.models import Delivery, Edition

from .accounts import ACCOUNT, SIGN_IN, reader, sign_in_path, sign_in_token, signed_in, subscribe
from .conftest import confirm_path
from .worker import run_the_worker, use_database_queue

pytestmark = pytest.mark.django_db

DELETE = "/en/account/delete/"


def rows_holding(text: str) -> list[str]:
    """Every row, in every table of the project, with ``text`` in a text or JSON column.

    JSON columns (task arguments, stored webhook payloads, Wagtail's log data) are read as
    their text, so an address inside a payload is found too.
    """
    found = []
    for model in apps.get_models():
        text_fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.EmailField)
        ]
        json_fields = [
            f.name for f in model._meta.concrete_fields if isinstance(f, models.JSONField)
        ]
        if not text_fields and not json_fields:
            continue
        rows = model.objects.annotate(
            **{f"_json_{name}": Cast(name, models.TextField()) for name in json_fields}
        )
        query = models.Q()
        for name in text_fields:
            query |= models.Q(**{f"{name}__icontains": text})
        for name in json_fields:
            query |= models.Q(**{f"_json_{name}__icontains": text})
        found += [
            f"{model._meta.label}#{pk}" for pk in rows.filter(query).values_list("pk", flat=True)
        ]
    return found


@pytest.fixture
def ada_with_history(newsletters):
    """A reader with subscriptions, sent, pending and bounced deliveries, and a suppression."""
    ada = reader("Ada.Erase@example.org")
    subscribe(ada, newsletters["daily"])
    subscribe(ada, newsletters["diario"])
    now = timezone.now()
    editions = [
        Edition.objects.create(newsletter=newsletters["daily"], subject=f"Edition {i}")
        for i in range(3)
    ]
    Delivery.objects.create(
        edition=editions[0], reader=ada, email=ada.email, status="sent", sent_at=now
    )
    Delivery.objects.create(
        edition=editions[1], reader=ada, email=ada.email, status="sent", bounced_at=now
    )
    Delivery.objects.create(edition=editions[2], reader=ada, email=ada.email, status="pending")
    # A row that carried the address without the reader link (e.g. written before a re-import).
    Delivery.objects.create(edition=editions[2], reader=None, email="ada.erase@EXAMPLE.org")
    Suppression.objects.create(email="ada.erase@example.org", reason="hard_bounce")
    # An ESP's report about her, kept in the inbox with its raw payload.
    Event.objects.create(
        provider="anymail:postmark",
        event_id="pm-ada",
        payload={
            "recipient": "Ada.Erase@example.org",
            "esp_event": {"Email": "ada.erase@example.org"},
        },
        status=Event.Status.PROCESSED,
    )
    # A refused CSV import that listed her address among its bad rows.
    ReaderImport.objects.create(
        newsletter=newsletters["daily"],
        source="Fair sheet",
        default_consented_at=now,
        status=ReaderImport.Status.REFUSED,
        errors=[
            {"row": 2, "email": "ADA.ERASE@example.org", "message": "a duplicate"},
            {"row": 3, "email": "not-an-address", "message": "not an address"},
        ],
        error_count=2,
    )
    bob = reader("bob@example.org")
    subscribe(bob, newsletters["daily"])
    Delivery.objects.create(edition=editions[0], reader=bob, email=bob.email, status="sent")
    return ada


class TestConfirmStep:
    def test_the_page_asks_first_and_says_what_is_kept(self, client, ada_with_history):
        signed_in(ada_with_history, client)
        page = client.get(DELETE)
        assert page.status_code == 200
        assert b"This cannot be undone." in page.content
        assert b"do-not-mail list" in page.content
        assert Reader.objects.filter(pk=ada_with_history.pk).exists()
        assert b"do-not-mail list" in client.get(ACCOUNT).content

    @pytest.mark.parametrize("typed", ["", "bob@example.org", "ada.erase@example.org.evil"])
    def test_the_wrong_address_erases_nothing(self, client, ada_with_history, typed):
        signed_in(ada_with_history, client)
        response = client.post(DELETE, {"email": typed})
        assert response.status_code == 400
        assert b'class="form-error"' in response.content
        assert Reader.objects.filter(pk=ada_with_history.pk).exists()
        assert Delivery.objects.filter(email=ada_with_history.email).count() == 3

    def test_the_post_needs_a_csrf_token(self, ada_with_history):
        strict = signed_in(ada_with_history, Client(enforce_csrf_checks=True))
        response = strict.post(DELETE, {"email": ada_with_history.email})
        assert response.status_code == 403
        assert Reader.objects.filter(pk=ada_with_history.pk).exists()
        page = strict.get(DELETE)
        assert b'name="csrfmiddlewaretoken"' in page.content


class TestErasure:
    def test_erasure_leaves_the_address_only_on_the_suppression_list(
        self, client, ada_with_history
    ):
        ada = ada_with_history
        other_device = signed_in(ada, Client())
        signed_in(ada, client)
        delivery_ids = set(Delivery.objects.values_list("pk", flat=True))

        response = client.post(DELETE, {"email": "ADA.ERASE@example.org"})
        assert response.status_code == 302
        assert response["Location"] == "/en/account/deleted/"
        assert b"Your account is deleted" in client.get(response["Location"]).content

        assert not Reader.objects.filter(pk=ada.pk).exists()
        assert not Subscription.objects.filter(reader_id=ada.pk).exists()
        assert rows_holding("ada.erase") == [
            f"audience.Suppression#{Suppression.objects.get().pk}"
        ]
        # The deliveries stay, for the editions' counts, with no address and no reader.
        assert set(Delivery.objects.values_list("pk", flat=True)) == delivery_ids
        erased = Delivery.objects.exclude(email="bob@example.org")
        assert {d.email for d in erased} == {f"erased-{d.pk}@invalid" for d in erased}
        assert {d.reader_id for d in erased} == {None}
        assert sorted(d.status for d in erased) == ["sent", "sent", "skipped", "skipped"]
        assert Delivery.objects.filter(bounced_at__isnull=False).count() == 1
        # Bob is untouched.
        assert Delivery.objects.get(email="bob@example.org").reader.email == "bob@example.org"
        assert Subscription.objects.filter(reader__email="bob@example.org").count() == 1

        # Signed out here and on every other device.
        assert client.get(ACCOUNT)["Location"] == SIGN_IN
        assert other_device.get(ACCOUNT)["Location"] == SIGN_IN

    def test_with_the_database_queue_the_address_stays_only_on_the_suppression_list(
        self, settings, client, newsletters, smtp_sink, django_capture_on_commit_callbacks
    ):
        # The production queue keeps every task's row (arguments, return value, traceback)
        # after it ran: none of them may hold the address once she is erased (issue 8).
        use_database_queue(settings)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                "/en/newsletter/",
                {"email": "Ada.Erase@example.org", "newsletters": [newsletters["daily"].pk]},
            )
        run_the_worker()
        assert client.post(confirm_path(smtp_sink.messages[-1])).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            client.post(SIGN_IN, {"email": "ada.erase@example.org"})
        run_the_worker()
        assert client.post(sign_in_path(smtp_sink.messages[-1])).status_code == 302
        assert len(smtp_sink.messages) == 2
        services.suppress(email="ada.erase@example.org", reason=Suppression.Reason.COMPLAINT)
        finished = set(DBTaskResult.objects.values_list("pk", flat=True))
        assert len(finished) == 2

        assert client.post(DELETE, {"email": "ada.erase@example.org"}).status_code == 302
        # The task rows stay until purged, naming only a reader id that is gone.
        assert set(DBTaskResult.objects.values_list("pk", flat=True)) == finished
        assert rows_holding("ada.erase") == [
            f"audience.Suppression#{Suppression.objects.get().pk}"
        ]

    def test_a_sign_in_link_from_before_the_erasure_no_longer_works(self, ada_with_history):
        token = sign_in_token(ada_with_history)
        services.erase_reader(reader=ada_with_history)
        response = Client().post(f"/en/account/sign-in/{token}/")
        assert response.status_code == 400
        assert b"This link is not valid" in response.content

    def test_an_erased_suppressed_address_is_never_mailed_again(
        self, ada_with_history, newsletters, smtp_sink, django_capture_on_commit_callbacks
    ):
        services.erase_reader(reader=ada_with_history)
        with django_capture_on_commit_callbacks(execute=True):
            Client().post(
                "/en/newsletter/",
                {"email": "ada.erase@example.org", "newsletters": [newsletters["daily"].pk]},
            )
        assert smtp_sink.messages == []
        assert not Reader.objects.filter(email__iexact="ada.erase@example.org").exists()
