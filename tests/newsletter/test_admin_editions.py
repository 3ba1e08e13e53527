"""The editors' side of newsletters in the Wagtail admin: an edition from an article or as a
digest, its page with preview, a test to oneself, send now, schedule, cancel, and its report.

Mail goes to the real loopback SMTP sink (``sink``); the task backend is immediate in
tests, so "send now" has sent by the time the POST returns.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from masthead.audience.models import Subscription
from masthead.newsletter import queries, sending, services
from masthead.newsletter.models import Delivery, Edition
from tests.newsletter import factories

pytestmark = pytest.mark.django_db

NS = "wagtailsnippets_newsletter_edition"


def url(name: str, *args: object) -> str:
    return reverse(f"{NS}:{name}", args=args)


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(user)
    return user


@pytest.fixture
def daily():
    return factories.newsletter(name="The Daily", slug="daily", language="en")


@pytest.fixture
def readers(daily):
    return [factories.subscriber(daily, f"r{i}@example.org") for i in range(3)]


def _messages(response) -> list[str]:
    return [str(m).strip() for m in response.context["messages"]] if response.context else []


def _follow(client, response):
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"])


# "Send this by email" from an article -------------------------------------------------


def test_a_live_article_offers_send_by_email_in_its_menus(client, editor, publication):
    button = url("from_article", publication.flagship.pk).encode()
    edit_live = client.get(reverse("wagtailadmin_pages:edit", args=[publication.flagship.pk]))
    edit_draft = client.get(reverse("wagtailadmin_pages:edit", args=[publication.draft.pk]))

    assert button in edit_live.content
    assert url("from_article", publication.draft.pk).encode() not in edit_draft.content
    # And in the page explorer's listing of the section.
    listing = client.get(reverse("wagtailadmin_explore", args=[publication.interviews.pk]))
    assert button in listing.content


def test_send_by_email_prefills_the_title_and_the_newsletter_in_the_articles_language(
    client, editor, publication
):
    factories.newsletter(name="A Daily", slug="daily", language="en")
    diario = factories.newsletter(name="El Diario", slug="diario", language="es")

    form = client.get(url("from_article", publication.flagship_es.pk)).context["form"]

    assert form.initial == {"newsletter": diario, "subject": "Sal y plata: una conversación"}


def test_send_by_email_creates_a_draft_edition_of_the_article_and_opens_it(
    client, editor, publication, daily
):
    article = publication.flagship
    response = client.post(
        url("from_article", article.pk), {"newsletter": daily.pk, "subject": "Read this"}
    )

    edition = Edition.objects.get()
    assert (edition.newsletter, edition.subject, edition.article_id, edition.status) == (
        daily,
        "Read this",
        article.pk,
        Edition.Status.DRAFT,
    )
    assert response["Location"] == url("inspect", edition.pk)
    page = client.get(response["Location"])
    assert b"Read this" in page.content and b"Article" in page.content


def test_a_draft_article_cannot_be_sent_by_email(client, editor, publication, daily):
    response = client.post(
        url("from_article", publication.draft.pk), {"newsletter": daily.pk, "subject": "No"}
    )
    # A 404, which the site's language middleware turns into a redirect to /en/…
    assert response.status_code in {302, 404}
    assert not Edition.objects.exists()


def test_a_subject_on_two_lines_is_refused_by_the_form(client, editor, publication, daily):
    response = client.post(
        url("from_article", publication.flagship.pk),
        {"newsletter": daily.pk, "subject": "Hi\r\nBcc: x@example.org"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["subject"]
    assert not Edition.objects.exists()


def test_an_edition_made_with_the_add_form_opens_on_its_page(client, editor, daily):
    response = client.post(
        url("add"), {"newsletter": daily.pk, "subject": "A note", "article": ""}
    )
    edition = Edition.objects.get()
    assert response["Location"] == url("inspect", edition.pk)
    assert b"Message" in client.get(response["Location"]).content


def test_a_sent_edition_can_no_longer_be_edited(client, editor, daily):
    edition = services.create_edition(newsletter=daily, subject="Gone out")
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT)
    assert client.get(url("edit", edition.pk))["Location"] == url("inspect", edition.pk)
    response = client.post(
        url("edit", edition.pk), {"newsletter": daily.pk, "subject": "Rewritten", "article": ""}
    )
    assert response["Location"] == url("inspect", edition.pk)
    edition.refresh_from_db()
    assert edition.subject == "Gone out"


def test_a_draft_edition_can_still_be_edited(client, editor, daily):
    edition = services.create_edition(newsletter=daily, subject="Draft")
    assert client.get(url("edit", edition.pk)).status_code == 200
    client.post(
        url("edit", edition.pk), {"newsletter": daily.pk, "subject": "Better", "article": ""}
    )
    edition.refresh_from_db()
    assert edition.subject == "Better"


def test_an_edition_being_sent_cannot_be_deleted(client, editor, daily):
    edition = services.create_edition(newsletter=daily, subject="In flight")
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENDING)
    response = client.post(url("delete", edition.pk))
    assert response["Location"] == url("inspect", edition.pk)
    assert Edition.objects.filter(pk=edition.pk).exists()


# Digest from the admin ---------------------------------------------------------------


def test_the_edition_list_offers_a_new_digest(client, editor):
    assert url("digest").encode() in client.get(url("list")).content


def test_a_digest_is_made_from_the_admin_and_opened(client, editor, publication, daily):
    response = client.post(url("digest"), {"newsletter": daily.pk, "subject": ""})

    edition = Edition.objects.get()
    assert response["Location"] == url("inspect", edition.pk)
    page = client.get(response["Location"])
    assert b"Digest" in page.content
    assert b"Dispatch number 0" in page.content


def test_an_empty_digest_says_so_and_makes_nothing(client, editor, publication):
    nothing = factories.newsletter(name="Le Quotidien", slug="quotidien", language="es")
    services.create_digest_edition(nothing)  # takes the one Spanish article
    Edition.objects.update(status=Edition.Status.SENT)

    response = client.post(url("digest"), {"newsletter": nothing.pk, "subject": ""})

    assert response.status_code == 200
    assert "Nothing to send" in str(response.context["form"].non_field_errors())
    assert Edition.objects.count() == 1


# The edition's page: preview and a test to oneself ------------------------------------


@pytest.fixture
def article_edition(publication, daily):
    return services.create_edition(
        newsletter=daily, subject="Salt and Silver", article=publication.flagship
    )


def test_the_preview_renders_the_html_email_with_its_headline_and_an_unsubscribe_link(
    client, editor, article_edition
):
    html = client.get(url("preview_html", article_edition.pk))

    assert html.status_code == 200
    assert html["Content-Type"].startswith("text/html")
    assert b"Salt and Silver: A Conversation" in html.content
    link = re.search(rb'<a href="([^"]+)"[^>]*>Unsubscribe</a>', html.content)
    assert link and b"/unsubscribe/" in link.group(1)
    # The frame may show it; its own markup runs no script.
    assert html["X-Frame-Options"] == "SAMEORIGIN"
    assert "sandbox" in html["Content-Security-Policy"]


def test_the_preview_page_frames_the_html_and_shows_the_text(client, editor, article_edition):
    page = client.get(url("preview", article_edition.pk))

    assert page.status_code == 200
    assert url("preview_html", article_edition.pk).encode() in page.content
    assert b"Read it here:" in page.content  # the plain-text part
    assert b"Unsubscribe:" in page.content


def test_the_preview_unsubscribe_link_unsubscribes_no_one(client, editor, article_edition):
    factories.subscriber(article_edition.newsletter, "reader@example.org")
    html = client.get(url("preview_html", article_edition.pk)).content.decode()
    link = re.search(r'href="http://localhost([^"]+/unsubscribe/[^"]+)"', html).group(1)

    assert Client().post(link).status_code == 404
    assert Subscription.objects.get().status == Subscription.Status.CONFIRMED


def test_a_test_send_reaches_the_editor_only_with_both_parts_and_no_delivery_row(
    client, editor, article_edition, readers, sink
):
    response = client.post(url("send_test", article_edition.pk))

    assert "A test was sent to editor@example.org." in _messages(_follow(client, response))
    assert [r.rcpt for r in sink.received] == ["editor@example.org"]
    message = sink.received[0].parsed()
    assert message["Subject"] == "[Test] Salt and Silver"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "Salt and Silver: A Conversation" in html and "Unsubscribe" in html
    assert "Salt and Silver: A Conversation" in text
    assert not Delivery.objects.exists()
    article_edition.refresh_from_db()
    assert article_edition.status == Edition.Status.DRAFT


def test_each_test_send_has_its_own_message_id(client, editor, article_edition, sink):
    client.post(url("send_test", article_edition.pk))
    client.post(url("send_test", article_edition.pk))
    assert len({r.message_id for r in sink.received}) == 2


def test_a_test_send_without_an_email_address_says_so(client, editor, article_edition, sink):
    editor.email = ""
    editor.save()
    response = client.post(url("send_test", article_edition.pk))
    assert any("no email address" in m for m in _messages(_follow(client, response)))
    assert sink.received == []


def test_test_sends_are_rate_limited(client, editor, article_edition, sink, monkeypatch):
    from masthead.newsletter import admin_views

    monkeypatch.setattr(admin_views, "TEST_SENDS_PER_WINDOW", 2)
    for _ in range(3):
        response = client.post(url("send_test", article_edition.pk))
    assert any("wait a little" in m for m in _messages(_follow(client, response)))
    assert len(sink.received) == 2


# Send now, schedule, cancel ----------------------------------------------------------


def test_send_now_asks_for_confirmation_with_the_audience_size(
    client, editor, article_edition, readers
):
    page = client.get(url("send_now", article_edition.pk))
    assert page.status_code == 200
    assert b"3 confirmed subscribers of The Daily" in page.content
    article_edition.refresh_from_db()
    assert article_edition.status == Edition.Status.DRAFT


def test_send_now_sends_one_copy_to_each_subscriber_even_when_posted_twice(
    client, editor, article_edition, readers, sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url("send_now", article_edition.pk))
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url("send_now", article_edition.pk))

    assert sink.rcpt_counts() == {reader.email: 1 for reader in readers}
    article_edition.refresh_from_db()
    assert article_edition.status == Edition.Status.SENT
    assert first["Location"] == second["Location"] == url("inspect", article_edition.pk)
    notes = " ".join(_messages(_follow(client, second)))
    assert "Sending started" in notes
    assert "already being sent or was sent" in notes


def test_enqueuing_the_same_send_twice_mails_each_reader_once(article_edition, readers, sink):
    # What a double click does with a real queue: two tasks for one edition. The second
    # finds the edition sent (or shares its ledger) and sends nothing again.
    services.enqueue_send(edition=article_edition)
    services.enqueue_send(edition=article_edition)
    assert sink.rcpt_counts() == {reader.email: 1 for reader in readers}


def _field_errors(response, name: str) -> str:
    """The errors Wagtail shows inside one field's box, between its label and its input."""
    body = response.content.decode()
    box = body[body.index(f'data-contentpath="{name}"') :]
    box = box[: box.index(f'name="{name}"')]
    return " ".join(re.findall(r'<p class="error-message">\s*(.*?)\s*</p>', box, re.S))


