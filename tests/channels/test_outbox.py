"""A first publish reaches the channels through one pending row and one task: the editor's
request writes those two and nothing more; the worker chooses channels and followers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from masthead.channels import outbox
from masthead.channels.models import Delivery, PendingFanOut, TelegramChannel
from masthead.channels.whatsapp.models import WhatsAppMessage
from masthead.newsroom import services as newsroom
from masthead.newsroom.models import ArticlePage
from tests.audience.worker import run_the_worker, use_database_queue
from tests.channels.publishing import publish
from tests.channels.whatsapp import follower

pytestmark = pytest.mark.django_db


@pytest.fixture
def everywhere(bot, graph, publication):
    """Three English channels and two WhatsApp followers of every English article."""
    bot.state.chats.update({"@wire", "@bulletin"})
    for chat in ("@gazette", "@wire", "@bulletin"):
        TelegramChannel.objects.create(name=chat, chat_id=chat, language="en")
    follower(), follower()


def _channel_tasks() -> list[str]:
    paths = DBTaskResult.objects.values_list("task_path", flat=True)
    return [path for path in paths if path.startswith("masthead.channels.")]


def _publish_counting(section, title):
    with CaptureQueriesContext(connection) as queries:
        article = publish(section, title=title)
    return article, len(queries)


def test_the_editors_publish_costs_the_same_with_channels_and_followers_as_without(
    bot, graph, settings, publication
):
    use_database_queue(settings)
    publish(publication.analysis, title="Warm-up")  # first-use queries, on both sides alike
    _, alone = _publish_counting(publication.analysis, title="Nobody follows this yet")
    for chat in ("@gazette", "@wire", "@bulletin"):
        TelegramChannel.objects.create(name=chat, chat_id=chat, language="en")
    follower(), follower()
    _, followed = _publish_counting(publication.analysis, title="Everybody follows this")
    assert followed == alone


def test_the_request_writes_one_pending_row_and_one_task_and_the_worker_the_rest(
    everywhere, settings, publication, django_capture_on_commit_callbacks
):
    use_database_queue(settings)
    article = publish(publication.analysis, title="Port strike ends")
    assert list(PendingFanOut.objects.values_list("article_id", flat=True)) == [article.pk]
    assert _channel_tasks() == ["masthead.channels.tasks.fan_out"]
    assert not Delivery.objects.exists() and not WhatsAppMessage.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        run_the_worker()
    assert not PendingFanOut.objects.exists()
    assert Delivery.objects.filter(article=article).count() == 3
    assert WhatsAppMessage.objects.filter(article=article).count() == 2


def test_a_publish_rolled_back_leaves_neither_the_row_nor_the_task(
    everywhere, settings, publication
):
    use_database_queue(settings)
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(publication.analysis, title="Never mind")
        raise RuntimeError("the editor's request failed after the publish")
    assert not PendingFanOut.objects.exists()
    assert _channel_tasks() == []


def test_running_it_twice_writes_nothing_twice(
    everywhere, publication, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        article = publish(publication.analysis, title="Said once")
        assert outbox.run(article_id=article.pk) is True
        assert outbox.run(article_id=article.pk) is False  # the task and the sweep, say
    assert Delivery.objects.filter(article=article).count() == 3
    assert WhatsAppMessage.objects.filter(article=article).count() == 2


def test_a_lost_task_is_run_by_the_sweep_after_a_minute_and_not_before(
    everywhere, publication, django_capture_on_commit_callbacks
):
    # What a crash between the commit and an RQ enqueue leaves: the row, and no task.
    with django_capture_on_commit_callbacks(execute=False):
        article = publish(publication.analysis, title="Lost in the queue")
    call_command("channels_sweep")
    assert PendingFanOut.objects.exists() and not Delivery.objects.exists()  # too soon

    PendingFanOut.objects.update(created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("channels_sweep")
    assert not PendingFanOut.objects.exists()
    assert Delivery.objects.filter(article=article, state=Delivery.State.SENT).count() == 3
    assert WhatsAppMessage.objects.filter(article=article).count() == 2


def test_an_article_unpublished_before_the_worker_ran_is_posted_nowhere(
    everywhere, publication, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        article = publish(publication.analysis, title="Published by mistake")
    ArticlePage.objects.get(pk=article.pk).unpublish()
    assert outbox.run(article_id=article.pk) is True
    assert not PendingFanOut.objects.exists()
    assert not Delivery.objects.exists() and not WhatsAppMessage.objects.exists()


def test_an_article_with_auto_posting_off_leaves_no_row(everywhere, publication):
    article = newsroom.create_article(
        section=publication.analysis,
        publish=False,
        draft=newsroom.ArticleDraft(title="Quietly", slug="quietly", standfirst="Shh."),
    )
    article.post_to_channels = False
    article.save_revision().publish()
    assert not PendingFanOut.objects.exists()
