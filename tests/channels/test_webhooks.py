"""Outgoing webhooks: signed Standard Webhooks messages for article events, delivered by a
task with retries, a log row per message, and endpoints disabled when they ask or keep
failing. Every request goes to a real HTTP receiver on loopback; signatures are checked
with the ``standardwebhooks`` package, as a receiver would."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import subprocess
import sys

import pytest
import standardwebhooks
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from masthead.channels.webhooks import services
from masthead.channels.webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from masthead.lib import fanout
from masthead.newsroom import services as newsroom_services
from tests.channels.webhook_receiver import running
from tests.discovery.factories import make_article, paragraph

ALL_EVENTS = [e.value for e in Event]
VALID = "whsec_" + "A" * 44  # 32 zero bytes
SECRET_WORD = "plumbagine"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # loopback receivers (dev and tests)
    settings.WEBHOOK_ALLOWED_NETWORKS = []


@pytest.fixture
def receiver():
    with running() as receiver:
        yield receiver


def endpoint_for(receiver, *, events=None, **fields) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        name=fields.pop("name", "Partner site"),
        url=fields.pop("url", receiver.url),
        events=ALL_EVENTS if events is None else events,
        **fields,
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def verified(endpoint: WebhookEndpoint, call) -> dict:
    """The payload, after the receiver's own check of the signature (raises if bad)."""
    return standardwebhooks.Webhook(endpoint.secret).verify(call.body, call.headers)


def publish(publication, slug="harbour-news", *, section=None, live=True, **fields):
    """Published as an editor does: now (a backdated article is a quiet bulk load)."""
    draft = newsroom_services.ArticleDraft(
        title=fields.pop("title", "Harbour news"),
        slug=slug,
        standfirst=fields.pop("standfirst", "What the harbour saw."),
        bylines=[publication.writer],
        body=fields.pop("body", [paragraph("The boats came in.")]),
        **fields,
    )
    article = newsroom_services.create_article(
        section=section or publication.interviews, draft=draft, publish=live
    )
    article.refresh_from_db()  # the publish changed a copy made from the revision
    return article


def make_due(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


class TestEvents:
    def test_a_first_publish_sends_a_signed_article_published(
        self, publication, receiver, django_capture_on_commit_callbacks
    ):
        endpoint = endpoint_for(receiver)
        with django_capture_on_commit_callbacks(execute=True):
            article = publish(publication, title='Salt & "silver" <mines> 🌊')
        [call] = receiver.calls
        message = verified(endpoint, call)
        assert message["type"] == "article.published"
        assert message["data"]["id"] == article.pk
        assert message["data"]["title"] == 'Salt & "silver" <mines> 🌊'
        assert message["data"]["url"] == article.get_full_url()
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert call.headers["webhook-id"] == delivery.message_id
        assert (delivery.state, delivery.attempts, delivery.status_code) == ("delivered", 1, 200)

    def test_edit_unpublish_and_republish_send_their_events(
        self, publication, receiver, django_capture_on_commit_callbacks
    ):
        endpoint = endpoint_for(receiver)
        with django_capture_on_commit_callbacks(execute=True):
            article = publish(publication)
        with django_capture_on_commit_callbacks(execute=True):
            article.title = "Harbour news, corrected"
            article.save_revision().publish()
        with django_capture_on_commit_callbacks(execute=True):
            article.unpublish()
        with django_capture_on_commit_callbacks(execute=True):
            article.save_revision().publish()
        types = [verified(endpoint, call)["type"] for call in receiver.calls]
        assert types == [
            "article.published",
            "article.updated",
            "article.unpublished",
            "article.published",
        ]
        assert len({call.headers["webhook-id"] for call in receiver.calls}) == 4

    def test_an_endpoint_gets_only_the_events_it_chose(
        self, publication, receiver, django_capture_on_commit_callbacks
    ):
        endpoint_for(receiver, events=["article.unpublished"])
        with django_capture_on_commit_callbacks(execute=True):
            article = publish(publication)
            article.save_revision().publish()
        assert receiver.calls == []
        with django_capture_on_commit_callbacks(execute=True):
            article.unpublish()
        assert [json.loads(c.body)["type"] for c in receiver.calls] == ["article.unpublished"]

    def test_disabled_endpoints_and_quiet_bulk_loads_get_nothing(
        self, publication, receiver, django_capture_on_commit_callbacks
    ):
        endpoint_for(receiver, enabled=False)
        with django_capture_on_commit_callbacks(execute=True):
            publish(publication)
        endpoint_for(receiver, name="On")
        with django_capture_on_commit_callbacks(execute=True), fanout.quiet():
            publish(publication, slug="bulk-loaded")
        with django_capture_on_commit_callbacks(execute=True):
            make_article(publication.interviews, slug="backdated", bylines=[publication.writer])
        assert receiver.calls == []
        assert not WebhookDelivery.objects.exists()

    def test_a_members_only_article_sends_its_front_never_its_body(
        self, publication, receiver, django_capture_on_commit_callbacks
    ):
        endpoint = endpoint_for(receiver)
        with django_capture_on_commit_callbacks(execute=True):
            publish(publication, members_only=True, body=[paragraph(f"The {SECRET_WORD} vein.")])
        [call] = receiver.calls
        assert SECRET_WORD not in call.body
        assert verified(endpoint, call)["data"]["members_only"] is True

    def test_the_row_is_written_before_any_request(
        self, publication, receiver, django_capture_on_commit_callbacks
    ):
        endpoint_for(receiver)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            publish(publication)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.state, delivery.attempts, receiver.calls) == ("pending", 0, [])
        for callback in callbacks:
            callback()
        delivery.refresh_from_db()
        assert delivery.state == "delivered"


