"""Deploy checks (checks.py) for what a public server must not keep from the demo: mail
that is never sent, web workers without a shared cache, and Masthead serving media itself."""

from __future__ import annotations

import pytest

from masthead.checks import check_email_is_sent, check_media_served_elsewhere, check_shared_cache

LOCAL = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
FILES = {"BACKEND": "masthead.lib.filecache.SampledCullFileBasedCache", "LOCATION": "var/pages"}
REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://r:6379"}


def ids(problems: list) -> list[str]:
    return [problem.id for problem in problems]


class TestEmailIsSent:
    @pytest.mark.parametrize("backend", ["console", "filebased", "locmem", "dummy"])
    def test_a_backend_that_sends_nothing_is_reported(self, settings, backend):
        settings.EMAIL_BACKEND = f"django.core.mail.backends.{backend}.EmailBackend"
        assert ids(check_email_is_sent()) == ["masthead.W004"]

    @pytest.mark.parametrize(
        "backend",
        [
            "django.core.mail.backends.smtp.EmailBackend",
            "masthead.lib.dkim_backend.DKIMEmailBackend",
            "anymail.backends.postmark.EmailBackend",
        ],
    )
    def test_smtp_and_esp_backends_pass(self, settings, backend):
        settings.EMAIL_BACKEND = backend
        assert check_email_is_sent() == []


class TestSharedCache:
    def test_several_workers_with_a_local_memory_cache_are_reported(self, settings):
        settings.WEB_WORKERS = 2
        settings.CACHES = {"default": LOCAL, "pages": FILES}
        problems = check_shared_cache()
        assert ids(problems) == ["masthead.W005"]
        assert "remembered listings" in problems[0].msg
        assert "cached pages" not in problems[0].msg

    def test_a_local_memory_page_cache_is_named_too(self, settings):
        settings.WEB_WORKERS = 4
        settings.CACHES = {"default": LOCAL, "pages": {**LOCAL, "LOCATION": "pages"}}
        message = check_shared_cache()[0].msg
        assert "4 web workers" in message
        assert "remembered listings" in message and "cached pages" in message

    def test_one_worker_needs_no_shared_cache(self, settings):
        settings.WEB_WORKERS = 1
        settings.CACHES = {"default": LOCAL, "pages": FILES}
        assert check_shared_cache() == []

    def test_several_workers_sharing_redis_pass(self, settings):
        settings.WEB_WORKERS = 8
        settings.CACHES = {"default": REDIS, "pages": {**REDIS, "KEY_PREFIX": "pages"}}
        assert check_shared_cache() == []


class TestMediaServedElsewhere:
    def test_masthead_serving_media_is_reported(self, settings):
        settings.SERVE_MEDIA = True
        assert ids(check_media_served_elsewhere()) == ["masthead.W006"]

    def test_media_from_nginx_or_s3_passes(self, settings):
        settings.SERVE_MEDIA = False
        assert check_media_served_elsewhere() == []
