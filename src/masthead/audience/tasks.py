"""Background entry points for the audience app: its emails leave from the worker, and CSV
imports run there (issue 8)."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django_tasks import task

from masthead.audience import emails, import_jobs


@task()
def send_email(*, subject: str, body: str, html: str, from_email: str, to: list[str]) -> None:
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    message.attach_alternative(html, "text/html")
    emails.deliver(message)


@task()
def import_readers(*, import_pk: int) -> None:
    import_jobs.run_import(import_pk=import_pk)
