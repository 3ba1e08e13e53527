from __future__ import annotations

import pytest

from tests.conftest import use_smtp_server
from tests.smtp_sink import Sink


@pytest.fixture
def sink(settings):
    """A loopback SMTP server, with Django's SMTP backend pointed at it."""
    with Sink() as running:
        use_smtp_server(settings, running.port)
        settings.NEWSLETTER_RETRY_SECONDS = 0
        settings.NEWSLETTER_BATCH_SIZE = 3
        yield running.handler
