"""The consent log: one row per subscribe, confirm and unsubscribe, kept across rounds (issue 8)."""

from __future__ import annotations

import io
import json

import pytest
from django.utils import timezone

from masthead.audience import importing, services
from masthead.audience.forms import ACCOUNT_WORDING, SIGN_UP_WORDING
from masthead.audience.models import ConsentEvent, Reader, Subscription, Suppression
from masthead.newsletter import emails

from .accounts import reader, signed_in
from .conftest import confirm_path

pytestmark = pytest.mark.django_db

Kind = ConsentEvent.Kind


def log_of(email: str) -> list[tuple[str, str, str]]:
    return list(
        ConsentEvent.objects.filter(reader__email=email)
        .order_by("at", "pk")
        .values_list("kind", "newsletter__slug", "source")
    )


def unsubscribe_path(who: Reader, newsletter) -> str:
    token = emails.unsubscribe_token(reader_id=who.pk, newsletter_id=newsletter.pk)
    return f"/newsletter/unsubscribe/{token}/"


class TestTheWebFlowsWriteTheLog:
    def test_sign_up_logs_the_request_with_the_wording_and_a_truncated_address(
        self, post_signup, newsletters, smtp_sink
    ):
        post_signup(
            "ana@example.org",
            [newsletters["daily"]],
            REMOTE_ADDR="2001:db8:1:2:aaaa:bbbb:cccc:dddd",
        )

        [event] = ConsentEvent.objects.all()
        assert (event.kind, event.source, event.newsletter.slug) == (
            Kind.SUBSCRIBE,
            "form",
            "daily",
        )
        assert event.wording == SIGN_UP_WORDING
        assert event.client == "2001:db8:1:2::/64"  # the /64, as rate limits key on it

    def test_confirming_logs_a_confirm_and_a_used_link_logs_nothing_more(
        self, client, post_signup, newsletters, smtp_sink
    ):
        post_signup("ana@example.org", [newsletters["daily"], newsletters["diario"]])
        path = confirm_path(smtp_sink.messages[0])
        client.post(path)
        client.post(path)

        log = log_of("ana@example.org")
        assert sorted(log[:2]) == [
            (Kind.SUBSCRIBE, "daily", "form"),
            (Kind.SUBSCRIBE, "diario", "form"),
        ]
        assert sorted(log[2:]) == [
            (Kind.CONFIRM, "daily", "form"),
            (Kind.CONFIRM, "diario", "form"),
        ]

    def test_every_round_is_kept_while_the_subscription_holds_only_the_latest(
        self, client, post_signup, newsletters, smtp_sink
    ):
        daily = newsletters["daily"]
        post_signup("ana@example.org", [daily])
        client.post(confirm_path(smtp_sink.messages[-1]))
        ana = Reader.objects.get()
        client.post(unsubscribe_path(ana, daily))
        post_signup("ana@example.org", [daily])
        client.post(confirm_path(smtp_sink.messages[-1]))

        assert [kind for kind, _slug, _source in log_of("ana@example.org")] == [
            Kind.SUBSCRIBE,
            Kind.CONFIRM,
            Kind.UNSUBSCRIBE,
            Kind.SUBSCRIBE,
            Kind.CONFIRM,
        ]
        unsubscribed = ConsentEvent.objects.get(kind=Kind.UNSUBSCRIBE)
        assert (unsubscribed.source, unsubscribed.was_confirmed) == ("link", True)
        assert Subscription.objects.get().status == Subscription.Status.CONFIRMED

    def test_the_account_page_logs_what_the_reader_ticked_and_untick(self, client, newsletters):
        ana = reader("ana@example.org")
        signed_in(ana, client)
        daily = newsletters["daily"]

        client.post("/en/account/", {"newsletters": [daily.pk], "language": "en"})
        client.post("/en/account/", {"newsletters": [], "language": "en"})

        assert log_of(ana.email) == [
            (Kind.SUBSCRIBE, "daily", "account"),
            (Kind.CONFIRM, "daily", "account"),
            (Kind.UNSUBSCRIBE, "daily", "account"),
        ]
        assert ConsentEvent.objects.filter(wording=ACCOUNT_WORDING).count() == 2

    def test_an_import_logs_each_consent_with_the_editors_note(self, newsletters):
        importing.import_readers(
            io.BytesIO(b"email\nbea@example.org\n"),
            newsletter=newsletters["daily"],
            source="Book fair sheet, 2026",
            default_consented_at=timezone.now(),
        )

        events = ConsentEvent.objects.filter(reader__email="bea@example.org").order_by("kind")
        assert [(e.kind, e.source, e.wording) for e in events] == [
            (Kind.CONFIRM, "import", "Book fair sheet, 2026"),
            (Kind.SUBSCRIBE, "import", "Book fair sheet, 2026"),
        ]


class TestTheDoors:
    def test_ending_a_subscription_twice_logs_it_once(self, newsletters):
        ana = reader("ana@example.org")
        Subscription.objects.create(
            reader=ana,
            newsletter=newsletters["daily"],
            status=Subscription.Status.PENDING,
            source="form",
            consented_at=ana.created_at,
        )
        door = {"reader_id": ana.pk, "newsletter_id": newsletters["daily"].pk, "source": "esp"}

        assert services.end_subscription(**door) is True
        assert services.end_subscription(**door) is False
        [event] = ConsentEvent.objects.all()
        assert (event.kind, event.source, event.was_confirmed) == (Kind.UNSUBSCRIBE, "esp", False)

    def test_suppress_keys_the_address_in_one_case_and_keeps_the_first_reason(self):
        assert services.suppress(email=" Ana@Example.ORG ", reason="hard_bounce", detail="550")
        assert not services.suppress(email="ana@example.org", reason="complaint")

        [row] = Suppression.objects.all()
        assert (row.email, row.reason, row.detail) == ("ana@example.org", "hard_bounce", "550")


class TestErasureAndExport:
    def test_erasure_keeps_the_events_for_the_counts_but_not_who_or_where(
        self, client, post_signup, newsletters, smtp_sink
    ):
        post_signup("ana@example.org", [newsletters["daily"]], REMOTE_ADDR="203.0.113.9")
        client.post(confirm_path(smtp_sink.messages[0]))
        services.erase_reader(reader=Reader.objects.get())

        assert list(ConsentEvent.objects.values_list("kind", "reader", "client")) == [
            (Kind.SUBSCRIBE, None, ""),
            (Kind.CONFIRM, None, ""),
        ]

    def test_the_download_lists_the_readers_consent_log(self, client, newsletters):
        ana = reader("ana@example.org")
        signed_in(ana, client)
        client.post("/en/account/", {"newsletters": [newsletters["daily"].pk], "language": "en"})

        data = json.loads(client.get("/en/account/data/").content)

        assert [(e["event"], e["newsletter"], e["wording"]) for e in data["consent_log"]] == [
            ("subscribe", "Daily digest", ACCOUNT_WORDING),
            ("confirm", "Daily digest", ACCOUNT_WORDING),
        ]
