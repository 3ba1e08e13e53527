"""Background entry points for the audience app: its emails leave from the worker, and CSV
imports run there.

Every argument is an id or a stamp, never an address, a body or a link: the task table
keeps them after the task ran (issue 8). Each calls one function of outbox.py or
import_jobs.py.
"""

from __future__ import annotations

from django_tasks import task

from masthead.audience import import_jobs, outbox


@task()
def send_confirmation(*, reader_id: int, subscription_ids: list[int], consent_stamp: int) -> bool:
    return outbox.send_confirmation(
        reader_id=reader_id, subscription_ids=subscription_ids, consent_stamp=consent_stamp
    )


@task()
def send_already_subscribed(*, reader_id: int, newsletter_ids: list[int]) -> bool:
    return outbox.send_already_subscribed(reader_id=reader_id, newsletter_ids=newsletter_ids)


@task()
def send_sign_in_link(*, reader_id: int, sign_in_stamp: int) -> bool:
    return outbox.send_sign_in_link(reader_id=reader_id, sign_in_stamp=sign_in_stamp)


@task()
def send_email_change(*, request_id: int) -> bool:
    return outbox.send_email_change(request_id=request_id)


@task()
def import_readers(*, import_pk: int) -> None:
    import_jobs.run_import(import_pk=import_pk)
