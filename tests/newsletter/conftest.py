from __future__ import annotations

import pytest

from tests.newsletter.sink import Sink


@pytest.fixture
def sink(settings):
    """A loopback SMTP server, with Django's SMTP backend pointed at it."""
    with Sink() as running:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = running.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        settings.NEWSLETTER_RETRY_SECONDS = 0
        settings.NEWSLETTER_BATCH_SIZE = 3
        yield running.handler
