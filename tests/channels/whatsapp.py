"""Helpers for the WhatsApp tests: followers made through the consent service, publishing
with the on-commit work run, and Meta's webhook bodies."""

from __future__ import annotations

import itertools
import json

from masthead.audience.models import Reader
from masthead.channels.whatsapp import services
from masthead.channels.whatsapp.forms import CONSENT_WORDING
from masthead.channels.whatsapp.models import WhatsAppFollower
from tests.channels.publishing import publish

_numbers = itertools.count(1)


def follower(
    *, language: str = "en", frequency: str = "article", phone: str | None = None
) -> WhatsAppFollower:
    n = next(_numbers)
    reader = Reader.objects.create(email=f"wa{n}@example.org", language=language)
    return services.opt_in(
        reader=reader,
        phone=phone or f"+54911{n:08d}",
        frequency=frequency,
        wording=CONSENT_WORDING,
    )


def publish_now(callbacks, section, **fields):
    """Publish, and run what the commit starts (the fan-out's drain task)."""
    with callbacks(execute=True):
        return publish(section, **fields)


def notification(value: dict) -> bytes:
    """A Cloud API webhook body carrying ``value`` (statuses, messages, user_preferences)."""
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": "106540352242922",
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(body).encode()


def status(wamid: str, state: str, wa_id: str, **extra: object) -> dict:
    return {
        "statuses": [
            {
                "id": wamid,
                "status": state,
                "timestamp": "1750263773",
                "recipient_id": wa_id,
                **extra,
            }
        ]
    }


def text_message(wa_id: str, text: str, message_id: str = "wamid.IN1") -> dict:
    return {
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": wa_id}],
        "messages": [
            {
                "from": wa_id,
                "id": message_id,
                "timestamp": "1750263773",
                "type": "text",
                "text": {"body": text},
            }
        ],
    }
