"""Publishing an article and sending it by email in one flow, from the article's editor.

The publish dialog (newsroom/publishing.py) posts with the article's form: when to publish,
and "also send by email". Mail goes to the real loopback SMTP sink (``sink``); the task
backend is immediate in tests, so a send enqueued by a publish has gone out once the
request's commit callbacks have run.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from wagtail.models import Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from masthead.newsletter import sending
from masthead.newsletter.models import Delivery, Edition
from masthead.newsroom import services as newsroom
from masthead.newsroom.models import ArticlePage
from tests.newsletter import factories

pytestmark = pytest.mark.django_db

BODY = "The tide came in twice that evening"


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(user)
    return user


@pytest.fixture
def daily(publication):
    return factories.newsletter(name="The Daily", slug="daily", language="en")


@pytest.fixture
def diario(publication):
    return factories.newsletter(name="El Diario", slug="diario", language="es")


@pytest.fixture
def readers(daily):
    emails = [f"r{i}@example.org" for i in range(3)]
    for email in emails:
        factories.subscriber(daily, email)
    return emails


@pytest.fixture
def draft(publication):
    return newsroom.create_article(
        section=publication.analysis,
        publish=False,
        draft=newsroom.ArticleDraft(
            title="Two tides", slug="two-tides", standfirst="A harbour's strange evening."
        ),
    )


def _form(article: ArticlePage, **options: str) -> dict:
    return {
        **nested_form_data(
            {
                "title": article.title,
                "slug": article.slug,
                "standfirst": article.standfirst,
                "kind": "news",
                "bylines": inline_formset([]),
                "subjects": inline_formset([]),
                "body": streamfield([("paragraph", rich_text(f"<p>{BODY}.</p>"))]),
                "subject_note": rich_text(""),
                "topics": "",
            }
        ),
        "action-publish": "action-publish",
        "publish-when": "now",
        **options,
    }


def _send_to(newsletter, **more: str) -> dict:
    return {
        "email-send": "on",
        "email-newsletter": str(newsletter.pk),
        "email-content": "teaser",
        **more,
    }


def _post(client, article, django_capture_on_commit_callbacks, **options):
    url = reverse("wagtailadmin_pages:edit", args=[article.pk])
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, _form(article, **options))


def _errors(response) -> str:
    """Every error the publish dialog shows, as one string."""
    html = response.content.decode()
    return html[html.index('id="publish-dialog"') :] if 'id="publish-dialog"' in html else html


# Now --------------------------------------------------------------------------------------


def test_publish_and_send_makes_one_edition_of_the_article_and_mails_each_reader_once(
    client, editor, sink, draft, daily, readers, django_capture_on_commit_callbacks
):
    response = _post(client, draft, django_capture_on_commit_callbacks, **_send_to(daily))

    assert response.status_code == 302, _errors(response)
    draft.refresh_from_db()
    assert draft.live
    [edition] = Edition.objects.all()
    assert (edition.article_id, edition.newsletter, edition.status) == (
        draft.pk,
        daily,
        Edition.Status.SENT,
    )
    assert edition.subject == "Two tides" and edition.with_publish
    assert sink.rcpt_counts() == dict.fromkeys(readers, 1)
    assert Delivery.objects.filter(edition=edition, status=Delivery.Status.SENT).count() == 3


def test_a_republish_or_an_edit_never_sends_it_again(
    client, editor, sink, draft, daily, readers, django_capture_on_commit_callbacks
):
    _post(client, draft, django_capture_on_commit_callbacks, **_send_to(daily))

    # An edit, published without the box ticked: nothing more goes out.
    again = _post(client, draft, django_capture_on_commit_callbacks)
    assert again.status_code == 302, again.context["form"].errors
    # Ticked again by mistake: refused with a reason, and nothing is written.
    twice = _post(client, draft, django_capture_on_commit_callbacks, **_send_to(daily))
    assert twice.status_code == 200
    assert "already sent by email to The Daily" in _errors(twice)

    assert Edition.objects.count() == 1
    assert sink.rcpt_counts() == dict.fromkeys(readers, 1)


def test_publishing_without_the_box_ticked_sends_nothing(
    client, editor, sink, draft, daily, readers, django_capture_on_commit_callbacks
):
    response = _post(client, draft, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert not Edition.objects.exists() and not sink.messages


def test_the_dialog_offers_the_newsletter_of_the_articles_language_with_its_readers(
    client, editor, draft, daily, diario, readers
):
    factories.subscriber(diario, "lector@example.org")
    html = client.get(reverse("wagtailadmin_pages:edit", args=[draft.pk])).content.decode()

    dialog = html[html.index('id="publish-dialog"') :]
    assert (
        f'<option value="{daily.pk}" selected data-language="en">The Daily (3 confirmed readers)'
        in dialog
    )
    assert "El Diario (1 confirmed reader)" in dialog
    assert "Time zone: " in dialog
    # Publishing is the article's main action: the dialog's opener comes first in the footer.
    footer = html[html.index("<footer") :]
    assert footer.index("data-publish-open") < footer.index("action-save")


# Scheduled --------------------------------------------------------------------------------


def test_a_scheduled_send_waits_for_the_article_and_goes_out_once_when_it_goes_live(
    client, editor, sink, draft, daily, readers, django_capture_on_commit_callbacks
):
    at = timezone.localtime() + dt.timedelta(hours=2)
    response = _post(
        client,
        draft,
        django_capture_on_commit_callbacks,
        **{"publish-when": "at", "publish-at": at.strftime("%Y-%m-%dT%H:%M")},
        **_send_to(daily),
    )

    assert response.status_code == 302, _errors(response)
    draft.refresh_from_db()
    [edition] = Edition.objects.all()
    assert not draft.live and edition.status == Edition.Status.AWAITING
    # The schedule is Wagtail's: its revision waits for go-live, at the minute chosen.
    revision = Revision.page_revisions.get(
        object_id=str(draft.pk), approved_go_live_at__isnull=False
    )
    assert revision.approved_go_live_at == at.replace(second=0, microsecond=0)

    with django_capture_on_commit_callbacks(execute=True):
        sending.send_due_editions()  # the editions' sweep leaves it to the publish
        call_command("publish_scheduled")  # not due yet
    assert not sink.messages

    # Two hours later, the scheduler runs, and runs again. The send is enqueued on commit,
    # once the clock is back (the SMTP sink's thread keeps the real one).
    later = freeze_time(at + dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True), later:
        call_command("publish_scheduled")
        call_command("publish_scheduled")
    sending.send_due_editions()

    draft.refresh_from_db()
    edition.refresh_from_db()
    assert draft.live and edition.status == Edition.Status.SENT
    assert sink.rcpt_counts() == dict.fromkeys(readers, 1)


def test_a_time_already_past_is_refused_and_nothing_is_written(
    client, editor, sink, draft, daily, readers, django_capture_on_commit_callbacks
):
    past = timezone.localtime() - dt.timedelta(hours=1)
    revisions = draft.revisions.count()
    response = _post(
        client,
        draft,
        django_capture_on_commit_callbacks,
        **{"publish-when": "at", "publish-at": past.strftime("%Y-%m-%dT%H:%M")},
        **_send_to(daily),
    )

    assert response.status_code == 200
    assert "Choose a time in the future" in _errors(response)
    draft.refresh_from_db()
    assert not draft.live and draft.revisions.count() == revisions
    assert not Edition.objects.exists() and not sink.messages


def test_at_a_time_without_a_time_is_refused(
    client, editor, draft, django_capture_on_commit_callbacks
):
    response = _post(client, draft, django_capture_on_commit_callbacks, **{"publish-when": "at"})
    assert response.status_code == 200
    assert "Choose the time to publish at." in _errors(response)
    draft.refresh_from_db()
    assert not draft.live


def test_a_schedule_set_earlier_is_offered_again_when_the_editor_comes_back(client, editor, draft):
    # Set in Wagtail's own "Schedule" dialog, saved with the draft.
    at = (timezone.localtime() + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    data = _form(draft, go_live_at=at.strftime("%Y-%m-%d %H:%M"))
    del data["action-publish"], data["publish-when"]
    edit = reverse("wagtailadmin_pages:edit", args=[draft.pk])
    assert client.post(edit, data).status_code == 302
    html = client.get(edit).content.decode()
    dialog = html[html.index('id="publish-dialog"') :]
    local = timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{local}"' in dialog
    assert re.search(r'value="at"[^>]* checked', dialog)


# Language ---------------------------------------------------------------------------------


def test_an_english_article_to_a_spanish_newsletter_needs_confirmation(
    client, editor, sink, draft, diario, django_capture_on_commit_callbacks
):
    factories.subscriber(diario, "lector@example.org")

    refused = _post(client, draft, django_capture_on_commit_callbacks, **_send_to(diario))
    assert refused.status_code == 200
    assert "This article is in English and El Diario is sent in Spanish" in _errors(refused)
    draft.refresh_from_db()
    assert not draft.live and not Edition.objects.exists()

    confirmed = _post(
        client,
        draft,
        django_capture_on_commit_callbacks,
        **_send_to(diario, **{"email-confirm_language": "on"}),
    )
    assert confirmed.status_code == 302, _errors(confirmed)
    [edition] = Edition.objects.all()
    assert edition.newsletter == diario and edition.status == Edition.Status.SENT
    assert sink.rcpt_counts() == {"lector@example.org": 1}


# Bad input --------------------------------------------------------------------------------


def test_a_newsletter_that_does_not_exist_is_refused(
    client, editor, draft, daily, readers, django_capture_on_commit_callbacks
):
    response = _post(
        client,
        draft,
        django_capture_on_commit_callbacks,
        **{"email-send": "on", "email-newsletter": "999999", "email-content": "teaser"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in _errors(response)
    draft.refresh_from_db()
    assert not draft.live and not Edition.objects.exists()


def test_a_newsletter_without_confirmed_readers_is_refused(
    client, editor, draft, daily, django_capture_on_commit_callbacks
):
    factories.subscriber(daily, "pending@example.org", status="pending")
    response = _post(client, draft, django_capture_on_commit_callbacks, **_send_to(daily))
    assert response.status_code == 200
    assert "The Daily has no confirmed readers yet" in _errors(response)
    draft.refresh_from_db()
    assert not draft.live and not Edition.objects.exists()


def test_a_subject_or_intro_with_a_line_break_is_refused(
    client, editor, draft, daily, readers, django_capture_on_commit_callbacks
):
    response = _post(
        client,
        draft,
        django_capture_on_commit_callbacks,
        **_send_to(daily, **{"email-intro": "Hello\r\nBcc: everyone@example.org"}),
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert not draft.live and not Edition.objects.exists()


def test_saving_a_draft_with_the_box_ticked_sends_nothing_and_says_so(
    client, editor, sink, draft, daily, readers, django_capture_on_commit_callbacks
):
    data = _form(draft, **_send_to(daily))
    del data["action-publish"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[draft.pk]), data, follow=True
        )
    assert "Nothing was sent" in response.content.decode()
    assert not Edition.objects.exists() and not sink.messages


def test_other_pages_keep_wagtails_own_publish_button(client, editor, publication):
    html = client.get(
        reverse("wagtailadmin_pages:edit", args=[publication.analysis.pk])
    ).content.decode()
    assert "data-publish-open" not in html and 'name="action-publish"' in html
