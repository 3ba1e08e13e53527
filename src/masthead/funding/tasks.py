"""Background entry points for the funding app's emails: each calls one outbox function.

Every argument is an id, never an address, a body or a link: the task table keeps them
after the task ran (issue 8).
"""

from __future__ import annotations

from django_tasks import task

from masthead.funding import outbox


@task()
def send_thanks(*, payment_id: int) -> bool:
    return outbox.send_thanks(payment_id=payment_id)


@task()
def send_payment_failed(*, payment_id: int) -> bool:
    return outbox.send_payment_failed(payment_id=payment_id)


@task()
def send_renewal_reminder(*, membership_id: int) -> bool:
    return outbox.send_renewal_reminder(membership_id=membership_id)


@task()
def send_gift(*, gift_id: int) -> bool:
    return outbox.send_gift(gift_id=gift_id)
