"""The content API at /api/v2/ shows published, public articles, sections and contributors.

Each exposure rule of discovery/api.py has a test that fails if the rule is dropped: drafts,
private pages, members-only bodies, home pages, and the body as a filter or search oracle.
"""

from __future__ import annotations

import json

import pytest
from django.utils.text import slugify
from wagtail.models import PageViewRestriction

from masthead.newsroom import queries, services
from masthead.newsroom.models import Contributor
from tests.discovery.factories import make_article
from tests.discovery.members_only import BODY_SENTENCE, SECRET, STANDFIRST, TITLE, make_locked

PAGES = "/api/v2/pages/"
ARTICLES = "/api/v2/pages/?type=newsroom.ArticlePage&fields=*&limit=50"


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def ids_of(data: dict) -> set[int]:
    return {item["id"] for item in data["items"]}


class TestPages:
    def test_published_articles_are_listed_with_their_fields(self, client, publication):
        data = get_json(client, ARTICLES)
        flagship = next(i for i in data["items"] if i["id"] == publication.flagship.pk)
        assert flagship["title"] == publication.flagship.title
        assert flagship["standfirst"] == publication.flagship.standfirst
        assert flagship["kind"] == "interview"
        assert flagship["members_only"] is False
        assert flagship["meta"]["html_url"] == publication.flagship.full_url
        assert flagship["meta"]["locale"] == "en"
        assert [a["slug"] for a in flagship["authors"]] == ["board"]
        assert [s["slug"] for s in flagship["interviewees"]] == ["tomas-arce"]
        assert any(block["type"] == "exchange" for block in flagship["body"])

    def test_drafts_are_neither_listed_nor_found(self, client, publication):
        assert publication.draft.pk not in ids_of(get_json(client, ARTICLES))
        get_json(client, f"{PAGES}{publication.draft.pk}/", status=404)

    def test_an_unpublished_article_disappears(self, client, publication):
        article = publication.others[0]
        article.unpublish()
        assert article.pk not in ids_of(get_json(client, ARTICLES))
        get_json(client, f"{PAGES}{article.pk}/", status=404)

    @pytest.mark.parametrize("restriction", ["login", "password"])
    def test_private_pages_are_hidden_even_from_a_signed_in_editor(
        self, client, django_user_model, publication, restriction
    ):
        article = publication.others[1]
        PageViewRestriction.objects.create(
            page=publication.analysis, restriction_type=restriction, password="pw"
        )
        editor = django_user_model.objects.create_superuser("ed", "ed@example.org", "pw")
        client.force_login(editor)
        listed = ids_of(get_json(client, f"{PAGES}?limit=50"))
        assert article.pk not in listed
        assert publication.analysis.pk not in listed
        get_json(client, f"{PAGES}{article.pk}/", status=404)
        assert publication.flagship.pk in listed

    def test_only_articles_and_sections_are_served(self, client, publication):
        types = {item["meta"]["type"] for item in get_json(client, f"{PAGES}?limit=50")["items"]}
        assert types == {"newsroom.ArticlePage", "newsroom.SectionPage"}
        get_json(client, f"{PAGES}{publication.home.pk}/", status=404)

    def test_sections_carry_their_intro_and_filter_their_articles(self, client, publication):
        section = get_json(client, f"{PAGES}{publication.interviews.pk}/")
        assert section["meta"]["type"] == "newsroom.SectionPage"
        assert "intro" in section
        children = get_json(client, f"{PAGES}?child_of={publication.interviews.pk}&limit=50")
        assert publication.flagship.pk in ids_of(children)
        assert publication.others[1].pk not in ids_of(children)  # odd ones are in Analysis

    def test_filters_by_locale_and_kind(self, client, publication):
        spanish = get_json(client, f"{PAGES}?type=newsroom.ArticlePage&locale=es")
        assert ids_of(spanish) == {publication.flagship_es.pk}
        interviews = get_json(client, f"{PAGES}?type=newsroom.ArticlePage&kind=interview")
        assert publication.flagship.pk in ids_of(interviews)
        assert publication.others[0].pk not in ids_of(interviews)

    def test_unknown_parameters_and_types_are_a_400_with_a_reason(self, client, publication):
        for url in [
            f"{PAGES}?type=newsroom.Nope",
            f"{PAGES}?colour=red",
            f"{PAGES}?type=newsroom.ArticlePage&order=secret_field",
            f"{PAGES}?limit=nope",
        ]:
            assert get_json(client, url, status=400)["message"]


