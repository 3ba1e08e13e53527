"""What WhatsApp updates hold about a reader, for audience's hooks: the account page's
section, the data download, and erasure."""

from __future__ import annotations

from django.http import HttpRequest

from masthead.audience.models import Reader
from masthead.channels.whatsapp import graph, queries
from masthead.channels.whatsapp.forms import FrequencyForm
from masthead.channels.whatsapp.models import WhatsAppConsent, WhatsAppFollower, WhatsAppMessage
from masthead.inbox import services as inbox

TEMPLATE = "channels/whatsapp/account_section.html"


def on_account_sections(
    sender: object, request: HttpRequest, reader: Reader, **kwargs: object
) -> tuple[str, dict] | None:
    if not graph.is_configured():
        return None  # off: the account page offers nothing that cannot be sent
    follower = queries.follower_for(reader.pk)
    form = FrequencyForm(initial={"frequency": follower.frequency}) if follower else None
    return TEMPLATE, {"follower": follower, "frequency_form": form}


def _iso(value: object) -> str | None:
    return value.isoformat() if value else None


def on_exporting(sender: object, reader: Reader, **kwargs: object) -> dict:
    follower = WhatsAppFollower.objects.filter(reader=reader).first()
    consents = WhatsAppConsent.objects.filter(reader=reader).order_by("at", "id")
    data: dict = {
        "whatsapp": None,
        "whatsapp_consent": [
            {
                "event": c.kind,
                "frequency": c.frequency,
                "at": _iso(c.at),
                "source": c.source,
                "wording": c.wording,
                "client": c.client,
            }
            for c in consents
        ],
        "whatsapp_messages": [],
    }
    if follower is None:
        return data
    data["whatsapp"] = {
        "phone": follower.phone,
        "frequency": follower.frequency,
        "receives_updates": follower.active,
        "opted_in_at": _iso(follower.opted_in_at),
        "opted_out_at": _iso(follower.opted_out_at),
    }
    messages = WhatsAppMessage.objects.filter(follower=follower).select_related("article")
    data["whatsapp_messages"] = [
        {
            "kind": m.kind,
            "article": m.article.title if m.article else None,
            "digest_of": _iso(m.digest_date),
            "state": m.state,
            "sent_at": _iso(m.sent_at),
        }
        for m in messages.order_by("created_at", "id")
    ]
    return data


def on_erasing(sender: object, reader: Reader, **kwargs: object) -> None:
    """Inside the erasure's transaction: the number goes from every row and stored webhook;
    the messages and consent rows stay, anonymous, for the counts and the budget."""
    for follower in WhatsAppFollower.objects.filter(reader=reader):
        # Meta names a person by these digits in every status and message it sends.
        inbox.scrub_address(email=follower.wa_id)
        WhatsAppMessage.objects.filter(follower=follower).update(follower=None)
        follower.delete()
    WhatsAppConsent.objects.filter(reader=reader).update(reader=None, phone_tail="", client="")
