"""A digest lists what its newsletter's readers have not had yet: the articles in their
language published since the last edition they were sent, newest first, capped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.html import escape

from masthead.newsletter import emails, queries, services
from masthead.newsletter.models import Edition
from tests.newsletter import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def daily(publication):
    return factories.newsletter(name="The Daily", slug="daily", language="en")


@pytest.fixture
def diario(publication):
    return factories.newsletter(name="El Diario", slug="diario", language="es")


def _titles(edition: Edition) -> list[str]:
    return [article.title for article in queries.digest_list(edition)]


def _sent_edition(newsletter, *, made: dt.datetime, status=Edition.Status.SENT) -> Edition:
    edition = services.create_edition(newsletter=newsletter, subject="Earlier")
    Edition.objects.filter(pk=edition.pk).update(status=status, created_at=made)
    return edition


def test_the_first_digest_lists_the_last_seven_days_in_the_newsletters_language(
    daily, diario, publication
):
    digest = services.create_digest_edition(daily)

    # The fixture's dispatches are 2 to 7 days old: number 5 is just outside the week.
    assert _titles(digest) == [
        "Salt and Silver: A Conversation",
        *[f"Dispatch number {i}" for i in range(5)],
    ]
    assert digest.status == Edition.Status.DRAFT
    assert digest.article is None
    assert queries.edition_kind(digest) == "digest"
    assert _titles(services.create_digest_edition(diario)) == ["Sal y plata: una conversación"]


def test_a_digest_starts_where_the_last_sent_edition_was_made(daily, publication):
    _sent_edition(daily, made=timezone.now() - dt.timedelta(days=2, hours=12))
    # Neither a draft nor a cancelled edition has reached readers: they do not count.
    _sent_edition(daily, made=timezone.now(), status=Edition.Status.DRAFT)
    _sent_edition(daily, made=timezone.now(), status=Edition.Status.CANCELLED)

    digest = services.create_digest_edition(daily, subject="Since Monday")

    assert _titles(digest) == ["Salt and Silver: A Conversation", "Dispatch number 0"]
    assert digest.subject == "Since Monday"


def test_an_edition_still_sending_counts_as_the_last_one(daily, publication):
    _sent_edition(
        daily, made=timezone.now() - dt.timedelta(hours=36), status=Edition.Status.SENDING
    )
    assert _titles(services.create_digest_edition(daily)) == ["Salt and Silver: A Conversation"]


def test_a_digest_is_capped_keeping_the_newest(daily, publication, monkeypatch):
    monkeypatch.setattr(queries, "DIGEST_LIMIT", 3)
    digest = services.create_digest_edition(daily, since=timezone.now() - dt.timedelta(days=30))
    assert _titles(digest) == [
        "Salt and Silver: A Conversation",
        "Dispatch number 0",
        "Dispatch number 1",
    ]


def test_an_empty_digest_is_refused_and_no_edition_is_made(diario, publication):
    _sent_edition(diario, made=timezone.now() - dt.timedelta(hours=1))
    before = Edition.objects.count()

    with pytest.raises(services.EmptyDigest) as refused:
        services.create_digest_edition(diario)

    assert Edition.objects.count() == before
    assert timezone.now() - refused.value.since < dt.timedelta(hours=2)


def test_unpublished_drafts_never_appear(daily, publication):
    digest = services.create_digest_edition(daily, since=timezone.now() - dt.timedelta(days=365))
    assert "Unpublished draft about quarries" not in _titles(digest)


def test_the_default_subject_is_the_newsletters_name_and_the_date(daily, publication):
    digest = services.create_digest_edition(daily)
    assert digest.subject.startswith("The Daily, ")


def test_a_digest_email_lists_headline_standfirst_and_link_for_each_article(daily, publication):
    digest = services.create_digest_edition(daily)
    content = emails.edition_content(digest)
    flagship, dispatch = publication.flagship, publication.others[0]

    for article in (flagship, dispatch):
        for field in (article.title, article.standfirst, article.get_full_url()):
            assert escape(field) in content.html
            assert field in content.text
    # Newest first, in both parts.
    for part in (content.html, content.text):
        assert part.index(flagship.title) < part.index(dispatch.title)
    assert 'href="http' in content.html
    assert "<table" not in content.html


def test_an_article_unpublished_after_the_digest_was_made_is_left_out(daily, publication):
    digest = services.create_digest_edition(daily)
    publication.others[0].unpublish()

    content = emails.edition_content(digest)

    assert "Dispatch number 0" not in content.html
    assert "Dispatch number 1" in content.html
