from __future__ import annotations

import pytest

from masthead.channels.models import TelegramChannel
from tests.channels.fake_telegram import TOKEN, FakeTelegram


@pytest.fixture
def bot(settings):
    """The fake Bot API, with Masthead's adapter pointed at it and a pace fast enough for
    tests (the pace itself is tested on the slots reserved, not on a clock)."""
    with FakeTelegram() as fake:
        settings.TELEGRAM_API_BASE = fake.base
        settings.TELEGRAM_BOT_TOKEN = TOKEN
        settings.TELEGRAM_POSTS_PER_MINUTE = 600_000
        settings.TELEGRAM_TIMEOUT_SECONDS = 0.5
        yield fake


@pytest.fixture
def channels(publication):
    """An English channel for every section and a Spanish one for interviews only."""
    en = TelegramChannel.objects.create(name="Gazette", chat_id="@gazette", language="en")
    es = TelegramChannel.objects.create(name="Gaceta", chat_id="@gaceta", language="es")
    es.sections.add(publication.interviews)  # the English section: its translation matches
    return en, es


@pytest.fixture
def graph(settings):
    """The fake Graph API, with WhatsApp configured against it, a pace fast enough for
    tests and a short timeout (the "slow" answer comes after it)."""
    from tests.channels import fake_graph

    with fake_graph.FakeGraph() as fake:
        settings.WHATSAPP_API_BASE = fake.base
        settings.WHATSAPP_TOKEN = fake_graph.TOKEN
        settings.WHATSAPP_PHONE_NUMBER_ID = fake_graph.PHONE_NUMBER_ID
        settings.WHATSAPP_APP_SECRET = fake_graph.APP_SECRET
        settings.WHATSAPP_VERIFY_TOKEN = fake_graph.VERIFY_TOKEN
        settings.WHATSAPP_PER_SECOND = 1_000_000
        settings.WHATSAPP_TIMEOUT_SECONDS = 0.5
        settings.WHATSAPP_MONTHLY_BUDGET = 1000
        yield fake
