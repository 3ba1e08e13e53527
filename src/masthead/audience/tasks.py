"""Background entry points for the audience app: its emails leave from the worker."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django_tasks import task

from masthead.audience import emails


@task()
def send_email(*, subject: str, body: str, html: str, from_email: str, to: list[str]) -> None:
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    message.attach_alternative(html, "text/html")
    emails.deliver(message)