class TestMembersOnly:
    @pytest.fixture
    def locked(self, publication):
        return make_locked(publication)

    def test_listing_and_detail_show_the_front_but_never_the_body(self, client, locked):
        for url in [ARTICLES, f"{PAGES}{locked.pk}/", f"{PAGES}{locked.pk}/?fields=*"]:
            response = client.get(url)
            assert response.status_code == 200
            text = response.content.decode()
            assert SECRET not in text
            assert BODY_SENTENCE not in text
        detail = get_json(client, f"{PAGES}{locked.pk}/")
        assert detail["title"] == TITLE
        assert detail["standfirst"] == STANDFIRST
        assert detail["members_only"] is True
        assert detail["body"] is None
        assert detail["meta"]["html_url"] == locked.full_url

    def test_a_member_session_does_not_unlock_the_body(self, client, locked, django_user_model):
        editor = django_user_model.objects.create_superuser("ed2", "ed2@example.org", "pw")
        client.force_login(editor)
        assert get_json(client, f"{PAGES}{locked.pk}/")["body"] is None

    def test_the_body_is_no_filter_order_or_search_oracle(self, client, locked):
        body = json.dumps(list(locked.body.raw_data))
        for url in [
            f"{PAGES}?type=newsroom.ArticlePage&body={body}",
            f"{PAGES}?type=newsroom.ArticlePage&order=body",
            f"{PAGES}?search={SECRET}",
        ]:
            assert get_json(client, url, status=400)["message"]

    def test_a_free_article_keeps_its_body(self, client, publication):
        article = make_article(
            publication.interviews, slug="open-piece", bylines=[publication.writer]
        )
        assert get_json(client, f"{PAGES}{article.pk}/")["body"]


class TestContributors:
    def test_contributors_are_listed_with_their_page(self, client, publication):
        data = get_json(client, "/api/v2/contributors/?limit=50&fields=*")
        subject = next(i for i in data["items"] if i["id"] == publication.subject.pk)
        assert subject["name"] == "Tomas Arce"
        assert subject["role"] == "Philosophy teacher"
        assert "teaches philosophy" in subject["bio"]
        assert subject["meta"]["locale"] == "en"
        assert subject["meta"]["html_url"].endswith("/en/contributors/tomas-arce/")

    def test_filter_by_locale_and_slug(self, client, publication):
        data = get_json(client, "/api/v2/contributors/?locale=es&slug=tomas-arce")
        assert [i["meta"]["locale"] for i in data["items"]] == ["es"]
        get_json(client, "/api/v2/contributors/?password=x", status=400)

    def test_people_only_on_drafts_unpublished_or_private_articles_are_absent(
        self, client, publication
    ):
        section = publication.analysis
        on_draft, interviewed_on_draft, on_unpublished, on_private, on_nothing = (
            services.create_contributor(name=name, slug=slugify(name), locale=publication.en)
            for name in ["Dora Draft", "Ivo Interviewee", "Uma Unpub", "Pia Private", "Nil"]
        )
        make_article(
            section,
            slug="draft-only",
            bylines=[on_draft],
            subjects=[interviewed_on_draft],
            publish=False,
        )
        make_article(section, slug="pulled", bylines=[on_unpublished]).unpublish()
        private_section = services.create_section(
            home=publication.home, title="Private", slug="private"
        )
        PageViewRestriction.objects.create(
            page=private_section, restriction_type="password", password="pw"
        )
        make_article(private_section, slug="private-piece", bylines=[on_private])
        hidden = [on_draft, interviewed_on_draft, on_unpublished, on_private, on_nothing]

        listed = ids_of(get_json(client, "/api/v2/contributors/?limit=50"))
        assert listed.isdisjoint(c.pk for c in hidden)
        for person in hidden:
            get_json(client, f"/api/v2/contributors/{person.pk}/", status=404)
        assert publication.writer.pk in listed

    def test_a_person_appears_once_their_first_piece_is_published(self, client, publication):
        newcomer = services.create_contributor(
            name="Nadia New", slug="nadia", locale=publication.en
        )
        article = make_article(
            publication.analysis, slug="first-piece", bylines=[newcomer], publish=False
        )
        get_json(client, f"/api/v2/contributors/{newcomer.pk}/", status=404)
        article.save_revision().publish()
        assert get_json(client, f"/api/v2/contributors/{newcomer.pk}/")["name"] == "Nadia New"

    def test_board_members_and_interviewees_of_a_live_piece_are_listed(self, client, publication):
        # The board signs the flagship interview; its members' pages list it too.
        listed = ids_of(get_json(client, "/api/v2/contributors/?limit=50"))
        board = [publication.board, *publication.members]
        assert {c.pk for c in board} <= listed
        assert publication.subject.pk in listed

    def test_the_list_is_exactly_the_contributors_whose_site_page_lists_a_piece(
        self, client, publication
    ):
        # Unpublishing the board's only pieces empties its members' pages, in both languages.
        publication.flagship.unpublish()
        publication.flagship_es.unpublish()
        loner = services.create_contributor(name="Lone Draft", slug="lone", locale=publication.es)
        make_article(publication.interviews_es, slug="borrador", bylines=[loner], publish=False)
        listed = ids_of(get_json(client, "/api/v2/contributors/?limit=50"))
        with_pieces = {
            c.pk for c in Contributor.objects.all() if queries.contributor_articles(c).exists()
        }
        assert listed == with_pieces
        assert publication.members[0].pk not in listed
        assert publication.writer.pk in listed


class TestRateLimit:
    def test_past_the_limit_a_client_gets_429(self, client, settings, publication):
        settings.CONTENT_API_RATE_LIMIT = 3
        statuses = [client.get(f"{PAGES}?limit=1&offset={n}").status_code for n in range(5)]
        assert statuses == [200, 200, 200, 429, 429]

    def test_the_api_is_read_only(self, client, publication):
        assert client.post(PAGES, {"title": "x"}).status_code == 405
        assert client.delete(f"{PAGES}{publication.flagship.pk}/").status_code == 405
