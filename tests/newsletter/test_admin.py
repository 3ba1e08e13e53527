"""The Wagtail admin lists editions with what happened to their deliveries."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from masthead.newsletter import queries, sending, services
from tests.newsletter import factories

pytestmark = pytest.mark.django_db


def test_the_edition_list_shows_sent_failed_and_skipped_counts(client, sink):
    daily = factories.newsletter()
    for i in range(3):
        factories.subscriber(daily, f"r{i}@example.org")
    sink.reject.add("r1@example.org")
    edition = sending.send_edition(
        edition=services.create_edition(newsletter=daily, subject="Counted")
    )
    counted = queries.editions_with_counts().get(pk=edition.pk)
    assert (counted.sent_count, counted.failed_count, counted.skipped_count) == (2, 1, 0)

    admin = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(admin)
    page = client.get(reverse("wagtailsnippets_newsletter_edition:list"))
    assert page.status_code == 200
    assert b"Counted" in page.content


def test_the_newsletter_list_and_edit_form_render(client):
    daily = factories.newsletter(name="Morning Brief")
    admin = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(admin)
    assert (
        b"Morning Brief" in client.get(reverse("wagtailsnippets_audience_newsletter:list")).content
    )
    edit = client.get(reverse("wagtailsnippets_audience_newsletter:edit", args=[daily.pk]))
    assert edit.status_code == 200
