"""An edition goes to members and non-members alike: a members-only article is sent as
headline, standfirst and link, marked for members, and its body never leaves the site.
Read back from a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from masthead.funding import ledger
from masthead.funding.models import Plan
from masthead.newsletter import sending, services
from tests.discovery.members_only import (
    BODY_SENTENCE,
    SECRET,
    STANDFIRST,
    TITLE,
    make_locked,
)
from tests.newsletter import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def daily(publication):
    return factories.newsletter(name="The Daily", slug="daily", language="en")


@pytest.fixture
def locked(publication):
    return make_locked(publication)


@pytest.fixture
def readers(daily):
    """A subscriber with a membership and one without: both get the same edition."""
    member = factories.subscriber(daily, "member@example.org")
    ledger.grant(reader=member, plan=Plan.objects.create(slug="member"), until=None)
    factories.subscriber(daily, "free@example.org")
    return ["member@example.org", "free@example.org"]


def parts(sink, address: str) -> tuple[bytes, str, str]:
    [copy] = sink.for_rcpt(address)
    message = copy.parsed()
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return copy.raw, text, html


def test_an_edition_of_a_members_only_article_carries_no_body(sink, daily, locked, readers):
    edition = services.create_edition(newsletter=daily, subject=TITLE, article=locked)
    sending.send_edition(edition=edition)

    for address in readers:
        raw, text, html = parts(sink, address)
        assert SECRET.encode() not in raw and BODY_SENTENCE.encode() not in raw
        for part in (text, html):
            assert TITLE in part and STANDFIRST in part
            assert locked.full_url in part
            assert "For members" in part


def test_a_digest_listing_a_members_only_article_carries_no_body(sink, daily, locked, readers):
    edition = services.create_digest_edition(
        daily, subject="This week", since=timezone.now() - dt.timedelta(days=30)
    )
    sending.send_edition(edition=edition)

    raw, text, html = parts(sink, "free@example.org")
    assert SECRET.encode() not in raw and BODY_SENTENCE.encode() not in raw
    for part in (text, html):
        assert TITLE in part and STANDFIRST in part and locked.full_url in part
        # Marked once: only the members-only article, not the free ones around it.
        assert part.count("For members") == 1


def test_an_edition_of_a_free_article_is_not_marked(sink, daily, publication, readers):
    edition = services.create_edition(
        newsletter=daily, subject="Salt", article=publication.flagship
    )
    sending.send_edition(edition=edition)
    _raw, text, html = parts(sink, "free@example.org")
    assert publication.flagship.standfirst in text
    assert "For members" not in text and "For members" not in html