def delete_in_admin(admin_client, page) -> None:
    response = admin_client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))
    assert response.status_code == 302, response.content[:500]
    assert not Page.objects.filter(pk=page.pk).exists()


def unpublished_ids(endpoint: WebhookEndpoint, receiver) -> list[int]:
    messages = [verified(endpoint, call) for call in receiver.calls]
    return [m["data"]["id"] for m in messages if m["type"] == "article.unpublished"]


class TestDeletion:
    """Deleting a live article tells endpoints it is gone, as an unpublish does.

    Wagtail unpublishes every live page it is about to delete (its own pre_delete
    receiver), which sends page_unpublished to ours: one event per live article, with no
    receiver of our own on deletion (a second one would send it twice).
    """

    def test_deleting_a_live_article_in_the_admin_sends_one_article_unpublished(
        self, publication, receiver, admin_client, django_capture_on_commit_callbacks
    ):
        endpoint = endpoint_for(receiver)
        with django_capture_on_commit_callbacks(execute=True):
            article = publish(publication, title="Harbour <news> & more")
        with django_capture_on_commit_callbacks(execute=True):
            delete_in_admin(admin_client, article)
        published, unpublished = (verified(endpoint, call) for call in receiver.calls)
        assert published["type"] == "article.published"
        assert unpublished["type"] == "article.unpublished"
        assert unpublished["data"]["id"] == article.pk
        assert unpublished["data"]["title"] == "Harbour <news> & more"
        assert unpublished["data"]["url"] == article.get_full_url()
        # The log keeps the message once the article is gone (its link is emptied).
        row = WebhookDelivery.objects.get(event="article.unpublished")
        assert (row.article_id, row.state, row.attempts) == (None, "delivered", 1)
        assert receiver.calls[1].headers["webhook-id"] == row.message_id

    def test_deleting_a_section_sends_one_event_per_live_article_under_it(
        self, publication, receiver, admin_client, django_capture_on_commit_callbacks
    ):
        section = newsroom_services.create_section(
            home=publication.home, title="Harbour", slug="harbour"
        )
        with django_capture_on_commit_callbacks(execute=True):
            live = [publish(publication, f"live-{n}", section=section) for n in range(3)]
            pulled = publish(publication, "pulled", section=section)
            draft = publish(publication, "draft", section=section, live=False)
        with django_capture_on_commit_callbacks(execute=True):
            pulled.unpublish()
        endpoint = endpoint_for(receiver, name="Told of deletions", events=["article.unpublished"])
        with django_capture_on_commit_callbacks(execute=True):
            delete_in_admin(admin_client, section)
        assert sorted(unpublished_ids(endpoint, receiver)) == sorted(a.pk for a in live)
        assert draft.pk not in unpublished_ids(endpoint, receiver)
        assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 3
        # The other section's articles are untouched and were not announced.
        assert publication.flagship.pk not in unpublished_ids(endpoint, receiver)

    def test_an_unpublished_then_deleted_article_is_announced_once(
        self, publication, receiver, django_capture_on_commit_callbacks
    ):
        endpoint = endpoint_for(receiver)
        with django_capture_on_commit_callbacks(execute=True):
            article = publish(publication)
        with django_capture_on_commit_callbacks(execute=True):
            article.unpublish()
        with django_capture_on_commit_callbacks(execute=True):
            Page.objects.get(pk=article.pk).delete()
        assert unpublished_ids(endpoint, receiver) == [article.pk]

    def test_a_delete_inside_a_quiet_bulk_job_sends_nothing(
        self, publication, receiver, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            article = publish(publication)
        endpoint_for(receiver)
        with django_capture_on_commit_callbacks(execute=True), fanout.quiet():
            article.delete()
        assert receiver.calls == []
        assert not WebhookDelivery.objects.exists()


class TestRetries:
    def test_failures_are_retried_with_backoff_under_the_same_id(
        self, publication, receiver, django_capture_on_commit_callbacks
    ):
        endpoint = endpoint_for(receiver)
        receiver.script = [500, 503]
        with django_capture_on_commit_callbacks(execute=True):
            publish(publication)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.state, delivery.attempts, delivery.status_code) == ("pending", 1, 500)
        wait = delivery.next_attempt_at - timezone.now()
        assert dt.timedelta(seconds=3) < wait <= dt.timedelta(seconds=5)
        # Not due yet: the sweep leaves it alone.
        services.sweep()
        assert len(receiver.calls) == 1
        make_due(delivery)
        services.sweep()
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts, delivery.status_code) == ("pending", 2, 503)
        assert delivery.next_attempt_at - timezone.now() > dt.timedelta(minutes=4)
        make_due(delivery)
        services.sweep()
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("delivered", 3)
        assert {call.headers["webhook-id"] for call in receiver.calls} == {delivery.message_id}
        for call in receiver.calls:
            verified(endpoint, call)  # every attempt signed afresh, and valid
        assert WebhookEndpoint.objects.get().failures_in_a_row == 0

    def test_a_timeout_is_retried(self, publication, receiver, django_capture_on_commit_callbacks):
        endpoint_for(receiver)
        receiver.script = ["slow"]
        with django_capture_on_commit_callbacks(execute=True):
            publish(publication)
        delivery = WebhookDelivery.objects.get()
        assert delivery.state == "pending"
        assert "Timeout" in delivery.last_error
        make_due(delivery)
        services.sweep()
        delivery.refresh_from_db()
        assert delivery.state == "delivered"

    def test_a_message_is_failed_after_the_last_retry(
        self, publication, receiver, settings, django_capture_on_commit_callbacks
    ):
        settings.WEBHOOK_DISABLE_AFTER_FAILURES = 100
        endpoint_for(receiver)
        receiver.script = [500] * services.MAX_ATTEMPTS
        with django_capture_on_commit_callbacks(execute=True):
            publish(publication)
        delivery = WebhookDelivery.objects.get()
        for _ in range(services.MAX_ATTEMPTS - 1):
            make_due(delivery)
            services.sweep()
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("failed", services.MAX_ATTEMPTS)
        assert len(receiver.calls) == services.MAX_ATTEMPTS
        services.sweep()
        assert len(receiver.calls) == services.MAX_ATTEMPTS

    def test_an_attempt_a_dead_worker_left_is_sent_again_with_its_id(
        self, publication, receiver, django_capture_on_commit_callbacks
    ):
        endpoint_for(receiver)
        with django_capture_on_commit_callbacks(execute=False):
            publish(publication)
        delivery = WebhookDelivery.objects.get()
        # The worker claimed it, maybe sent it, and was killed before recording anything.
        long_ago = timezone.now() - dt.timedelta(minutes=10)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state="sending", attempts=1, claimed_at=long_ago
        )
        assert services.sweep() == {"resumed": 1, "due": 1}
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("delivered", 2)
        assert [c.headers["webhook-id"] for c in receiver.calls] == [delivery.message_id]

    def test_a_fresh_attempt_in_progress_is_left_alone(self, publication, receiver):
        endpoint_for(receiver)
        publish(publication)
        WebhookDelivery.objects.update(state="sending", attempts=1, claimed_at=timezone.now())
        assert services.sweep() == {"resumed": 0, "due": 0}
        assert receiver.calls == []