def test_scheduling_in_the_past_is_refused_at_the_field(client, editor, article_edition):
    past = timezone.localtime() - dt.timedelta(hours=1)
    typed = past.strftime("%Y-%m-%d %H:%M")
    response = client.post(url("schedule", article_edition.pk), {"at": typed})

    # The edition's page again, not a redirect: the error under "Send at", what was typed kept.
    assert response.status_code == 400
    assert "Choose a time in the future" in _field_errors(response, "at")
    assert f'value="{typed}"' in response.content.decode()
    assert "see “Send at”" in " ".join(_messages(response))
    article_edition.refresh_from_db()
    assert (article_edition.status, article_edition.scheduled_at) == (Edition.Status.DRAFT, None)


def test_an_unreadable_time_is_refused_at_the_field(client, editor, article_edition):
    response = client.post(url("schedule", article_edition.pk), {"at": "next tuesday"})
    assert response.status_code == 400
    assert "Enter a valid date/time" in _field_errors(response, "at")
    article_edition.refresh_from_db()
    assert article_edition.status == Edition.Status.DRAFT


def test_the_edition_page_loads_the_date_picker_and_says_the_format(
    client, editor, article_edition
):
    body = client.get(url("inspect", article_edition.pk)).content.decode()
    # The widget's inline initDateTimeChooser(...) call needs the picker's script first.
    picker = body.index("wagtailadmin/js/date-time-chooser.js")
    assert picker < body.index("initDateTimeChooser(")
    assert "YYYY-MM-DD HH:MM" in body


