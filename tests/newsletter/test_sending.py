"""Sending an edition to a real SMTP server on loopback: who gets it, and what they get."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from masthead.audience import services as audience_services
from masthead.audience.models import Newsletter, Subscription, Suppression
from masthead.newsletter import queries, sending, services
from masthead.newsletter.models import Delivery, Edition
from tests.newsletter import factories

pytestmark = pytest.mark.django_db

SENT = Delivery.Status.SENT


@pytest.fixture
def audience():
    daily = factories.newsletter()
    other = factories.newsletter(name="Weekly", slug="weekly")
    confirmed = [f"reader{i}@example.org" for i in range(7)]
    for email in confirmed:
        factories.subscriber(daily, email)
    factories.subscriber(daily, "pending@example.org", Subscription.Status.PENDING)
    factories.subscriber(daily, "gone@example.org", Subscription.Status.UNSUBSCRIBED)
    factories.subscriber(daily, "Blocked@Example.org")
    factories.suppress("blocked@example.org")
    factories.subscriber(other, "weekly-only@example.org")
    return daily, confirmed


def test_every_eligible_reader_gets_exactly_one_copy_and_nobody_else_any(sink, audience):
    daily, confirmed = audience
    edition = services.create_edition(newsletter=daily, subject="Monday")

    edition = sending.send_edition(edition=edition)

    assert sink.rcpt_counts() == dict.fromkeys(confirmed, 1)
    assert edition.status == Edition.Status.SENT and edition.finished_at
    assert (edition.recipients_count, edition.excluded_count) == (7, 1)
    assert queries.delivery_counts(edition)[SENT] == 7
    assert sink.sessions == 1  # one SMTP connection for the whole edition


def test_sending_a_sent_edition_again_mails_nobody(sink, audience):
    daily, _ = audience
    edition = sending.send_edition(edition=services.create_edition(newsletter=daily, subject="A"))
    sending.send_edition(edition=edition)
    assert sum(sink.rcpt_counts().values()) == 7


def test_a_permanently_refused_recipient_fails_is_suppressed_and_the_batch_goes_on(sink, audience):
    daily, confirmed = audience
    sink.reject.add("reader1@example.org")
    edition = sending.send_edition(edition=services.create_edition(newsletter=daily, subject="A"))

    failed = Delivery.objects.get(edition=edition, email="reader1@example.org")
    assert failed.status == Delivery.Status.FAILED and failed.last_error.startswith("550")
    assert Suppression.objects.filter(
        email="reader1@example.org", reason=Suppression.Reason.HARD_BOUNCE
    ).exists()
    assert set(sink.rcpt_counts()) == set(confirmed) - {"reader1@example.org"}
    assert edition.status == Edition.Status.SENT


def test_a_temporary_refusal_is_retried_and_delivered_once(sink, audience):
    daily, confirmed = audience
    sink.tempfail_once.add("reader2@example.org")
    edition = sending.send_edition(edition=services.create_edition(newsletter=daily, subject="A"))

    row = Delivery.objects.get(edition=edition, email="reader2@example.org")
    assert (row.status, row.attempts) == (SENT, 2)
    assert sink.rcpt_counts() == dict.fromkeys(confirmed, 1)


def test_a_connection_dropped_mid_batch_resumes_and_skips_nobody(sink, audience):
    daily, confirmed = audience
    sink.drop_before = 3  # the third message is never accepted
    edition = sending.send_edition(edition=services.create_edition(newsletter=daily, subject="A"))

    assert sink.rcpt_counts() == dict.fromkeys(confirmed, 1)
    assert sink.sessions == 2
    assert queries.delivery_counts(edition)[SENT] == 7


def test_a_lost_acknowledgement_gives_one_duplicate_with_the_same_message_id(sink, audience):
    daily, confirmed = audience
    sink.drop_after = 2  # the second message arrives, but its 250 never reaches us
    edition = sending.send_edition(edition=services.create_edition(newsletter=daily, subject="A"))

    counts = sink.rcpt_counts()
    assert set(counts) == set(confirmed)
    [(twice, copies)] = [(rcpt, n) for rcpt, n in counts.items() if n > 1]
    assert copies == 2
    row = Delivery.objects.get(edition=edition, email=twice)
    ids = {received.message_id for received in sink.for_rcpt(twice)}
    assert ids == {f"<{edition.public_id.hex}.{row.pk}@localhost>"}


def test_readers_who_leave_after_the_freeze_are_skipped_without_ending_the_edition(sink, audience):
    daily, _ = audience
    edition = services.create_edition(newsletter=daily, subject="A")
    sending.freeze_audience(edition=edition)
    # The first two batches of three are now made only of ineligible rows (listmonk#1931).
    first = list(edition.deliveries.order_by("id")[:6])
    for row in first[:5]:
        Subscription.objects.filter(reader=row.reader).update(
            status=Subscription.Status.UNSUBSCRIBED
        )
    factories.suppress(first[5].email)
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENDING)

    edition = sending.send_edition(edition=edition)

    counts = queries.delivery_counts(edition)
    assert (counts[Delivery.Status.SKIPPED], counts[SENT]) == (6, 1)
    last = edition.deliveries.order_by("id").last()
    assert set(sink.rcpt_counts()) == {last.email} and last not in first
    assert edition.status == Edition.Status.SENT


def test_readers_who_join_after_the_freeze_are_not_mailed(sink, audience):
    daily, confirmed = audience
    edition = services.create_edition(newsletter=daily, subject="A")
    sending.freeze_audience(edition=edition)
    factories.subscriber(daily, "late@example.org")
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENDING)
    sending.send_edition(edition=edition)
    assert set(sink.rcpt_counts()) == set(confirmed)


def test_a_scheduled_edition_long_past_its_time_is_marked_stale_and_not_sent(sink, audience):
    daily, _ = audience
    edition = services.create_edition(newsletter=daily, subject="A")
    services.schedule_edition(edition=edition, at=timezone.now() - dt.timedelta(hours=25))

    sending.send_due_editions()

    edition.refresh_from_db()
    assert edition.status == Edition.Status.STALE
    assert not sink.received and not edition.deliveries.exists()


def test_a_due_scheduled_edition_is_sent_and_a_future_one_waits(sink, audience):
    daily, confirmed = audience
    due = services.create_edition(newsletter=daily, subject="Due")
    services.schedule_edition(edition=due, at=timezone.now() - dt.timedelta(minutes=5))
    later = services.create_edition(newsletter=daily, subject="Later")
    services.schedule_edition(edition=later, at=timezone.now() + dt.timedelta(hours=1))

    sending.send_due_editions()

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (Edition.Status.SENT, Edition.Status.SCHEDULED)
    assert sink.rcpt_counts() == dict.fromkeys(confirmed, 1)


def test_the_send_rate_is_kept(sink, audience, settings):
    daily, _ = audience
    settings.NEWSLETTER_SEND_RATE = 50
    started = timezone.now()
    sending.send_edition(edition=services.create_edition(newsletter=daily, subject="A"))
    assert (timezone.now() - started).total_seconds() >= 6 / 50


def test_a_subject_that_spans_lines_is_refused():
    daily = factories.newsletter()
    with pytest.raises(ValidationError):
        services.create_edition(newsletter=daily, subject="Hi\r\nBcc: victim@example.org")


def test_a_newsletter_name_that_spans_lines_is_refused():
    for field in ("name", "sender_name"):
        newsletter = factories.newsletter(slug=f"n-{field}")
        setattr(newsletter, field, "Daily\r\nBcc: victim@example.org")
        with pytest.raises(ValidationError):
            newsletter.full_clean()


def test_a_sender_name_that_injects_a_header_mails_nobody_extra_and_ends_the_edition(
    sink, audience
):
    # Saved past validation (a raw import, an old row): the send must neither add the
    # victim as a recipient nor crash into a loop; each row fails on its own (N5).
    daily, _confirmed = audience
    Newsletter.objects.filter(pk=daily.pk).update(sender_name="x\r\nBcc: victim@example.org")
    edition = sending.send_edition(
        edition=services.create_edition(newsletter=daily, subject="Injected")
    )
    assert edition.status == Edition.Status.SENT
    assert "victim@example.org" not in sink.rcpt_counts()
    assert not sink.received
    rows = edition.deliveries.all()
    assert {row.status for row in rows} == {Delivery.Status.FAILED}
    assert all("cannot build message" in row.last_error for row in rows)


def test_the_task_sends_the_edition(sink, audience):
    from masthead.newsletter import tasks

    daily, confirmed = audience
    edition = services.create_edition(newsletter=daily, subject="A")
    tasks.send_edition.enqueue(edition_id=edition.pk)
    assert sink.rcpt_counts() == dict.fromkeys(confirmed, 1)


def test_the_command_resumes_an_interrupted_send_from_its_ledger(sink, audience):
    from django.core.management import call_command

    daily, confirmed = audience
    edition = services.create_edition(newsletter=daily, subject="A")
    sending.freeze_audience(edition=edition)
    # A worker died after sending the first two and while holding the third.
    rows = list(edition.deliveries.order_by("id"))
    Delivery.objects.filter(pk__in=[rows[0].pk, rows[1].pk]).update(status=SENT)
    Delivery.objects.filter(pk=rows[2].pk).update(
        status=Delivery.Status.SENDING, claimed_at=timezone.now() - dt.timedelta(hours=1)
    )
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENDING)

    call_command("send_newsletters")

    assert set(sink.rcpt_counts()) == set(confirmed) - {rows[0].email, rows[1].email}
    assert sum(sink.rcpt_counts().values()) == 5
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT


def test_a_suppressed_address_with_non_ascii_capitals_is_never_mailed(sink):
    # Suppressions are keyed by audience's one rule (lower-cased whole); SQLite's LOWER()
    # folds ASCII letters only, so the comparison must not be left to it.
    daily = factories.newsletter()
    factories.subscriber(daily, "ÑUÑO@example.org")
    factories.subscriber(daily, "Élodie@example.org")
    factories.subscriber(daily, "ana@example.org")
    audience_services.suppress(email="ñuño@example.org", reason=Suppression.Reason.MANUAL)
    edition = services.create_edition(newsletter=daily, subject="Monday")
    sending.freeze_audience(edition=edition)
    # Suppressed after the audience was frozen: the send-time check must catch it too.
    audience_services.suppress(email="élodie@EXAMPLE.org", reason=Suppression.Reason.MANUAL)

    edition = sending.send_edition(edition=edition)

    assert sink.rcpt_counts() == {"ana@example.org": 1}
    assert edition.excluded_count == 1
    assert edition.deliveries.get(email="Élodie@example.org").status == Delivery.Status.SKIPPED
