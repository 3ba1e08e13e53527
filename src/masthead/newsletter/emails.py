"""Building one edition's message for one recipient: both MIME parts and the list headers.

Nothing here touches the database beyond what it is given, so the sending loop can build
thousands of messages from rows it already holds.
"""

from __future__ import annotations

import functools
import html as html_lib
import re
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape, strip_tags

from masthead.audience.models import Newsletter
from masthead.lib.tokens import TokenKind
from masthead.newsletter import queries
from masthead.newsletter.models import Delivery, Edition
from masthead.newsroom import queries as newsroom


@dataclass(frozen=True)
class UnsubscribeLink:
    reader_id: int
    newsletter_id: int


# Never expires: the link must work in any old email (RFC 8058 one-click, and the mailto:).
UNSUBSCRIBE = TokenKind("unsubscribe", UnsubscribeLink, max_age_seconds=None)


def unsubscribe_token(*, reader_id: int, newsletter_id: int) -> str:
    """A signed, non-expiring token for one reader and one newsletter (RFC 8058 link)."""
    return UNSUBSCRIBE.make(UnsubscribeLink(reader_id=reader_id, newsletter_id=newsletter_id))


def unsubscribe_url(token: str) -> str:
    return settings.BASE_URL + reverse("newsletter:unsubscribe", args=[token])


def sender_address() -> str:
    return _bare_address(settings.DEFAULT_FROM_EMAIL)


@functools.lru_cache(maxsize=8)
def _bare_address(from_email: str) -> str:
    # Cached by value: parsing it was several calls per message in the sending loop.
    return parseaddr(from_email)[1]


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


def edition_content(edition: Edition, *, members: bool = False) -> EditionContent:
    """Both parts of ``edition``: its article, the list of a digest (the same for each
    article, newest first), or its subject alone.

    An article goes as its teaser (headline, standfirst, link), or, when the edition asks
    for the full piece, with its byline, hero image and body. A members-only body goes only
    in the copies for members (``members=True``, chosen per recipient at send time,
    sending.py); everyone else gets the teaser marked for members (issue 9), and so does
    every digest.
    """
    article = edition.article
    newsletter = edition.newsletter
    live = article is not None and article.live
    # A digest's articles that were unpublished after it was made are left out.
    items = [
        {
            "headline": a.title,
            "standfirst": a.standfirst,
            "link": a.get_full_url() or "",
            "members_only": a.members_only,
        }
        for a in (queries.digest_list(edition) if article is None and edition.pk else [])
    ]
    full = live and edition.full_piece
    context = {
        "subject": edition.subject,
        "intro": edition.intro,
        "headline": article.title if live else edition.subject,
        "standfirst": article.standfirst if live else "",
        "link": (article.get_full_url() or "") if live else "",
        "members_only": live and article.members_only,
        "articles": items,
        "newsletter": newsletter,
        "unsubscribe_url": _UNSUBSCRIBE_SLOT,
    }
    if full:
        context.update(_full_piece(article, with_body=members or not article.members_only))
    with translation.override(newsletter.language):
        text = render_to_string("newsletter/email/edition.txt", context)
        html = render_to_string("newsletter/email/edition.html", context)
    return EditionContent(subject=edition.subject, text=text, html=html)


def varies_by_membership(edition: Edition) -> bool:
    """Whether members get another copy of ``edition``: the full piece of a members-only
    article, whose body only they may read."""
    article = edition.article
    return bool(article and article.live and edition.full_piece and article.members_only)


# Block boundaries that become line breaks in the plain-text part.
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|figure|figcaption|div)>|<br\s*/?>", re.I)
_BLANK_LINES = re.compile(r"\n\s*\n+")
# Site-relative links and images in the body; an email needs them absolute.
_RELATIVE_URL = re.compile(r'(\b(?:href|src)=")/(?!/)')


def _absolute(html: str) -> str:
    return _RELATIVE_URL.sub(lambda m: f"{m.group(1)}{settings.BASE_URL.rstrip('/')}/", html)