def test_scheduling_in_the_future_then_cancelling(client, editor, article_edition, readers, sink):
    later = (timezone.localtime() + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    client.post(url("schedule", article_edition.pk), {"at": later.strftime("%Y-%m-%d %H:%M")})
    article_edition.refresh_from_db()
    assert (article_edition.status, article_edition.scheduled_at) == (
        Edition.Status.SCHEDULED,
        later,
    )
    # A scheduled edition is not sent now: it is cancelled first.
    client.post(url("send_now", article_edition.pk))
    assert sink.received == []

    response = client.post(url("cancel", article_edition.pk))

    assert "nothing was sent" in " ".join(_messages(_follow(client, response)))
    article_edition.refresh_from_db()
    assert article_edition.status == Edition.Status.CANCELLED
    # The sweep leaves a cancelled edition alone even once its old time has come.
    sending.send_due_editions(now=later + dt.timedelta(minutes=1))
    assert sink.received == []


def test_a_draft_cannot_be_cancelled(client, editor, article_edition):
    response = client.post(url("cancel", article_edition.pk))
    assert "Only a scheduled edition" in " ".join(_messages(_follow(client, response)))
    article_edition.refresh_from_db()
    assert article_edition.status == Edition.Status.DRAFT


def test_a_cancelled_edition_can_still_be_sent(client, editor, article_edition, readers, sink):
    services.schedule_edition(edition=article_edition, at=timezone.now() + dt.timedelta(hours=1))
    services.cancel_edition(edition=article_edition)
    client.post(url("send_now", article_edition.pk))
    assert sink.rcpt_counts() == {reader.email: 1 for reader in readers}


def test_an_editor_may_still_send_a_stale_edition(client, editor, article_edition, readers, sink):
    # Stale: found long after its time, so never sent by itself (test_sending.py).
    Edition.objects.filter(pk=article_edition.pk).update(status=Edition.Status.STALE)
    assert url("send_now", article_edition.pk).encode() in (
        client.get(url("inspect", article_edition.pk)).content
    )
    client.post(url("send_now", article_edition.pk))
    assert sink.rcpt_counts() == {reader.email: 1 for reader in readers}


def test_a_sent_edition_cannot_be_scheduled(client, editor, article_edition, readers, sink):
    sending.send_edition(edition=article_edition)
    later = timezone.localtime() + dt.timedelta(days=1)
    response = client.post(
        url("schedule", article_edition.pk), {"at": later.strftime("%Y-%m-%d %H:%M")}
    )
    assert "already being sent or was sent" in " ".join(_messages(_follow(client, response)))


# Who may do what ---------------------------------------------------------------------


def _admin_without_edition_rights(client):
    user = get_user_model().objects.create_user("reader", "reader@example.org", "pw")
    group = Group.objects.create(name="Admin only")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    client.force_login(user)
    return user


def _refused(response) -> bool:
    # Wagtail answers a refused admin view with 403, or a redirect to the dashboard.
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


ACTIONS = ["preview", "preview_html", "send_test", "send_now", "schedule", "cancel"]


@pytest.mark.parametrize("action", ACTIONS)
def test_an_admin_user_who_cannot_change_editions_is_refused(
    client, article_edition, readers, sink, action
):
    _admin_without_edition_rights(client)
    later = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")

    assert _refused(client.get(url(action, article_edition.pk)))
    assert _refused(client.post(url(action, article_edition.pk), {"at": later}))
    assert sink.received == []
    article_edition.refresh_from_db()
    assert article_edition.status == Edition.Status.DRAFT


def test_making_editions_needs_the_right_to_add_them(client, publication, daily):
    _admin_without_edition_rights(client)
    assert _refused(client.get(url("from_article", publication.flagship.pk)))
    assert _refused(client.post(url("digest"), {"newsletter": daily.pk}))
    page = client.get(reverse("wagtailadmin_pages:edit", args=[publication.flagship.pk]))
    assert url("from_article", publication.flagship.pk).encode() not in page.content
    assert not Edition.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_sign_in_page(article_edition, sink):
    response = Client().post(url("send_now", article_edition.pk))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]
    assert sink.received == []