class TestDisabling:
    def test_410_disables_the_endpoint_and_cancels_what_it_had_left(
        self, publication, receiver, django_capture_on_commit_callbacks, admin_client
    ):
        endpoint = endpoint_for(receiver, name="Old partner")
        receiver.script = [500, 410]
        with django_capture_on_commit_callbacks(execute=True):
            first = publish(publication)
        with django_capture_on_commit_callbacks(execute=True):
            publish(publication, slug="second")
        endpoint.refresh_from_db()
        assert endpoint.enabled is False
        assert "410" in endpoint.disabled_reason
        states = dict(WebhookDelivery.objects.values_list("article_id", "state"))
        assert states[first.pk] == "cancelled"  # was waiting for its retry
        assert list(
            WebhookDelivery.objects.filter(state="failed").values_list("status_code", flat=True)
        ) == [410]
        with django_capture_on_commit_callbacks(execute=True):
            publish(publication, slug="third")
        assert len(receiver.calls) == 2
        dashboard = admin_client.get("/admin/").content.decode()
        assert "Webhook endpoints disabled" in dashboard
        assert "Old partner" in dashboard

    def test_an_endpoint_that_keeps_failing_is_disabled_with_a_notice(
        self, publication, receiver, settings, django_capture_on_commit_callbacks, admin_client
    ):
        settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
        endpoint = endpoint_for(receiver, name="Flaky partner")
        receiver.script = [500, 200, 500, 502, 500]
        for n in range(5):
            with django_capture_on_commit_callbacks(execute=True):
                publish(publication, slug=f"piece-{n}")
            endpoint.refresh_from_db()
            if n < 4:
                assert endpoint.enabled, n  # the success reset the count
        assert endpoint.enabled is False
        assert "3 failed attempts in a row" in endpoint.disabled_reason
        assert "Flaky partner" in admin_client.get("/admin/").content.decode()

    def test_turning_it_on_again_clears_the_notice(self, publication, receiver, admin_client):
        endpoint = endpoint_for(receiver, name="Back again")
        services.disable_endpoint(endpoint=endpoint, reason="HTTP 500")
        response = admin_client.post(
            f"/admin/webhook_endpoint/edit/{endpoint.pk}/",
            {
                "name": "Back again",
                "url": receiver.url,
                "events": ALL_EVENTS,
                "enabled": "on",
                "secret": endpoint.secret,
            },
        )
        assert response.status_code == 302
        endpoint.refresh_from_db()
        assert (endpoint.enabled, endpoint.disabled_reason, endpoint.disabled_at) == (
            True,
            "",
            None,
        )
        assert "Webhook endpoints disabled" not in admin_client.get("/admin/").content.decode()


