"""A first publish, handed from the editor's request to the worker in one row.

The publish request writes a ``PendingFanOut`` row and enqueues one task, in its own
transaction; the worker chooses the Telegram channels and WhatsApp followers, writes their
rows (services.fan_out_article, whatsapp.fan_out_article) and deletes the pending row, in
one transaction. So the editor waits for the same two inserts however many channels and
followers there are (bench/channels.py), and nothing is lost on the way:

- with the database queue the task row commits with the publish, or neither does;
- with RQ the task is enqueued after the commit, and a crash in between leaves the
  pending row: ``sweep`` runs it after ``LOST_AFTER``;
- running it twice (the task and the sweep, or two workers) writes nothing twice: the
  pending row is taken under a lock and the rows it writes are unique per article.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from masthead.channels import services
from masthead.channels.models import PendingFanOut
from masthead.channels.whatsapp import sending as whatsapp
from masthead.newsroom.models import ArticlePage

# A pending row older than this has lost its task (the task runs within seconds).
LOST_AFTER = dt.timedelta(minutes=1)


def queue(*, article: ArticlePage) -> bool:
    """Hand ``article``'s first publish to the worker (called on publish, in its
    transaction); False when auto-posting is off for it."""
    if not article.post_to_channels:
        return False
    # ignore_conflicts: a second publish signal for the same article keeps the one row.
    PendingFanOut.objects.bulk_create([PendingFanOut(article=article)], ignore_conflicts=True)
    _enqueue(article.pk)
    return True


def _enqueue(article_id: int) -> None:
    from django_tasks_db.backend import DatabaseBackend

    from masthead.channels import tasks  # tasks imports this module

    task = tasks.fan_out
    backend = task.get_backend()
    if backend.supports_priority:  # ahead of Wagtail's index tasks, as the drains
        task = task.using(priority=services.DRAIN_PRIORITY)
    if isinstance(backend, DatabaseBackend):
        # The task is a row in the same database: it commits with the publish, no later
        # write (and, on SQLite, no second commit) for the editor to wait for.
        task.enqueue(article_id=article_id)
    else:
        # Another queue may run the task before the publish commits, when the article's
        # rows are not visible yet; django-tasks does not defer it by itself.
        transaction.on_commit(lambda: task.enqueue(article_id=article_id))


def run(*, article_id: int) -> bool:
    """Write the article's channel posts and WhatsApp messages, once; False if another
    run did it already."""
    with transaction.atomic():
        pending = PendingFanOut.objects.select_for_update().filter(article_id=article_id)
        if not pending.exists():
            return False
        # Unpublished since (or deleted, which took the pending row with it): nothing goes out.
        article = ArticlePage.objects.live().filter(pk=article_id).first()
        if article is not None:
            services.fan_out_article(article=article)
            whatsapp.fan_out_article(article=article)
        pending.delete()
    return True


def sweep() -> int:
    """Run the pending rows whose task was lost; how many."""
    lost = PendingFanOut.objects.filter(created_at__lt=timezone.now() - LOST_AFTER)
    return sum(run(article_id=pk) for pk in lost.values_list("article_id", flat=True))
