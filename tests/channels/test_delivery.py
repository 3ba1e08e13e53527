"""Delivery against a Bot API that limits, fails, times out and goes away.

What must hold (issue 11): exactly one post per article per channel on its own; a request
that may have reached Telegram is never repeated without an editor; everything that
certainly did not reach it goes out later; each Delivery row says what happened.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from masthead.channels import services
from masthead.channels.models import Delivery, TelegramChannel
from tests.channels.publishing import publish
from tests.discovery.factories import make_image

pytestmark = pytest.mark.django_db


def _publish(publication, callbacks, **fields):
    with callbacks(execute=True):
        article = publish(publication.analysis, **fields)
    return article, Delivery.objects.get(article=article)


def _time_passes() -> None:
    """Every wait (backoff, retry_after, the pace) is over, as it would be later."""
    past = timezone.now() - dt.timedelta(seconds=1)
    Delivery.objects.filter(next_attempt_at__isnull=False).update(next_attempt_at=past)
    TelegramChannel.objects.update(next_slot_at=None)


def _sweep(callbacks) -> None:
    with callbacks(execute=True):
        call_command("channels_sweep")


def test_a_429_waits_for_retry_after_then_posts_once(
    bot, channels, publication, django_capture_on_commit_callbacks
):
    bot.state.script = [("status", 429, 7)]
    before = timezone.now()
    article, delivery = _publish(publication, django_capture_on_commit_callbacks)
    assert delivery.state == Delivery.State.QUEUED
    assert delivery.error_code == 429 and "Too Many Requests" in delivery.api_message
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=7)
    # The limit is the chat's: no post to this channel before Telegram's time either.
    assert TelegramChannel.objects.get(chat_id="@gazette").next_slot_at >= delivery.next_attempt_at
    _sweep(django_capture_on_commit_callbacks)
    assert bot.state.posted == []  # not yet due

    _time_passes()
    _sweep(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.SENT, 2)
    assert bot.state.links("@gazette") == [article.get_full_url()]


@pytest.mark.parametrize(
    ("step", "posted"),
    [
        (("status", 500), 0),  # Telegram answered 500: it may or may not have posted
        (("posted_then", 502), 1),  # posted, and the answer was lost in a gateway
        (("slow",), 1),  # posted after the client's timeout
        (("drop",), 1),  # posted, then the connection was cut before the answer
    ],
)
def test_a_request_that_may_have_reached_telegram_is_never_repeated_on_its_own(
    bot, channels, publication, django_capture_on_commit_callbacks, step, posted
):
    bot.state.script = [step]
    _article, delivery = _publish(publication, django_capture_on_commit_callbacks)
    assert delivery.state == Delivery.State.UNCERTAIN
    assert delivery.api_message
    for _ in range(2):
        _time_passes()
        _sweep(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.UNCERTAIN
    assert len(bot.state.calls) == 1
    assert len(bot.state.posted) == posted


def test_publishing_while_telegram_is_down_posts_on_recovery(
    bot, channels, publication, django_capture_on_commit_callbacks
):
    bot.stop()  # connection refused: nothing can have been sent
    es_article = None
    with django_capture_on_commit_callbacks(execute=True):
        article = publish(publication.analysis)
        es_article = publish(publication.interviews_es, title="Noticia")
    rows = Delivery.objects.filter(article__in=[article, es_article])
    assert {(r.state, r.attempts) for r in rows} == {(Delivery.State.QUEUED, 1)}
    assert all("ConnectError" in r.api_message and r.next_attempt_at for r in rows)

    _time_passes()
    _sweep(django_capture_on_commit_callbacks)  # still down: a second attempt, later again
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {2}

    bot.start()
    _time_passes()
    _sweep(django_capture_on_commit_callbacks)
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}
    assert bot.state.links("@gazette") == [article.get_full_url()]
    assert bot.state.links("@gaceta") == [es_article.get_full_url()]
    _time_passes()
    _sweep(django_capture_on_commit_callbacks)
    assert len(bot.state.posted) == 2


@pytest.mark.parametrize(
    ("setup", "code", "words"),
    [
        ("bad_token", 401, "Unauthorized"),
        ("no_chat", 400, "chat not found"),
        ("not_admin", 403, "bot is not a member"),
    ],
)
def test_permanent_errors_are_recorded_with_telegrams_words_and_not_retried(
    bot, settings, channels, publication, django_capture_on_commit_callbacks, setup, code, words
):
    if setup == "bad_token":
        settings.TELEGRAM_BOT_TOKEN = "123:wrong"
    elif setup == "no_chat":
        bot.state.chats.discard("@gazette")
    else:
        bot.state.not_admin.add("@gazette")
    _, delivery = _publish(publication, django_capture_on_commit_callbacks)
    assert (delivery.state, delivery.error_code) == (Delivery.State.FAILED, code)
    assert words in delivery.api_message
    assert "wrong" not in delivery.api_message  # never the token
    _time_passes()
    _sweep(django_capture_on_commit_callbacks)
    assert len(bot.state.calls) == 1


def test_a_row_left_sending_by_a_dead_worker_becomes_uncertain_not_resent(
    bot, channels, publication, django_capture_on_commit_callbacks
):
    bot.stop()
    _, delivery = _publish(publication, django_capture_on_commit_callbacks)
    bot.start()
    # As a worker leaves it when killed during the request.
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.SENDING, claimed_at=long_ago
    )
    _sweep(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.UNCERTAIN
    assert "check the channel" in delivery.api_message
    assert bot.state.calls == []


def test_a_row_still_on_the_wire_is_left_alone_by_the_sweep(
    bot, channels, publication, django_capture_on_commit_callbacks
):
    bot.stop()
    _, delivery = _publish(publication, django_capture_on_commit_callbacks)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.SENDING, claimed_at=timezone.now()
    )
    _sweep(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENDING


def test_the_hero_image_goes_as_a_photo_with_caption_but_not_for_members_only(
    bot, channels, publication, django_capture_on_commit_callbacks
):
    image = make_image()
    article, _delivery = _publish(
        publication,
        django_capture_on_commit_callbacks,
        hero_image=image,
        hero_alt="A harbour at dawn",
    )
    (call,) = bot.state.posted
    assert call.method == "sendPhoto"
    rendition_url = image.get_rendition(services.HERO_SPEC).url
    assert call.params["photo"] == f"http://localhost{rendition_url}"  # absolute, public
    assert call.params["caption"].endswith(
        f'<a href="{article.get_full_url()}">{article.get_full_url()}</a>'
    )

    members, _ = _publish(
        publication,
        django_capture_on_commit_callbacks,
        hero_image=image,
        hero_alt="A harbour at dawn",
        members_only=True,
        body=[{"type": "paragraph", "value": "<p>SECRET members text</p>"}],
    )
    last = bot.state.posted[-1]
    assert last.method == "sendMessage"  # headline, standfirst and link only
    assert "SECRET" not in str(last.params) and "photo" not in last.params
    assert bot.state.links("@gazette")[-1] == members.get_full_url()


def test_a_photo_telegram_cannot_fetch_falls_back_to_text(
    bot, channels, publication, django_capture_on_commit_callbacks
):
    bot.state.script = [("status", 400)]  # e.g. "wrong file identifier/HTTP URL specified"
    article, delivery = _publish(
        publication, django_capture_on_commit_callbacks, hero_image=make_image(), hero_alt="x"
    )
    assert [c.method for c in bot.state.calls] == ["sendPhoto", "sendMessage"]
    assert delivery.state == Delivery.State.SENT
    assert bot.state.links("@gazette") == [article.get_full_url()]


def test_posts_are_spaced_at_the_channels_pace_across_workers(
    bot, settings, channels, publication, django_capture_on_commit_callbacks
):
    settings.TELEGRAM_POSTS_PER_MINUTE = 1  # a minute apart: the test never waits for it
    bot.stop()  # nothing is sent in the publishing test itself
    with django_capture_on_commit_callbacks(execute=True):
        first, second = publish(publication.analysis), publish(publication.analysis)
    _time_passes()
    en = TelegramChannel.objects.get(chat_id="@gazette")
    # Each claim reads the channel afresh, as another process would: the slot lives in the
    # channel's row, not in a process.
    claimed = services.claim(channel=en)
    assert claimed.article_id == first.pk and claimed.state == Delivery.State.SENDING
    next_slot = TelegramChannel.objects.get(pk=en.pk).next_slot_at
    assert next_slot == claimed.claimed_at + dt.timedelta(minutes=1)
    assert services.claim(channel=TelegramChannel.objects.get(pk=en.pk)) == next_slot
    assert Delivery.objects.get(article=second).state == Delivery.State.QUEUED


def test_a_drain_defers_rather_than_sleeping_through_a_long_wait(
    bot, settings, channels, publication, django_capture_on_commit_callbacks
):
    settings.TELEGRAM_POSTS_PER_MINUTE = 2  # 30 s apart: the second post must wait
    with django_capture_on_commit_callbacks(execute=True):
        first = publish(publication.analysis)
        second = publish(publication.analysis)
    states = dict(Delivery.objects.values_list("article_id", "state"))
    assert states == {first.pk: Delivery.State.SENT, second.pk: Delivery.State.QUEUED}
    assert len(bot.state.posted) == 1
