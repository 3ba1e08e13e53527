"""Members-only articles on their own page: who reads the body, and what may be cached.

A distinctive word stands only in the body of a members-only interview; wherever a
non-member can look, the word must not be, and the page a member reads must never be
stored where another reader could be served it (issue 9; RELIABILITY.md §6 L1).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from masthead.funding import ledger
from masthead.funding.models import Plan
from masthead.newsroom import services
from masthead.newsroom.models import ArticlePage
from tests.audience.accounts import reader as make_reader
from tests.audience.accounts import signed_in

SECRET = "quorvexite"
BODY_SENTENCE = "The miners kept a second ledger under the floor"
PATH = "/en/interviews/the-second-ledger/"
BODY_WRAPPER = re.compile(r'<div class="article__body[^"]*"')


def paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


@pytest.fixture
def locked(publication) -> ArticlePage:
    """A members-only interview: its body alone holds SECRET and BODY_SENTENCE."""
    return services.create_article(
        section=publication.interviews,
        draft=services.ArticleDraft(
            title="The Second Ledger",
            slug="the-second-ledger",
            standfirst="A former miner on the accounts nobody was meant to see.",
            kind=ArticlePage.Kind.INTERVIEW,
            bylines=[publication.board],
            subjects=[publication.subject],
            topics=["mining", "history"],
            first_published_at=timezone.now() - dt.timedelta(hours=2),
            members_only=True,
            body=[paragraph(f"{BODY_SENTENCE}, written in {SECRET} ink.")],
        ),
    )


@pytest.fixture
def member(plan):
    who = make_reader("member@example.org")
    ledger.grant(reader=who, plan=plan, until=None)
    return who


@pytest.fixture
def plan(db):
    return Plan.objects.create(slug="member", trial_days=0)


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def assert_teaser(page: str) -> None:
    """What every non-member gets: the article's front, the invitation, and no body."""
    assert SECRET not in page and BODY_SENTENCE not in page
    assert BODY_WRAPPER.search(page) is None  # absent, not hidden
    assert "The Second Ledger" in page
    assert "A former miner on the accounts nobody was meant to see." in page
    assert "The Gazette Board" in page
    assert "This interview is for members" in page
    assert 'href="/en/support/membership/?next=%2Fen%2Finterviews%2Fthe-second-ledger%2F"' in page
    assert 'href="/en/account/sign-in/"' in page


class TestNonMembers:
    def test_an_anonymous_reader_gets_the_front_and_the_invitation_and_no_body(
        self, client, locked
    ):
        assert_teaser(html(client.get(PATH)))

    def test_the_anonymous_teaser_is_cached_and_served_from_the_cache(self, locked):
        first = Client().get(PATH)
        second = Client().get(PATH)
        assert first["X-Cache"] == "MISS"
        assert second["X-Cache"] == "HIT"
        assert "public" in second["Cache-Control"]
        assert_teaser(html(second))

    def test_a_signed_in_reader_without_a_membership_gets_the_teaser_privately(self, locked):
        client = signed_in(make_reader("free@example.org"))
        response = client.get(PATH)
        assert_teaser(html(response))
        assert "private" in response["Cache-Control"]
        assert response.get("X-Cache") != "HIT"

    def test_the_spanish_teaser_sends_readers_to_the_spanish_membership_page(
        self, client, locked, publication
    ):
        translation = services.translate_article(
            locked,
            locale=publication.es,
            draft=services.ArticleDraft(
                title="El segundo libro de cuentas",
                slug="el-segundo-libro",
                standfirst="Un exminero sobre las cuentas que nadie debía ver.",
                kind=ArticlePage.Kind.INTERVIEW,
                bylines=[publication.board_es],
                members_only=True,
                body=[paragraph(f"Escrito con tinta de {SECRET}.")],
            ),
        )
        page = html(client.get(translation.url))
        assert SECRET not in page and "Escrito con tinta" not in page
        assert (
            'href="/es/support/membership/?next=%2Fes%2Finterviews%2Fel-segundo-libro%2F"' in page
        )
        assert 'href="/es/account/sign-in/"' in page

    def test_a_membership_that_ended_opens_nothing(self, locked, plan):
        lapsed = make_reader("lapsed@example.org")
        ledger.grant(reader=lapsed, plan=plan, until=timezone.now() - dt.timedelta(days=1))
        assert_teaser(html(signed_in(lapsed).get(PATH)))


class TestMembers:
    def test_a_member_reads_the_whole_body(self, locked, member):
        page = html(signed_in(member).get(PATH))
        assert SECRET in page and BODY_SENTENCE in page
        assert '<div class="article__body prose article__body--members">' in page
        assert "This interview is for members" not in page

    def test_the_members_copy_is_private_and_never_stored(self, locked, member):
        response = signed_in(member).get(PATH)
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control
        assert "public" not in cache_control and "s-maxage" not in response["Cache-Control"]
        assert response.get("X-Cache") is None  # neither served from nor stored in the cache
        # The next anonymous reader is rendered afresh and gets the teaser.
        anonymous = Client().get(PATH)
        assert anonymous["X-Cache"] == "MISS"
        assert_teaser(html(anonymous))

    def test_the_members_copy_is_not_stored_even_where_the_cache_ignores_the_cookie(
        self, locked, member, settings
    ):
        # A misconfigured bypass list: the page cache now treats the member as anonymous.
        # The article's own Cache-Control still keeps its text out of the shared cache.
        client = signed_in(member)
        settings.PAGE_CACHE_BYPASS_COOKIES = ("messages",)
        response = client.get(PATH)
        assert SECRET in html(response)
        assert "no-store" in response["Cache-Control"]
        assert response.get("X-Cache") is None
        assert_teaser(html(Client().get(PATH)))

    def test_a_teaser_cached_before_sign_in_is_not_what_the_member_gets(self, locked, member):
        assert Client().get(PATH)["X-Cache"] == "MISS"  # the teaser is now in the cache
        response = signed_in(member).get(PATH)
        assert SECRET in html(response)
        assert response.get("X-Cache") != "HIT"


class TestEditors:
    def test_the_preview_shows_the_body_to_the_editor(self, locked):
        response = locked.make_preview_request()
        assert SECRET in response.content.decode()
        assert "private" in response["Cache-Control"]

    def test_the_switch_is_in_the_editors_settings_tab(self):
        form_class = ArticlePage.get_edit_handler().get_form_class()
        assert "members_only" in form_class.base_fields
        with translation.override("en"):  # the heading is a lazy, translated string
            settings_tab = [
                tab for tab in ArticlePage.get_edit_handler().children if tab.heading == "Settings"
            ]
        fields = [getattr(panel, "field_name", None) for panel in settings_tab[0].children]
        assert "members_only" in fields

    def test_articles_are_free_unless_marked(self, publication):
        assert publication.flagship.members_only is False


class TestFreeArticlesUnchanged:
    def test_a_free_article_shows_its_body_to_everyone_and_stays_cached(self, publication):
        first = Client().get(publication.flagship.url)
        second = Client().get(publication.flagship.url)
        page = html(second)
        assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
        assert "zanzibarite" in page
        assert '<div class="article__body prose">' in page
        assert "members-box" not in page and "for members" not in page

    def test_a_free_article_asks_nobody_about_membership(self, publication, member):
        # Signed in as a member or not, a free article's response is the page cache's
        # business alone: it adds no no-store of its own.
        response = signed_in(member).get(publication.flagship.url)
        assert "zanzibarite" in html(response)
        assert "no-store" not in response["Cache-Control"]