def _absolute_url(url: str) -> str:
    if url.startswith("/") and not url.startswith("//"):
        return settings.BASE_URL.rstrip("/") + url
    return url


def _full_piece(article: object, *, with_body: bool) -> dict:
    """The byline, hero image and (``with_body``) body of ``article``, for the templates."""
    bylines, _subjects = newsroom.article_people(article)
    hero = None
    if article.hero_image_id:
        rendition = article.hero_image.get_rendition("width-1200")
        hero = {
            "url": _absolute_url(rendition.url),
            "alt": article.hero_alt,
            "credit": article.hero_credit,
            "caption": article.hero_caption,
        }
    details = {
        "full_piece": True,
        "byline": ", ".join(contributor.name for contributor in bylines),
        "hero": hero,
        "body_html": "",
        "body_text": "",
    }
    if with_body:
        # The blocks' own templates, as readers see them on the site.
        html = _absolute("".join(str(block.render()) for block in article.body))
        text = html_lib.unescape(strip_tags(_BLOCK_END.sub(lambda m: m.group(0) + "\n\n", html)))
        details["body_html"] = html
        details["body_text"] = _BLANK_LINES.sub("\n\n", text).strip()
    return details


def _list_id(newsletter: Newsletter) -> str:
    # The phrase may be non-ASCII ("Boletín Año") or hold specials: encode it ourselves
    # (RFC 2047), so only the phrase is encoded and the <id> stays readable by filters.
    # A long name needs several encoded-words (75 characters at most each); Header puts
    # each on its own line, and Django refuses a header value holding a line break
    # (issue 8), so they go on one line, space-separated. The serialiser folds that line
    # at those spaces, and readers drop the spaces between encoded-words when decoding.
    words = Header(newsletter.name, "utf-8", header_name="List-Id").encode(linesep="\n")
    phrase = " ".join(word.strip() for word in words.split("\n"))
    return f"{phrase} <{newsletter.slug}.{mail_domain()}>"


def build_message(
    *,
    edition: Edition,
    content: EditionContent,
    delivery: Delivery,
    connection: object = None,
) -> EmailMultiAlternatives:
    """The message for ``delivery``: HTML and plain text, List-* headers, stable Message-ID."""
    token = unsubscribe_token(reader_id=delivery.reader_id, newsletter_id=edition.newsletter_id)
    return _assemble(
        edition=edition,
        content=content,
        to=delivery.email,
        message_id=message_id(edition=edition, delivery_id=delivery.pk),
        date=formatdate(localtime=False),
        token=token,
        connection=connection,
    )


