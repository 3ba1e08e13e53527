"""Rate limits on sign-up: per address and per trusted client IP, with the same answer for all."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from masthead.audience.models import Reader
from masthead.lib import ratelimit

pytestmark = pytest.mark.django_db


class TestPerAddress:
    def test_fifty_sign_ups_for_one_address_send_at_most_the_limit(
        self, settings, post_signup, newsletters, smtp_sink
    ):
        settings.SIGNUP_LIMIT_PER_IP = 1000  # isolate the per-address limit
        statuses = [
            post_signup(
                "target@example.org" if i % 2 else "TARGET@Example.org",
                [newsletters["daily"]],
                REMOTE_ADDR=f"10.0.{i}.1",
            ).status_code
            for i in range(50)
        ]
        assert len(smtp_sink.to("target@example.org")) + len(
            smtp_sink.to("TARGET@example.org")
        ) == len(smtp_sink.messages)
        assert len(smtp_sink.messages) == settings.SIGNUP_LIMIT_PER_ADDRESS == 3
        assert statuses[:3] == [302] * 3
        assert set(statuses[3:]) == {429}

    def test_the_limited_answer_is_clear_and_the_same_for_known_and_unknown(
        self, settings, client, post_signup, newsletters, smtp_sink
    ):
        settings.SIGNUP_LIMIT_PER_ADDRESS = 1
        post_signup("known@example.org", [newsletters["daily"]])
        post_signup("unknown@example.org", [newsletters["daily"]])
        known = post_signup("known@example.org", [newsletters["daily"]])
        unknown = post_signup("unknown@example.org", [newsletters["daily"]])
        assert known.status_code == unknown.status_code == 429
        assert known.content == unknown.content
        assert b"too many sign-ups" in known.content
        assert len(smtp_sink.messages) == 2


class TestPerClient:
    def test_rotating_x_forwarded_for_does_not_bypass_the_ip_limit(
        self, settings, post_signup, newsletters, smtp_sink
    ):
        settings.TRUSTED_PROXY_COUNT = 0
        statuses = [
            post_signup(
                f"person{i}@example.org",
                [newsletters["daily"]],
                HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
            ).status_code
            for i in range(15)
        ]
        assert statuses[:10] == [302] * 10
        assert set(statuses[10:]) == {429}
        assert len(smtp_sink.messages) == 10
        assert Reader.objects.count() == 10

    def test_behind_a_trusted_proxy_the_client_is_keyed_not_the_spoofed_entry(
        self, settings, post_signup, newsletters, smtp_sink
    ):
        settings.TRUSTED_PROXY_COUNT = 1
        statuses = [
            post_signup(
                f"person{i}@example.org",
                [newsletters["daily"]],
                REMOTE_ADDR="10.0.0.1",  # the proxy
                HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7",  # spoofed, real
            ).status_code
            for i in range(12)
        ]
        assert statuses.count(302) == 10
        # A different real client behind the same proxy is not blocked by the first.
        other = post_signup(
            "other@example.org",
            [newsletters["daily"]],
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.8",
        )
        assert other.status_code == 302

    def test_bad_posts_count_against_the_ip_limit(self, settings, client, newsletters):
        settings.SIGNUP_LIMIT_PER_IP = 2
        codes = [client.post("/en/newsletter/", {"email": "x"}).status_code for _ in range(3)]
        assert codes == [400, 400, 429]


class TestClientIp:
    @pytest.mark.parametrize(
        ("count", "remote", "forwarded", "expected"),
        [
            (0, "192.0.2.1", "203.0.113.9", "192.0.2.1"),
            (1, "10.0.0.1", "evil, 203.0.113.9", "203.0.113.9"),
            (2, "10.0.0.2", "evil, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
            (2, "10.0.0.2", "203.0.113.9", "10.0.0.2"),  # fewer hops than proxies
            (1, "10.0.0.1", "", "10.0.0.1"),
            (0, "2001:db8:1:2:3:4:5:6", "", "2001:db8:1:2::/64"),
        ],
    )
    def test_client_ip(self, settings, count, remote, forwarded, expected):
        settings.TRUSTED_PROXY_COUNT = count
        request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
        assert ratelimit.client_ip(request) == expected

    def test_the_window_counts_and_is_per_key(self):
        assert [ratelimit.hit("t", "a", limit=2, window_seconds=60) for _ in range(3)] == [
            True,
            True,
            False,
        ]
        assert ratelimit.hit("t", "b", limit=2, window_seconds=60)
        assert ratelimit.hit("other", "a", limit=2, window_seconds=60)
