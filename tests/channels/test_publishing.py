"""Publishing an article posts it, once, to the channels of its language and section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from masthead.channels.models import Delivery, TelegramChannel
from masthead.demo import loader
from masthead.lib import fanout
from masthead.newsroom import services as newsroom
from masthead.newsroom.models import ArticlePage
from tests.channels.publishing import publish

pytestmark = pytest.mark.django_db


def test_a_first_publish_posts_to_the_channel_of_its_language(
    bot, channels, publication, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = publish(publication.analysis, title="Port strike ends")
    assert bot.state.links("@gazette") == [article.get_full_url()]
    assert bot.state.posts_to("@gaceta") == []  # Spanish channel: English article
    delivery = Delivery.objects.get(article=article)
    assert (delivery.channel.chat_id, delivery.state) == ("@gazette", Delivery.State.SENT)
    assert delivery.telegram_message_id is not None and delivery.attempts == 1
    call = bot.state.posts_to("@gazette")[0]
    assert call.method == "sendMessage"
    assert call.params["parse_mode"] == "HTML"
    assert call.params["link_preview_options"] == {"url": article.get_full_url()}
    assert call.params["text"].startswith("<b>Port strike ends</b>\n\nWhat happened today.")


def test_the_sections_of_a_channel_match_their_translations(
    bot, channels, publication, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        in_section = publish(publication.interviews_es, title="Entrevista nueva")
    assert bot.state.links("@gaceta") == [in_section.get_full_url()]
    analysis_es = publication.analysis.copy_for_translation(publication.es).specific
    analysis_es.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        publish(analysis_es, title="Análisis nuevo")
    assert len(bot.state.posts_to("@gaceta")) == 1  # not one of its sections
    assert bot.state.posts_to("@gazette") == []


def test_republishing_or_editing_never_posts_again(
    bot, channels, publication, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = publish(publication.analysis)
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Fresh news, updated"
        article.save_revision().publish()
        article = ArticlePage.objects.get(pk=article.pk)  # live, as the database says
        article.unpublish()
        assert not ArticlePage.objects.get(pk=article.pk).live
        article.save_revision().publish()
        assert ArticlePage.objects.get(pk=article.pk).live
    assert len(bot.state.posts_to("@gazette")) == 1
    assert Delivery.objects.filter(article=article).count() == 1


def test_an_article_with_auto_posting_off_is_not_posted(
    bot, channels, publication, django_capture_on_commit_callbacks
):
    article = newsroom.create_article(
        section=publication.analysis,
        publish=False,
        draft=newsroom.ArticleDraft(title="Quiet one", slug="quiet", standfirst="Shh."),
    )
    article.post_to_channels = False
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert bot.state.calls == []
    assert not Delivery.objects.filter(article=article).exists()


def test_a_disabled_channel_gets_nothing(
    bot, channels, publication, django_capture_on_commit_callbacks
):
    TelegramChannel.objects.filter(chat_id="@gazette").update(enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        publish(publication.analysis)
    assert bot.state.calls == []


def test_scheduled_publishing_posts_when_the_article_goes_live(
    bot, channels, publication, django_capture_on_commit_callbacks
):
    article = publication.draft  # an unpublished article in Analysis
    article.go_live_at = timezone.now() + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert bot.state.calls == []  # scheduled, not live
    # An hour later, as the scheduler sees it: the revision's time has come.
    past = timezone.now() - dt.timedelta(minutes=1)
    revision = article.latest_revision
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_scheduled")
    assert len(bot.state.posts_to("@gazette")) == 1


def test_bulk_loads_never_post(bot, channels, publication, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with fanout.quiet():
            publish(publication.analysis, title="Imported in bulk")
        # A backdated article is an import: it publishes quietly on its own.
        publish(
            publication.analysis,
            title="Archive piece",
            first_published_at=timezone.now() - dt.timedelta(days=400),
        )
    assert bot.state.calls == []
    assert not Delivery.objects.exists()


def test_the_demo_loader_posts_nothing(bot, db, django_capture_on_commit_callbacks):
    TelegramChannel.objects.create(name="Demo", chat_id="@gazette", language="en")
    TelegramChannel.objects.create(name="Demo es", chat_id="@gaceta", language="es")
    with django_capture_on_commit_callbacks(execute=True):
        result = loader.load_publication()
    assert result.articles > 0
    assert bot.state.calls == []
    assert not Delivery.objects.exists()


def test_without_a_bot_token_the_posts_are_skipped_with_the_reason(
    bot, settings, channels, publication, django_capture_on_commit_callbacks
):
    settings.TELEGRAM_BOT_TOKEN = ""
    with django_capture_on_commit_callbacks(execute=True):
        article = publish(publication.analysis)
    delivery = Delivery.objects.get(article=article)
    assert delivery.state == Delivery.State.SKIPPED
    assert "MASTHEAD_TELEGRAM_BOT_TOKEN" in delivery.api_message
    assert bot.state.calls == []
