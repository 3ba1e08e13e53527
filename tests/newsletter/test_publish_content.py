"""What the email of one article holds: its teaser, or the full piece (byline, hero image,
body) with an intro line; a members-only body only in members' copies. Sent through the
publish flow's services and the ledger, read back from a real SMTP server on loopback."""

from __future__ import annotations

import pytest

from masthead.funding import ledger
from masthead.funding.models import Plan
from masthead.newsletter import services
from masthead.newsletter.models import Edition
from tests.discovery.factories import make_article, make_image, paragraph
from tests.discovery.members_only import BODY_SENTENCE, SECRET, STANDFIRST, TITLE, make_locked
from tests.newsletter import factories

pytestmark = pytest.mark.django_db

BODY = "The harbour master counted the boats twice"
INTRO = "The pick of the week."


@pytest.fixture
def daily(publication):
    return factories.newsletter(name="The Daily", slug="daily", language="en")


@pytest.fixture
def readers(daily):
    """A subscriber with a membership and one without."""
    member = factories.subscriber(daily, "member@example.org")
    ledger.grant(reader=member, plan=Plan.objects.create(slug="member"), until=None)
    factories.subscriber(daily, "free@example.org")


@pytest.fixture
def article(publication):
    return make_article(
        publication.analysis,
        slug="boats",
        title="Counting boats",
        standfirst="A quiet census at the harbour.",
        bylines=[publication.writer],
        hero_image=make_image(),
        hero_alt="Boats moored at dawn",
        hero_credit="Ana Ruiz",
        body=[paragraph(f"{BODY}, then a third time.")],
        days_ago=0.1,
    )


def _send(article, daily, django_capture_on_commit_callbacks, **choices) -> Edition:
    edition = services.send_with_publish(
        article=article, newsletter=daily, subject=article.title, **choices
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.went_live(article=article) == [edition.pk]
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT
    return edition


def _parts(sink, address: str) -> tuple[bytes, str, str]:
    [copy] = sink.for_rcpt(address)
    message = copy.parsed()
    return (
        copy.raw,
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def test_the_full_piece_carries_the_byline_hero_image_body_and_intro(
    sink, daily, readers, article, django_capture_on_commit_callbacks
):
    _send(article, daily, django_capture_on_commit_callbacks, full_piece=True, intro=INTRO)

    _raw, text, html = _parts(sink, "free@example.org")
    for part in (text, html):
        assert INTRO in part and "Counting boats" in part
        assert "By Nora Field" in part
        assert BODY in part
        assert article.full_url in part
    assert "Boats moored at dawn" in text
    # The hero image and the body's links are absolute: an email has no site to be relative to.
    assert '<img src="http://localhost/' in html and 'alt="Boats moored at dawn"' in html
    assert 'src="/' not in html and 'href="/' not in html


def test_the_teaser_carries_no_body(
    sink, daily, readers, article, django_capture_on_commit_callbacks
):
    _send(article, daily, django_capture_on_commit_callbacks, intro=INTRO)

    raw, text, html = _parts(sink, "free@example.org")
    assert BODY.encode() not in raw and b"Nora Field" not in raw
    for part in (text, html):
        assert INTRO in part and "A quiet census at the harbour." in part
        assert article.full_url in part


def test_a_members_only_body_goes_only_to_members(
    sink, daily, readers, publication, django_capture_on_commit_callbacks
):
    locked = make_locked(publication)
    _send(locked, daily, django_capture_on_commit_callbacks, full_piece=True)

    raw, text, html = _parts(sink, "free@example.org")
    assert SECRET.encode() not in raw and BODY_SENTENCE.encode() not in raw
    for part in (text, html):
        assert TITLE in part and STANDFIRST in part and locked.full_url in part
        assert "For members" in part

    _raw, text, html = _parts(sink, "member@example.org")
    for part in (text, html):
        assert BODY_SENTENCE in part and SECRET in part


def test_a_membership_that_ended_before_the_send_gets_the_teaser(
    sink, daily, publication, django_capture_on_commit_callbacks
):
    lapsed = factories.subscriber(daily, "lapsed@example.org")
    ledger.grant(reader=lapsed, plan=Plan.objects.create(slug="member"), until=None)
    lapsed.memberships.update(ended_at="2026-01-01T00:00:00Z")
    locked = make_locked(publication)
    _send(locked, daily, django_capture_on_commit_callbacks, full_piece=True)

    raw, _text, _html = _parts(sink, "lapsed@example.org")
    assert SECRET.encode() not in raw


def test_asking_twice_makes_one_edition_and_a_second_go_live_sends_nothing(
    sink, daily, readers, article, django_capture_on_commit_callbacks
):
    edition = _send(article, daily, django_capture_on_commit_callbacks)
    again = services.send_with_publish(article=article, newsletter=daily, subject="Again")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.went_live(article=article) == []

    assert again.pk == edition.pk and Edition.objects.count() == 1
    assert sink.rcpt_counts() == {"member@example.org": 1, "free@example.org": 1}
