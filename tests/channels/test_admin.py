"""The admin: channels configured there, each article's posts with their states, re-send."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from masthead.channels.models import Delivery, PendingFanOut, TelegramChannel
from tests.audience.worker import run_the_worker, use_database_queue
from tests.channels.publishing import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(user)
    return user


def _article_form(title: str, slug: str) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "standfirst": "Said by the editor & friends.",
            "kind": "news",
            "bylines": inline_formset([]),
            "subjects": inline_formset([]),
            "body": streamfield([]),
            "subject_note": rich_text(""),
            "topics": "",
            "post_to_channels": "on",
            "action-publish": "action-publish",
        }
    )


def test_publishing_in_the_admin_answers_at_once_while_telegram_is_down(
    bot, settings, editor, client, channels, publication, django_capture_on_commit_callbacks
):
    use_database_queue(settings)  # the production queue: the worker posts, not the request
    bot.stop()
    add = reverse(
        "wagtailadmin_pages:add", args=["newsroom", "articlepage", publication.analysis.pk]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add, _article_form("Editors <3 tests", "editors-tests"))
    assert response.status_code == 302, response.content[:2000]
    # The request handed the publish to the worker in one row: it chose no channel itself.
    assert PendingFanOut.objects.filter(article__slug="editors-tests").exists()
    assert not Delivery.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        run_the_worker()  # the fan-out: one post queued, and the channel's drain
    assert not PendingFanOut.objects.exists()
    delivery = Delivery.objects.get(article__slug="editors-tests")
    assert (delivery.state, delivery.attempts) == (Delivery.State.QUEUED, 0)

    run_the_worker()  # Telegram still down: nothing lost, tried again later
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.QUEUED, 1)

    bot.start()
    Delivery.objects.update(next_attempt_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        from django.core.management import call_command

        call_command("channels_sweep")
    run_the_worker()
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT
    (call,) = bot.state.posted
    assert call.params["text"].startswith("<b>Editors &lt;3 tests</b>")


def test_the_article_shows_each_post_with_telegrams_words(
    bot, editor, client, channels, publication, django_capture_on_commit_callbacks
):
    bot.state.not_admin.add("@gazette")
    with django_capture_on_commit_callbacks(execute=True):
        article = publish(publication.analysis)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[article.pk]))
    url = reverse("channels_admin:article", args=[article.pk])
    assert url.encode() in edit.content  # "Channel posts" in the article's header menu
    page = client.get(url)
    assert page.status_code == 200
    assert b"Failed" in page.content
    assert b"bot is not a member of the channel chat" in page.content
    assert b"Re-send" in page.content


def test_an_uncertain_post_is_explained_and_can_be_marked_or_resent(
    bot, editor, client, channels, publication, django_capture_on_commit_callbacks
):
    bot.state.script = [("status", 500)]
    with django_capture_on_commit_callbacks(execute=True):
        article = publish(publication.analysis)
    delivery = Delivery.objects.get(article=article)
    page = client.get(reverse("channels_admin:article", args=[article.pk]))
    assert b"Telegram may have posted it" in page.content
    assert b"It was posted" in page.content

    resend = reverse("channels_admin:resend", args=[article.pk, delivery.pk])
    assert client.get(resend).status_code == 405  # an action is a POST
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend)
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT
    assert len(bot.state.posted) == 1

    # Sent now: a second re-send is refused, with a message rather than a second post.
    response = client.post(resend, follow=True)
    assert b"Only a failed, skipped or uncertain post" in response.content
    assert len(bot.state.posted) == 1


def test_marking_an_uncertain_post_as_sent(
    bot, editor, client, channels, publication, django_capture_on_commit_callbacks
):
    bot.state.script = [("slow",)]
    with django_capture_on_commit_callbacks(execute=True):
        article = publish(publication.analysis)
    delivery = Delivery.objects.get(article=article)
    assert delivery.state == Delivery.State.UNCERTAIN
    client.post(reverse("channels_admin:mark_sent", args=[article.pk, delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT
    assert len(bot.state.calls) == 1


def test_an_article_published_quietly_can_be_posted_by_hand(
    bot, editor, client, channels, publication, django_capture_on_commit_callbacks
):
    article = publication.others[1]  # backdated fixture article in Analysis: never posted
    page = client.get(reverse("channels_admin:article", args=[article.pk]))
    assert b"Post to these channels" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("channels_admin:post_now", args=[article.pk]))
    assert bot.state.links("@gazette") == [article.get_full_url()]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("channels_admin:post_now", args=[article.pk]), follow=True)
    assert b"no channel left" in response.content
    assert len(bot.state.posted) == 1


def test_bad_requests_get_404_and_403_not_500(
    bot, client, channels, publication, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = publish(publication.analysis)
        other = publish(publication.analysis)
    delivery = Delivery.objects.get(article=article)
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    # Another article's post, an unknown article, a page that is not an article.
    assert (
        client.post(reverse("channels_admin:resend", args=[other.pk, delivery.pk])).status_code
        == 404
    )
    assert client.get(reverse("channels_admin:article", args=[999_999])).status_code == 404
    assert (
        client.get(reverse("channels_admin:article", args=[publication.analysis.pk])).status_code
        == 404
    )
    # An admin user without rights on the article.
    staff = get_user_model().objects.create_user("intern", "intern@example.org", "pw")
    group = Group.objects.create(name="Admin only")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    staff.groups.add(group)
    client.force_login(staff)
    assert client.get(reverse("channels_admin:article", args=[article.pk])).status_code in {
        302,
        403,
    }
    assert client.post(
        reverse("channels_admin:resend", args=[article.pk, delivery.pk])
    ).status_code in {302, 403}
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT


def test_channels_are_configured_in_the_admin_and_bad_chat_ids_refused(
    editor, client, publication
):
    add = reverse("telegram_channel:add")
    form = {"name": "Gazette", "chat_id": "not a chat", "language": "en", "enabled": "on"}
    response = client.post(add, form)
    assert response.status_code == 200
    assert b"such as -1001234567890" in response.content  # the field's error
    assert not TelegramChannel.objects.exists()
    response = client.post(
        add, {**form, "chat_id": "@thelongtable", "sections": [publication.interviews.pk]}
    )
    assert response.status_code == 302
    channel = TelegramChannel.objects.get()
    assert channel.sections.get().pk == publication.interviews.pk
    assert client.get(reverse("telegram_channel:index")).status_code == 200
    assert client.get(reverse("channel_post:index")).status_code == 200
