"""MASTHEAD_TELEGRAM_CHANNELS creates channels, idempotently; a bad value stops start-up."""

from __future__ import annotations

import os
import subprocess

import pytest

from masthead.channels import services
from masthead.channels.models import TelegramChannel
from tests.newsletter.workers import MASTHEAD


@pytest.mark.django_db
def test_configured_channels_are_created_once_and_keep_editors_changes(settings):
    settings.TELEGRAM_CHANNELS = [("en", "@thelongtable"), ("es", "@thelongtable_es")]
    assert len(services.ensure_configured_channels()) == 2
    TelegramChannel.objects.filter(chat_id="@thelongtable").update(name="Renamed", enabled=False)
    assert services.ensure_configured_channels() == []  # the sweep runs it every pass
    channel = TelegramChannel.objects.get(chat_id="@thelongtable")
    assert (channel.name, channel.language, channel.enabled) == ("Renamed", "en", False)
    assert TelegramChannel.objects.get(chat_id="@thelongtable_es").language == "es"


def _settings(tmp_path, value: str) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_DATA_DIR": str(tmp_path),
        "MASTHEAD_TELEGRAM_CHANNELS": value,
    }
    code = "from django.conf import settings; print(settings.TELEGRAM_CHANNELS)"
    return subprocess.run(
        [MASTHEAD, "manage", "shell", "--no-imports", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_channels_variable_is_read_and_a_bad_item_named(tmp_path):
    good = _settings(tmp_path, "en:@thelongtable, es:-1001234567890")
    assert good.returncode == 0, good.stderr
    assert "[('en', '@thelongtable'), ('es', '-1001234567890')]" in good.stdout
    for bad in ("fr:@chaine", "en:thelongtable", "@thelongtable", "en:@"):
        result = _settings(tmp_path, bad)
        assert result.returncode != 0
        assert "MASTHEAD_TELEGRAM_CHANNELS" in result.stderr and repr(bad) in result.stderr
        assert "Traceback" not in result.stderr