@pytest.mark.parametrize("action", ["send_test", "send_now", "schedule", "cancel"])
def test_actions_need_the_csrf_token(editor, article_edition, readers, sink, action):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(url(action, article_edition.pk)).status_code == 403
    assert sink.received == []


# The report --------------------------------------------------------------------------


def _stat(page, name: str) -> int:
    found = re.search(rf'data-stat="{name}">([\d,.]+)<', page.content.decode())
    return int(re.sub(r"\D", "", found.group(1)))


def test_the_edition_page_and_list_report_what_happened(
    client, editor, article_edition, daily, sink
):
    for name in ["ana", "bea", "cy", "dee", "eve"]:
        factories.subscriber(daily, f"{name}@example.org")
    factories.suppress("eve@example.org")
    sink.reject.add("bea@example.org")
    sending.send_edition(edition=article_edition)
    # An ESP's bounce webhook, after the fact (set directly here: tracking has its tests).
    Delivery.objects.filter(email="cy@example.org").update(bounced_at=timezone.now())
    # Ana unsubscribes through the link in her copy.
    text = sink.for_rcpt("ana@example.org")[0].parsed().get_body(("plain",)).get_content()
    link = re.search(r"Unsubscribe: http://localhost(\S+)", text).group(1)
    assert Client().post(link).status_code == 200

    page = client.get(url("inspect", article_edition.pk))

    assert page.status_code == 200
    expected = {
        "recipients": 4,
        "sent": 3,
        "failed": 1,
        "skipped": 0,
        "bounced": 1,
        "complained": 0,
        "unsubscribed": 1,
        "excluded": 1,
    }
    assert {name: _stat(page, name) for name in expected} == expected
    listed = queries.editions_with_counts().get(pk=article_edition.pk)
    assert (
        listed.sent_count,
        listed.failed_count,
        listed.bounced_count,
        listed.unsubscribed_count,
        listed.is_digest,
    ) == (3, 1, 1, 1, False)
    listing = client.get(url("list"))
    assert listing.status_code == 200 and b"Salt and Silver" in listing.content
    assert url("inspect", article_edition.pk).encode() in listing.content


def test_the_newsletter_list_shows_confirmed_subscribers(client, editor, daily):
    for i in range(3):
        factories.subscriber(daily, f"c{i}@example.org")
    factories.subscriber(daily, "pending@example.org", status=Subscription.Status.PENDING)

    listing = client.get(reverse("wagtailsnippets_audience_newsletter:list"))

    assert queries.newsletters_with_counts().get(pk=daily.pk).subscribers_count == 3
    assert re.search(rb"<td[^>]*>\s*3\s*</td>", listing.content)


def test_the_edition_page_lists_a_digests_articles_and_its_actions(
    client, editor, publication, daily
):
    digest = services.create_digest_edition(daily)
    page = client.get(url("inspect", digest.pk))
    for action in ["preview", "send_test", "send_now", "schedule"]:
        assert url(action, digest.pk).encode() in page.content
    assert url("cancel", digest.pk).encode() not in page.content
    assert b"6 articles in this digest" in page.content
