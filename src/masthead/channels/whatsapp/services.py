"""Writes for WhatsApp updates' consent: a reader's opt-in, change and opt-out (each a row in
the consent log), and what Meta's webhooks say (delivery statuses, STOP, a person who
stopped marketing messages). Sending lives in sending.py.

An opt-out takes effect at once: the follower's queued messages are skipped in the same
transaction, and sending.claim takes only active followers' rows.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead.audience.models import Reader
from masthead.channels.whatsapp import queries
from masthead.channels.whatsapp.models import WhatsAppConsent, WhatsAppFollower, WhatsAppMessage

State = WhatsAppMessage.State
# "STOP" and its usual words in the languages Masthead ships, compared case-insensitively.
STOP_WORDS = frozenset({"STOP", "BAJA", "PARAR", "UNSUBSCRIBE"})
# Meta's "this user stopped marketing messages from you" (a failed status).
STOPPED_MARKETING = 131050


def _tail(phone: str) -> str:
    return phone[-2:]


def _log(
    *,
    reader_id: int | None,
    kind: str,
    source: str,
    frequency: str = "",
    wording: str = "",
    phone: str = "",
    client: str = "",
) -> WhatsAppConsent:
    """Append one row to the WhatsApp consent log (never updated afterwards)."""
    return WhatsAppConsent.objects.create(
        reader_id=reader_id,
        kind=kind,
        frequency=frequency,
        at=timezone.now(),
        source=source,
        wording=wording[: WhatsAppConsent._meta.get_field("wording").max_length],
        phone_tail=_tail(phone),
        client=client[: WhatsAppConsent._meta.get_field("client").max_length],
    )


@transaction.atomic(durable=True)
def opt_in(
    *, reader: Reader, phone: str, frequency: str, wording: str, ip: str = ""
) -> WhatsAppFollower:
    """The reader's explicit consent to WhatsApp updates at ``phone`` (E.164): a consent row
    each time, whether it is their first opt-in, a new number or a return after STOP."""
    now = timezone.now()
    follower, _created = WhatsAppFollower.objects.update_or_create(
        reader=reader,
        defaults={
            "phone": phone,
            "wa_id": phone.lstrip("+"),
            "frequency": frequency,
            "active": True,
            "opted_in_at": now,
            "opted_out_at": None,
        },
    )
    _log(
        reader_id=reader.pk,
        kind=WhatsAppConsent.Kind.OPT_IN,
        source=WhatsAppConsent.Source.ACCOUNT,
        frequency=frequency,
        wording=wording,
        phone=phone,
        client=ip,
    )
    return follower


@transaction.atomic(durable=True)
def change_frequency(*, reader: Reader, frequency: str, ip: str = "") -> bool:
    """Every article or a daily digest, for a reader who is opted in; False otherwise."""
    changed = WhatsAppFollower.objects.filter(reader=reader, active=True).exclude(
        frequency=frequency
    )
    follower = changed.select_for_update().first()
    if follower is None:
        return False
    follower.frequency = frequency
    follower.save(update_fields=["frequency"])
    _log(
        reader_id=reader.pk,
        kind=WhatsAppConsent.Kind.CHANGE,
        source=WhatsAppConsent.Source.ACCOUNT,
        frequency=frequency,
        phone=follower.phone,
        client=ip,
    )
    return True


@transaction.atomic
def opt_out(*, follower: WhatsAppFollower, source: str, wording: str = "", ip: str = "") -> bool:
    """Stop at once: no message is sent to the follower after this commits (their queued
    ones are skipped, and ``claim`` takes only active followers' rows). Idempotent: False
    when they had already stopped."""
    now = timezone.now()
    stopped = WhatsAppFollower.objects.filter(pk=follower.pk, active=True).update(
        active=False, opted_out_at=now
    )
    if not stopped:
        return False
    WhatsAppMessage.objects.filter(follower=follower, state=State.QUEUED).update(
        state=State.SKIPPED, api_message=_("The reader opted out."), updated_at=now
    )
    _log(
        reader_id=follower.reader_id,
        kind=WhatsAppConsent.Kind.OPT_OUT,
        source=source,
        wording=wording,
        phone=follower.phone,
        client=ip,
    )
    return True


# What Meta's webhooks tell us (through the inbox: webhook.py stores, the worker calls these).

# A status only moves a row forward: Meta does not promise the order of its webhooks, and
# "delivered" arriving after "read" must not undo it.
_RANK = {State.SENT: 1, State.DELIVERED: 2, State.READ: 3, State.FAILED: 4}
_STATUSES = {
    "sent": State.SENT,
    "delivered": State.DELIVERED,
    "read": State.READ,
    "failed": State.FAILED,
}


class NotYetKnown(Exception):  # noqa: N818 (a wait: the row's wamid is not written yet)
    """A status for a message id no row has yet (the answer is still being recorded)."""


@transaction.atomic
def apply_status(*, status: dict) -> str:
    """Move the message's row to what Meta says (sent, delivered, read, failed); what was
    done. A failure that means the person stopped marketing messages opts them out."""
    state = _STATUSES.get(str(status.get("status") or ""))
    wamid = str(status.get("id") or "")
    if state is None or not wamid:
        return "ignored"
    message = WhatsAppMessage.objects.select_for_update().filter(wamid=wamid).first()
    if message is None:
        raise NotYetKnown(wamid)
    errors = status.get("errors") if isinstance(status.get("errors"), list) else []
    error = errors[0] if errors and isinstance(errors[0], dict) else {}
    if state == State.FAILED and message.follower_id and error.get("code") == STOPPED_MARKETING:
        opt_out(follower=message.follower, source=WhatsAppConsent.Source.META)
    current = _RANK.get(message.state, 0)
    # A failure after delivery or a read does not unsay them; anything else moves forward.
    if _RANK[state] <= current or (state == State.FAILED and current >= _RANK[State.DELIVERED]):
        return "unchanged"
    message.state = state
    message.status_at = timezone.now()
    fields = ["state", "status_at", "updated_at"]
    if state == State.FAILED:
        details = (
            (error.get("error_data") or {}).get("details")
            if isinstance(error.get("error_data"), dict)
            else ""
        )
        message.error_code = error.get("code") if isinstance(error.get("code"), int) else None
        text = str(error.get("message") or error.get("title") or "")
        message.api_message = (f"{text}: {details}" if details else text)[:1000]
        fields += ["error_code", "api_message"]
    message.save(update_fields=fields)
    return state


def stop_word(text: str) -> bool:
    return " ".join(str(text or "").split()).upper().strip(".!¡") in STOP_WORDS


@transaction.atomic
def apply_inbound(*, wa_id: str, text: str) -> int:
    """A message a person sent us: STOP (BAJA, PARAR, UNSUBSCRIBE, any case) opts every
    follower at that number out at once; how many were. Anything else changes nothing."""
    if not wa_id or not stop_word(text):
        return 0
    return sum(
        opt_out(follower=follower, source=WhatsAppConsent.Source.REPLY, wording=text[:200])
        for follower in queries.followers_by_number(wa_id).select_for_update()
    )


@transaction.atomic
def apply_preference(*, wa_id: str, value: str, category: str) -> int:
    """The person stopped marketing messages in WhatsApp itself: opt them out. A "resume"
    changes nothing: consent is given again on the account page, where it is logged."""
    if not wa_id or value != "stop" or category not in ("", "marketing_messages"):
        return 0
    return sum(
        opt_out(follower=follower, source=WhatsAppConsent.Source.WHATSAPP)
        for follower in queries.followers_by_number(wa_id).select_for_update()
    )
