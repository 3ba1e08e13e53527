"""Building one edition's message for one recipient: both MIME parts and the list headers.

Nothing here touches the database beyond what it is given, so the sending loop can build
thousands of messages from rows it already holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from masthead.lib.tokens import make_token
from masthead.newsletter.models import Delivery, Edition, Newsletter

UNSUBSCRIBE_PURPOSE = "unsubscribe"


def unsubscribe_token(*, reader_id: int, newsletter_id: int) -> str:
    """A signed, non-expiring token for one reader and one newsletter (RFC 8058 link)."""
    return make_token(UNSUBSCRIBE_PURPOSE, {"r": reader_id, "n": newsletter_id})


def unsubscribe_url(token: str) -> str:
    return settings.BASE_URL + reverse("newsletter:unsubscribe", args=[token])


def sender_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def mail_domain() -> str:
    return sender_address().rpartition("@")[2] or "localhost"


def message_id(*, edition: Edition, delivery_id: int) -> str:
    # The same on every retry of one row (RELIABILITY.md I4): duplicates are identifiable.
    return f"<{edition.public_id.hex}.{delivery_id}@{mail_domain()}>"


# Stands for the recipient's own unsubscribe link in the parts rendered once per edition.
_UNSUBSCRIBE_SLOT = "MASTHEAD-UNSUBSCRIBE-URL"


@dataclass(frozen=True)
class EditionContent:
    """What every recipient's copy shares, rendered once per edition, not once per message."""

    subject: str
    text: str
    html: str


def edition_content(edition: Edition) -> EditionContent:
    """Both parts of ``edition``, from its article (headline, standfirst, link) or subject."""
    article = edition.article
    newsletter = edition.newsletter
    live = article is not None and article.live
    context = {
        "subject": edition.subject,
        "headline": article.title if live else edition.subject,
        "standfirst": article.standfirst if live else "",
        "link": (article.get_full_url() or "") if live else "",
        "newsletter": newsletter,
        "unsubscribe_url": _UNSUBSCRIBE_SLOT,
    }
    with translation.override(newsletter.language):
        text = render_to_string("newsletter/email/edition.txt", context)
        html = render_to_string("newsletter/email/edition.html", context)
    return EditionContent(subject=edition.subject, text=text, html=html)


def _list_id(newsletter: Newsletter) -> str:
    # The phrase may be non-ASCII ("Boletín Año"): encode it ourselves, so only the phrase
    # is an encoded-word and the <id> stays readable by filters.
    phrase = Header(newsletter.name, "utf-8").encode()
    return f"{phrase} <{newsletter.slug}.{mail_domain()}>"


def build_message(
    *,
    edition: Edition,
    content: EditionContent,
    delivery: Delivery,
    connection: object = None,
) -> EmailMultiAlternatives:
    """The message for ``delivery``: HTML and plain text, List-* headers, stable Message-ID."""
    newsletter = edition.newsletter
    token = unsubscribe_token(reader_id=delivery.reader_id, newsletter_id=newsletter.pk)
    link = unsubscribe_url(token)
    mailto = settings.NEWSLETTER_UNSUBSCRIBE_EMAIL or sender_address()
    # Rendering two templates per message would halve the send rate (bench/newsletter.py):
    # the parts are rendered once per edition and only the link differs.
    text = content.text.replace(_UNSUBSCRIBE_SLOT, link)
    html = content.html.replace(_UNSUBSCRIBE_SLOT, escape(link))
    message = EmailMultiAlternatives(
        subject=content.subject,
        body=text,
        # formataddr leaves a non-ASCII name alone; Django encodes it (RFC 2047) when it
        # sanitizes the From address.
        from_email=formataddr((newsletter.sender_name, sender_address())),
        to=[delivery.email],
        connection=connection,
        headers={
            "Message-ID": message_id(edition=edition, delivery_id=delivery.pk),
            "Date": formatdate(localtime=False),
            "List-Id": _list_id(newsletter),
            "List-Unsubscribe": f"<{link}>, <mailto:{mailto}?subject=unsubscribe%20{token}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
