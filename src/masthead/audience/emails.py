"""The emails the audience app sends: built here, in the reader's language.

Services queue them on commit by naming ids (``queue``); the worker rebuilds each one from
the database when it runs (outbox.py), so no address, body or link sits in the task table.
"""

from __future__ import annotations

import logging
import smtplib

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from masthead.audience.models import Newsletter, Reader, Subscription
from masthead.newsroom import queries

log = logging.getLogger(__name__)


def _message(
    *, reader: Reader, subject: str, template: str, context: dict, to: str = ""
) -> EmailMultiAlternatives:
    context = {**context, "publication": queries.publication_name(), "reader": reader}
    text = render_to_string(f"audience/email/{template}.txt", context)
    html = render_to_string(f"audience/email/{template}.html", context)
    # EmailMessage refuses a newline in any header (BadHeaderError), so a crafted address
    # or name cannot add headers (ASVS 1.3.11); the form refuses such addresses first.
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to or reader.email]
    )
    message.attach_alternative(html, "text/html")
    return message


def confirmation(
    *, reader: Reader, subscriptions: list[Subscription], token: str
) -> EmailMultiAlternatives:
    """The one email an unconfirmed address may receive: the double opt-in link."""
    with translation.override(reader.language):
        return _message(
            reader=reader,
            subject=_("Please confirm your newsletter subscription"),
            template="confirm",
            context={
                "url": _url("audience:confirm", token=token),
                "newsletters": [s.newsletter.name for s in subscriptions],
            },
        )


def already_subscribed(*, reader: Reader, newsletters: list[Newsletter]) -> EmailMultiAlternatives:
    """Sent instead of a link when a confirmed reader signs up again for what they have."""
    with translation.override(reader.language):
        return _message(
            reader=reader,
            subject=_("You are already subscribed"),
            template="already_subscribed",
            context={
                "url": _url("audience:signup"),
                "newsletters": [n.name for n in newsletters],
                "sign_in_url": _url("audience:sign_in"),
            },
        )


def _url(name: str, **kwargs: str) -> str:
    return f"{settings.BASE_URL}{reverse(name, kwargs=kwargs or None)}"


def sign_in_link(*, reader: Reader, token: str) -> EmailMultiAlternatives:
    """The magic link: 15 minutes, once (queries.reader_for_sign_in)."""
    with translation.override(reader.language):
        return _message(
            reader=reader,
            subject=_("Your sign-in link"),
            template="sign_in",
            context={
                "url": _url("audience:sign_in_confirm", token=token),
                "sign_in_url": _url("audience:sign_in"),
            },
        )


def email_change_link(*, reader: Reader, new_email: str, token: str) -> EmailMultiAlternatives:
    """Sent to the new address: proving it is what makes the change."""
    with translation.override(reader.language):
        return _message(
            reader=reader,
            to=new_email,
            subject=_("Confirm your new email address"),
            template="email_change",
            context={
                "url": _url("audience:email_change_confirm", token=token),
                "new_email": new_email,
            },
        )


def email_change_notice(*, reader: Reader, new_email: str) -> EmailMultiAlternatives:
    """Sent to the old address, so an owner whose session was taken over finds out."""
    with translation.override(reader.language):
        return _message(
            reader=reader,
            subject=_("A change of email address was requested"),
            template="email_change_notice",
            context={"new_email": mask(new_email), "sign_in_url": _url("audience:sign_in")},
        )


def email_change_unavailable(*, reader: Reader, new_email: str) -> EmailMultiAlternatives:
    """Sent to a new address that already has an account, instead of a link: the page the
    requester saw is the same, so only the address's owner learns it is known."""
    with translation.override(reader.language):
        return _message(
            reader=reader,
            to=new_email,
            subject=_("Your email address was not changed"),
            template="email_change_unavailable",
            context={"sign_in_url": _url("audience:sign_in")},
        )


def mask(email: str) -> str:
    """``reader@example.org`` → ``r•••@example.org``: recognisable by its owner only."""
    local, _at, domain = email.rpartition("@")
    return f"{local[:1]}•••@{domain}"


def queue(task_name: str, **ids: int | list[int]) -> None:
    """Queue the audience task ``task_name`` with ``ids`` (called on commit).

    Not sent in the request: an SMTP round trip for a known address, and none for an
    unknown one, would let response times tell which addresses have accounts, and a slow
    mail server would hold the reader's page. Only ids are queued, never an address, a body
    or a link: the task table keeps a task's arguments after it ran, and erasure must leave
    no address behind (issue 8). The immediate backend (tests) runs the task at once.
    """
    from masthead.audience import tasks  # tasks imports this module, through outbox

    task = getattr(tasks, task_name)  # outside the try: a wrong name is a bug, not an outage
    try:
        task.enqueue(**ids)
    except Exception:  # the queue is down: the request is recorded; a new request resends
        log.exception("could not queue %s", task_name)


def deliver(message: EmailMultiAlternatives) -> None:
    """Send one message now; a mail server failure is logged, never shown to the reader.

    With the immediate task backend this runs after the commit, inside the request, so
    raising here would turn a recorded sign-up into a 500 page.
    """
    try:
        message.send()
    except (smtplib.SMTPException, OSError, AnymailError):
        # Logged here, not raised: a failed task keeps its traceback in the task table, and
        # an ESP's error often quotes the recipient's address (issue 8).
        log.exception("could not send %r", message.subject)
