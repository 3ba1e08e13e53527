"""The emails the funding app sends, built in the recipient's language.

Four messages (issue 9 §4): a thank-you with a receipt link after a one-off gift, a gift
membership or the first payment of a new membership; a reminder before an annual renewal;
a notice when a membership payment fails, with the link to fix it; and the gift itself,
to its recipient. They go through the same path as the audience app's mail: services and
signal receivers ``queue`` a task naming ids only, on commit; the worker rebuilds the
message from the database (funding/outbox.py) and sends it with ``send``.

Nothing here is rate-limited: provider events trigger these mails, not readers' requests.
Each is sent at most once, claimed in outbox.py before it is sent.
"""

from __future__ import annotations

import logging
import smtplib

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from masthead.funding.models import Gift, Membership, Payment, Plan
from masthead.lib import money
from masthead.newsroom import queries

log = logging.getLogger(__name__)


def absolute_url(name: str, *, language: str, **kwargs: object) -> str:
    """``BASE_URL`` + the route ``name`` under the /<language>/ prefix."""
    with translation.override(language):
        return f"{settings.BASE_URL}{reverse(name, kwargs=kwargs or None)}"


def plan_name(plan: Plan, language: str) -> str:
    """The plan's name in ``language``, else the site's language, else its slug."""
    texts = {text.language: text.name for text in plan.texts.all()}
    return texts.get(language) or texts.get(settings.LANGUAGE_CODE) or plan.slug


def _message(
    *, to: str, language: str, subject: str, template: str, context: dict
) -> EmailMultiAlternatives:
    context = {**context, "publication": queries.publication_name(), "language": language}
    text = render_to_string(f"funding/email/{template}.txt", context)
    html = render_to_string(f"funding/email/{template}.html", context)
    # EmailMessage refuses a newline in any header (BadHeaderError): a crafted address
    # cannot add headers (ASVS 1.3.11).
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach_alternative(html, "text/html")
    return message


def thank_you(*, payment: Payment, to: str, language: str, token: str) -> EmailMultiAlternatives:
    """Thanks for a one-off gift, a gift membership or a new membership, with the receipt."""
    with translation.override(language):
        membership = payment.membership
        return _message(
            to=to,
            language=language,
            subject=_("Thank you for supporting %(publication)s")
            % {"publication": queries.publication_name()},
            template="thank_you",
            context={
                "amount": money.format_money(payment.amount, payment.currency),
                "kind": payment.kind,
                "plan": plan_name(membership.plan, language) if membership else "",
                "gift_recipient": payment.checkout.gift_recipient
                if payment.checkout and payment.kind == Payment.Kind.GIFT
                else "",
                "receipt_url": absolute_url("funding:receipt", language=language, token=token),
            },
        )


def renewal_reminder(*, membership: Membership, to: str, language: str) -> EmailMultiAlternatives:
    """An annual membership renews in a few days: what, when, and where to change it."""
    with translation.override(language):
        price = membership.price
        return _message(
            to=to,
            language=language,
            subject=_("Your annual membership renews soon"),
            template="renewal_reminder",
            context={
                "plan": plan_name(membership.plan, language),
                # The publication's time zone, as on its pages.
                "date": formats.date_format(
                    timezone.localtime(membership.current_period_end), "DATE_FORMAT"
                ),
                # An offer code may change what is charged: name the amount only without one.
                "amount": money.format_money(price.amount, price.currency)
                if price and not membership.offer_id
                else "",
                "account_url": absolute_url("audience:account", language=language),
            },
        )


def payment_failed(*, payment: Payment, to: str, language: str) -> EmailMultiAlternatives:
    """A membership payment did not go through: how to fix it before access lapses."""
    with translation.override(language):
        return _message(
            to=to,
            language=language,
            subject=_("Your membership payment did not go through"),
            template="payment_failed",
            context={
                "amount": money.format_money(payment.amount, payment.currency),
                "plan": plan_name(payment.membership.plan, language),
                "grace_days": settings.MEMBERSHIP_GRACE_DAYS,
                "account_url": absolute_url("audience:account", language=language),
            },
        )


def gift(*, gift: Gift, language: str, token: str) -> EmailMultiAlternatives:
    """The gift membership, to its recipient, with the link that redeems it."""
    with translation.override(language):
        return _message(
            to=gift.recipient_email,
            language=language,
            subject=_("A gift membership of %(publication)s for you")
            % {"publication": queries.publication_name()},
            template="gift",
            context={
                "plan": plan_name(gift.plan, language),
                "months": gift.months,
                "sender": gift.checkout.name,
                "message": gift.message,
                "redeem_url": absolute_url("funding:gift_redeem", language=language, token=token),
            },
        )


def send(message: EmailMultiAlternatives) -> bool:
    """Send one message now; whether it was accepted. A failure is logged, never raised.

    Unlike audience.emails.deliver this reports the outcome, so the outbox can release
    its claim and the sweep can try again (a thank-you is owed once, not at most once).
    """
    try:
        message.send()
    except (smtplib.SMTPException, OSError, AnymailError):
        # No address in the log line: an ESP's error often quotes it (issue 8).
        log.exception("could not send %r", message.subject)
        return False
    return True


def queue(task_name: str, **ids: int) -> None:
    """Queue the funding task ``task_name`` with ``ids``, on commit (ids only, issue 8)."""
    from masthead.funding import tasks  # tasks imports outbox, which imports this module

    task = getattr(tasks, task_name)  # outside the try: a wrong name is a bug, not an outage

    def enqueue() -> None:
        try:
            task.enqueue(**ids)
        except Exception:  # the queue is down: funding_sweep queues what is still owed
            log.exception("could not queue %s", task_name)

    transaction.on_commit(enqueue)


def on_payment_succeeded(sender: object, payment_id: int, **kwargs: object) -> None:
    """funding.ledger.payment_succeeded: the outbox decides whether thanks are owed."""
    queue("send_thanks", payment_id=payment_id)


def on_payment_failed(sender: object, payment_id: int, **kwargs: object) -> None:
    queue("send_payment_failed", payment_id=payment_id)