def _assemble(
    *,
    edition: Edition,
    content: EditionContent,
    to: str,
    message_id: str,
    date: str,
    token: str,
    connection: object,
) -> EmailMultiAlternatives:
    newsletter = edition.newsletter
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
        to=[to],
        connection=connection,
        headers={
            "Message-ID": message_id,
            "Date": date,
            "List-Id": _list_id(newsletter),
            "List-Unsubscribe": f"<{link}>, <mailto:{mailto}?subject=unsubscribe%20{token}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


class _RawMIME:
    """Stands in for the MIME object Django's SMTP backend serialises: the bytes are made."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\r\n") -> bytes:
        return self.raw if linesep == "\r\n" else self.raw.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode("utf-8", errors="surrogateescape")


class PrebuiltMessage(EmailMessage):
    """A message whose MIME bytes were made from the edition's template (SMTP backends only).

    The envelope sender is the bare address: the display name lives in the bytes' From.
    """

    def __init__(self, raw: bytes, *, to: str, connection: object) -> None:
        super().__init__(from_email=sender_address(), to=[to], connection=connection)
        self.raw = raw

    def message(self, *, policy: object = None) -> _RawMIME:  # type: ignore[override]
        return _RawMIME(self.raw)


# Slots in the edition's prebuilt bytes: ASCII, no spaces, nothing a MIME encoder changes.
_SLOT_TO = "masthead-slot-to@slot.invalid"
_SLOT_MESSAGE_ID = "<masthead-slot-message-id@slot.invalid>"
_SLOT_DATE = "MASTHEAD-SLOT-DATE"
_SLOT_TOKEN = "MASTHEAD-SLOT-TOKEN"  # noqa: S105 (a placeholder, not a secret)
# What a recipient's address may hold to go in the To header as it is (RFC 5321 dot-atoms).
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
# RFC 5322's hard limit on a line, less room for the longest link a slot can become.
_LINE_ROOM = 998 - 300


class Composer:
    """Makes each recipient's message of one edition.

    Why not ``build_message`` every time: Django's MIME assembly and serialisation cost as
    much as the SMTP round trip (bench/newsletter.py). Over Django's SMTP backend the
    message is serialised once, with slots for what differs per recipient (To, Message-ID,
    Date, the unsubscribe token), and each copy is a few byte replacements. Any other
    backend (anymail's ESPs, locmem in tests) gets a real ``EmailMultiAlternatives``, and so
    does an address or a body the slots cannot carry safely; tests prove both are the same.
    """

    def __init__(self, edition: Edition, content: EditionContent, connection: object) -> None:
        self.edition = edition
        self.content = content
        try:
            smtp = isinstance(connection, SMTPBackend)
            self.template = self._template(connection) if smtp else None
        except ValueError:  # a header Django refuses (BadHeaderError): each row fails alone
            self.template = None

    def _template(self, connection: object) -> bytes | None:
        message = _assemble(
            edition=self.edition,
            content=self.content,
            to=_SLOT_TO,
            message_id=_SLOT_MESSAGE_ID,
            date=_SLOT_DATE,
            token=_SLOT_TOKEN,
            connection=connection,
        )
        raw = message.message().as_bytes(linesep="\r\n")
        links = self.content.text.count(_UNSUBSCRIBE_SLOT) + self.content.html.count(
            _UNSUBSCRIBE_SLOT
        )
        intact = (
            # Quoted-printable lines may not grow past 76 characters, and base64 hides the
            # slots: only 7bit and 8bit parts can take a longer link as they are.
            b"Content-Transfer-Encoding: quoted-printable" not in raw
            and b"Content-Transfer-Encoding: base64" not in raw
            and raw.count(_SLOT_TO.encode()) == 1
            and raw.count(_SLOT_MESSAGE_ID.encode()) == 1
            and raw.count(_SLOT_DATE.encode()) == 1
            # two in List-Unsubscribe (https and mailto), one per link in the parts: a
            # quoted-printable or base64 body would have split or hidden them
            and raw.count(_SLOT_TOKEN.encode()) == links + 2
            and all(
                len(line) < _LINE_ROOM
                for line in raw.split(b"\r\n")
                if _SLOT_TOKEN.encode() in line
            )
        )
        return raw if intact else None

    def message(
        self, delivery: Delivery, connection: object, *, stable_id: str | None = None
    ) -> EmailMessage:
        """``delivery``'s copy; ``stable_id`` is its Message-ID, when the caller has it."""
        token = unsubscribe_token(
            reader_id=delivery.reader_id, newsletter_id=self.edition.newsletter_id
        )
        if (
            self.template is None
            or not PLAIN_ADDRESS.fullmatch(delivery.email)
            or escape(token) != token
        ):
            return build_message(
                edition=self.edition,
                content=self.content,
                delivery=delivery,
                connection=connection,
            )
        raw = (
            self.template.replace(_SLOT_TO.encode(), delivery.email.encode(), 1)
            .replace(
                _SLOT_MESSAGE_ID.encode(),
                (stable_id or message_id(edition=self.edition, delivery_id=delivery.pk)).encode(),
                1,
            )
            .replace(_SLOT_DATE.encode(), formatdate(localtime=False).encode(), 1)
            .replace(_SLOT_TOKEN.encode(), token.encode())
        )
        return PrebuiltMessage(raw, to=delivery.email, connection=connection)
