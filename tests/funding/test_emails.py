"""Funding's emails at a real SMTP server: thanks with a receipt, payment failed notices.

Each is owed once per payment: replayed events, duplicated signals and a second worker
send nothing more. Renewal reminders are in test_lifecycle.py, gift emails in test_gifts.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time
from wagtail.models import Site

from masthead.audience.models import Reader, Suppression
from masthead.funding import ledger, lifecycle, outbox
from masthead.funding.models import Checkout, Interval, Membership, Payment
from masthead.newsroom import services
from tests.funding import paying

pytestmark = pytest.mark.django_db


def _membership(reader, plan, *, status=Membership.Status.ACTIVE, reference="sub_1"):
    price = plan.prices.get(interval=Interval.MONTH, currency="USD")
    return ledger.sync_membership(
        provider="local",
        reference=reference,
        reader=reader,
        plan=plan,
        price=price,
        status=status,
        current_period_end=timezone.now() + dt.timedelta(days=30),
    )


def _membership_payment(capture, membership, *, reference, status, first=False):
    with capture(execute=True):
        return ledger.record_payment(
            provider="local",
            reference=reference,
            status=status,
            amount=500,
            currency="USD",
            kind=Payment.Kind.MEMBERSHIP,
            membership=membership,
            first_of_membership=first,
        )


def test_a_one_off_gift_is_thanked_once_with_a_receipt_link_that_works(
    publication, smtp_sink, django_capture_on_commit_callbacks
):
    checkout = paying.checkout(amount=2500, email="guest@example.org")

    paying.pay(django_capture_on_commit_callbacks, checkout, times=3)

    [message] = smtp_sink.to("guest@example.org")
    assert message["Subject"] == "Thank you for supporting The Test Gazette"
    assert "Thank you for your gift of US$25.00 to The Test Gazette" in paying.text_part(message)
    page = Client().get(paying.link_path(message, "/support/receipt/"))
    assert page.status_code == 200
    assert "US$25.00" in page.text and "local_pi_" in page.text
    assert Payment.objects.get().thanked_at is not None


def test_a_duplicated_signal_or_a_second_worker_sends_no_second_thanks(
    publication, smtp_sink, django_capture_on_commit_callbacks
):
    paying.pay(django_capture_on_commit_callbacks, paying.checkout(email="twice@example.org"))
    payment = Payment.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        ledger.payment_succeeded.send(sender=Payment, payment_id=payment.pk)
        ledger.payment_succeeded.send(sender=Payment, payment_id=payment.pk)
    assert outbox.send_thanks(payment_id=payment.pk) is False

    assert len(smtp_sink.to("twice@example.org")) == 1


def test_a_spanish_reader_is_thanked_in_spanish_with_spanish_links(
    publication, smtp_sink, django_capture_on_commit_callbacks
):
    lector = Reader.objects.create(email="lucia@example.org", language="es")
    paying.pay(django_capture_on_commit_callbacks, paying.checkout(reader=lector, amount=2500))

    [message] = smtp_sink.to("lucia@example.org")
    text = paying.text_part(message)
    assert "25,00" in text  # Spanish number format: the message was built in Spanish
    assert '<html lang="es">' in paying.html_part(message)
    receipt = paying.link_path(message, "/support/receipt/")
    assert receipt.startswith("/es/support/receipt/")
    assert Client().get(receipt).status_code == 200


def test_the_thanks_name_the_publication_in_the_readers_language(
    publication, smtp_sink, django_capture_on_commit_callbacks
):
    site = Site.objects.get(is_default_site=True)
    services.configure_publication(site=site, texts={"es": {"name": "La Gaceta de Prueba"}})
    lector = Reader.objects.create(email="lucia@example.org", language="es")
    paying.pay(django_capture_on_commit_callbacks, paying.checkout(reader=lector, amount=2500))
    [message] = smtp_sink.to("lucia@example.org")
    assert "La Gaceta de Prueba" in message["Subject"]
    assert "The Test Gazette" not in paying.text_part(message)


def test_a_guest_is_thanked_in_the_language_of_their_checkout(
    publication, smtp_sink, django_capture_on_commit_callbacks
):
    checkout = paying.checkout(email="invitado@example.org", language="es")
    paying.pay(django_capture_on_commit_callbacks, checkout)
    # The checkout made the guest a reader with the checkout's language.
    [message] = smtp_sink.to("invitado@example.org")
    assert "/es/support/receipt/" in paying.text_part(message)


def test_the_first_payment_of_a_new_membership_is_thanked_and_renewals_are_not(
    publication, smtp_sink, plan, reader, django_capture_on_commit_callbacks
):
    membership = _membership(reader, plan)
    capture = django_capture_on_commit_callbacks
    _membership_payment(capture, membership, reference="in_1", status="succeeded", first=True)
    _membership_payment(capture, membership, reference="in_2", status="succeeded")
    _membership_payment(capture, membership, reference="in_3", status="succeeded")

    [message] = smtp_sink.to(reader.email)
    assert "your Member membership of The Test Gazette has started" in paying.text_part(message)
    thanked = set(Payment.objects.filter(thanked_at__isnull=False).values_list("reference"))
    assert thanked == {("in_1",)}


def test_joining_through_the_local_provider_thanks_the_new_member_once(
    publication, smtp_sink, plan, django_capture_on_commit_callbacks
):
    price = plan.prices.get(interval=Interval.YEAR, currency="USD")
    checkout = paying.checkout(
        kind=Checkout.Kind.MEMBERSHIP, amount=5000, email="new@example.org", price=price
    )
    paying.pay(django_capture_on_commit_callbacks, checkout, times=2)
    [message] = smtp_sink.to("new@example.org")
    assert "US$50.00" in paying.text_part(message)


def test_a_failed_membership_payment_sends_one_notice_with_the_account_link(
    publication, smtp_sink, plan, reader, django_capture_on_commit_callbacks
):
    membership = _membership(reader, plan, status=Membership.Status.PAST_DUE)
    capture = django_capture_on_commit_callbacks
    for _ in range(3):  # the provider reports the failed invoice again
        _membership_payment(capture, membership, reference="in_9", status="failed")
    with capture(execute=True):
        ledger.payment_failed.send(sender=Payment, payment_id=Payment.objects.get().pk)

    [message] = smtp_sink.to(reader.email)
    assert message["Subject"] == "Your membership payment did not go through"
    text = paying.text_part(message)
    assert "The payment of US$5.00 for your Member membership" in text
    assert "carries on for 7 days" in text
    assert paying.link_path(message, "/account/") == "/en/account/"
    assert Client().get("/en/account/").status_code in (200, 302)  # the route exists


def test_a_failed_one_off_gift_or_a_cancelled_membership_gets_no_failure_notice(
    publication, smtp_sink, plan, reader, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    paying.pay(capture, paying.checkout(email="declined@example.org"), outcome="failed")
    membership = _membership(reader, plan, status=Membership.Status.CANCELED)
    _membership_payment(capture, membership, reference="in_late", status="failed")

    assert smtp_sink.messages == []


def test_a_suppressed_address_is_sent_nothing_and_not_asked_again(
    publication, smtp_sink, django_capture_on_commit_callbacks
):
    Suppression.objects.create(email="bounced@example.org", reason=Suppression.Reason.HARD_BOUNCE)
    paying.pay(django_capture_on_commit_callbacks, paying.checkout(email="Bounced@example.org"))

    assert smtp_sink.messages == []
    later = timezone.now() + dt.timedelta(hours=1)
    with freeze_time(later), django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.requeue_owed_mail() == 0


def test_a_refused_thanks_stays_owed_and_the_sweep_sends_it_once(
    publication, smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.reject.add("later@example.org")
    paying.pay(django_capture_on_commit_callbacks, paying.checkout(email="later@example.org"))
    payment = Payment.objects.get()
    assert payment.thanked_at is None  # the claim was released: the mail is still owed

    smtp_sink.reject.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.requeue_owed_mail() == 0  # too soon: the signal's task may yet run
    later = timezone.now() + lifecycle.RETRY_AFTER + dt.timedelta(minutes=1)
    for _ in range(2):
        with freeze_time(later), django_capture_on_commit_callbacks(execute=True):
            lifecycle.requeue_owed_mail()

    assert len(smtp_sink.to("later@example.org")) == 1