class TestEndpointValidation:
    @pytest.mark.parametrize(
        "url",
        ["ftp://example.org/hook", "file:///etc/passwd", "gopher://example.org/", "example.org"],
    )
    def test_only_http_and_https_urls(self, url):
        endpoint = WebhookEndpoint(name="x", url=url, events=ALL_EVENTS)
        with pytest.raises(ValidationError) as error:
            endpoint.full_clean()
        assert "url" in error.value.message_dict

    def test_the_admin_form_refuses_a_bad_url_and_no_events(self, db, admin_client):
        response = admin_client.post(
            "/admin/webhook_endpoint/new/",
            {"name": "x", "url": "ftp://example.org/", "enabled": "on", "secret": "whsec_AA=="},
        )
        assert response.status_code == 200
        assert not WebhookEndpoint.objects.exists()
        form = response.context["form"]
        assert set(form.errors) == {"url", "events", "secret"}

    @pytest.mark.parametrize(
        "secret", ["", "whsec_", "whsec_not base64!", "whsec_AAAA", "sk_" + "A" * 44]
    )
    def test_a_malformed_secret_is_refused(self, db, secret):
        endpoint = WebhookEndpoint(
            name="x", url="https://example.org/", events=ALL_EVENTS, secret=secret
        )
        with pytest.raises(ValidationError) as error:
            endpoint.full_clean()
        assert "secret" in error.value.message_dict

    @pytest.mark.parametrize(
        "url", ["http://10.0.0.1/hook", "http://localhost:8000/hook", "http://[::1]/"]
    )
    def test_in_production_the_form_refuses_an_inside_address(
        self, db, admin_client, settings, url
    ):
        settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
        response = admin_client.post(
            "/admin/webhook_endpoint/new/",
            {"name": "x", "url": url, "events": ALL_EVENTS, "enabled": "on", "secret": VALID},
        )
        assert response.status_code == 200
        assert "not a public address" in str(response.context["form"].errors["url"])
        assert not WebhookEndpoint.objects.exists()

    def test_a_new_endpoint_gets_a_secret_the_receiver_library_accepts(self, db):
        endpoint = WebhookEndpoint.objects.create(name="x", url="https://example.org/", events=[])
        assert endpoint.secret.startswith("whsec_")
        standardwebhooks.Webhook(endpoint.secret)  # raises on a malformed secret

    def test_the_delivery_log_is_listed_in_the_admin(
        self, publication, receiver, admin_client, django_capture_on_commit_callbacks
    ):
        endpoint_for(receiver)
        with django_capture_on_commit_callbacks(execute=True):
            publish(publication)
        delivery = WebhookDelivery.objects.get()
        assert admin_client.get("/admin/webhook_delivery/").status_code == 200
        page = admin_client.get(f"/admin/webhook_delivery/inspect/{delivery.pk}/")
        assert delivery.message_id in page.content.decode()


class TestProductionAddresses:
    """In production no webhook reaches loopback, private or link-local addresses."""

    @pytest.fixture(autouse=True)
    def _production(self, settings):
        settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:{port}/hooks",
            "http://10.0.0.1:{port}/hooks",
            "http://localhost:{port}/hooks",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]:{port}/hooks",
        ],
    )
    def test_an_inside_endpoint_is_refused_and_never_contacted(
        self, publication, receiver, url, django_capture_on_commit_callbacks
    ):
        port = receiver.url.split(":")[2].split("/")[0]
        endpoint_for(receiver, url=url.format(port=port))
        with django_capture_on_commit_callbacks(execute=True):
            publish(publication)
        delivery = WebhookDelivery.objects.get()
        assert delivery.state == "failed"  # refused: no retry would help
        assert delivery.attempts == 1
        assert "not a public address" in delivery.last_error
        assert receiver.calls == []

    def test_a_redirect_inside_is_refused(
        self, publication, settings, django_capture_on_commit_callbacks
    ):
        settings.WEBHOOK_ALLOWED_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
        with running("127.0.0.2") as canary, running(script=[("redirect", canary.url)]) as first:
            endpoint = endpoint_for(first)
            with django_capture_on_commit_callbacks(execute=True):
                publish(publication)
            assert len(first.calls) == 1
            verified(endpoint, first.calls[0])
            assert canary.calls == []
        assert WebhookDelivery.objects.get().state == "failed"

    def test_a_307_to_an_allowed_address_is_followed_with_the_same_message(
        self, publication, settings, django_capture_on_commit_callbacks
    ):
        settings.WEBHOOK_ALLOWED_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
        with running() as second, running(script=[("redirect", second.url)]) as first:
            endpoint = endpoint_for(first)
            with django_capture_on_commit_callbacks(execute=True):
                publish(publication)
            [call] = second.calls
            assert verified(endpoint, call)["type"] == "article.published"
            assert call.headers["webhook-id"] == first.calls[0].headers["webhook-id"]
        assert WebhookDelivery.objects.get().state == "delivered"


def test_production_settings_refuse_private_addresses(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_ENV": "production",
        "MASTHEAD_SECRET_KEY": "a" * 20 + "-not-a-real-key-" + "b" * 30,
        "MASTHEAD_ALLOWED_HOSTS": "magazine.example.org",
        "MASTHEAD_BASE_URL": "https://magazine.example.org",
        "MASTHEAD_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "masthead.settings",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES, settings.WEBHOOK_ALLOWED_NETWORKS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.stdout.strip() == "False []", result.stderr
    env["MASTHEAD_WEBHOOKS_ALLOWED_NETWORKS"] = "10.0.0.0/8,not-a-network"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode != 0
    assert "MASTHEAD_WEBHOOKS_ALLOWED_NETWORKS" in result.stderr
