"""Site search: what it finds, in which language, and what it never shows."""

import re

import pytest

from masthead.discovery import search


def result_titles(response) -> list[str]:
    assert response.status_code == 200
    body = response.content.decode()
    listing = body[body.index('class="list"') :]
    return re.findall(r'class="card__title"><a href="[^"]*">([^<]*)</a>', listing)


def result_links(response) -> list[str]:
    body = response.content.decode()
    listing = body[body.index('class="list"') :]
    return re.findall(r'class="card__title"><a href="([^"]*)"', listing)


class TestFinds:
    def test_a_word_only_in_the_body(self, client, publication):
        response = client.get("/en/search/", {"q": "zanzibarite"})
        assert result_links(response) == [publication.flagship.url]

    def test_a_word_of_an_interview_answer(self, client, publication):
        response = client.get("/en/search/", {"q": "slowly"})
        assert result_links(response) == [publication.flagship.url]

    def test_by_byline_name(self, client, publication):
        links = result_links(client.get("/en/search/", {"q": "Nora Field"}))
        assert sorted(links) == sorted(a.url for a in publication.others)

    def test_by_interviewee_name(self, client, publication):
        response = client.get("/en/search/", {"q": "Tomas Arce"})
        assert result_links(response) == [publication.flagship.url]

    def test_a_collective_member_by_name_as_a_contributor(self, client, publication):
        body = client.get("/en/search/", {"q": "quispe"}).content.decode()
        assert 'href="/en/contributors/ada-quispe/"' in body

    def test_every_word_must_match(self, client, publication):
        assert result_links(client.get("/en/search/", {"q": "zanzibarite dispatch"})) == []

    def test_headline_words(self, client, publication):
        response = client.get("/en/search/", {"q": "Salt Silver"})
        assert result_links(response) == [publication.flagship.url]


class TestNeverShows:
    def test_the_unpublished_draft(self, client, publication):
        for query in ["zanzibarite", "Unpublished draft", "secret", "quarries", "readers yet"]:
            response = client.get("/en/search/", {"q": query})
            assert publication.draft.url not in response.content.decode(), query
            assert "Not for readers yet" not in response.content.decode(), query
        assert result_links(client.get("/en/search/", {"q": "zanzibarite"})) == [
            publication.flagship.url
        ]

    def test_an_unpublished_article(self, client, publication):
        publication.flagship.unpublish()
        assert result_links(client.get("/en/search/", {"q": "zanzibarite"})) == []


class TestLanguages:
    def test_spanish_search_returns_only_spanish_pages(self, client, publication):
        response = client.get("/es/search/", {"q": "canteras"})
        assert result_links(response) == [publication.flagship_es.url]
        assert result_links(client.get("/es/search/", {"q": "zanzibarite"})) == []
        for query in ["Tomas", "filosofía", "Dispatch"]:
            for link in result_links(client.get("/es/search/", {"q": query})):
                assert link.startswith("/es/"), (query, link)

    def test_english_search_does_not_return_spanish_pages(self, client, publication):
        assert result_links(client.get("/en/search/", {"q": "canteras"})) == []
        links = result_links(client.get("/en/search/", {"q": "Tomas Arce"}))
        assert links == [publication.flagship.url]


class TestPage:
    def test_empty_query_shows_the_form_only(self, client, publication):
        response = client.get("/en/search/")
        assert response.status_code == 200
        assert 'name="q"' in response.content.decode()
        assert "card__title" not in response.content.decode()

    def test_is_not_indexed(self, client, publication):
        body = client.get("/en/search/", {"q": "mines"}).content.decode()
        assert '<meta name="robots" content="noindex">' in body

    def test_paginates_results(self, client, publication):
        from tests.discovery.factories import make_articles

        make_articles(publication.analysis, 12, bylines=[publication.writer], prefix="pager")
        first = client.get("/en/search/", {"q": "pager"})
        second = client.get("/en/search/", {"q": "pager", "page": "2"})
        assert len(result_links(first)) == 10 and len(result_links(second)) == 2
        assert not set(result_links(first)) & set(result_links(second))
        assert 'rel="next"' in first.content.decode()


class TestTerms:
    @pytest.mark.parametrize(
        "query,terms",
        [
            ("zanzibarite", ["zanzibarite"]),
            ('"unterminated', ["unterminated"]),
            ('AND OR NOT * " ( ) NEAR', ["AND", "OR", "NOT", "NEAR"]),
            ('*"()', []),
            ("' OR 1=1 --", ["OR", "1", "1"]),
            ("canción: niño", ["canción", "niño"]),
            ("a:b & c | !d", ["a", "b", "c", "d"]),
        ],
    )
    def test_only_words_reach_the_backend(self, query, terms):
        assert search.search_terms(query) == terms

    def test_terms_are_bounded(self):
        assert len(search.search_terms("word " * 1000)) == search.MAX_TERMS

    def test_clean_query_strips_control_characters_and_bounds_length(self):
        assert search.clean_query("a\x00b\x01c") == "a b c"
        assert len(search.clean_query("x" * 10_000)) == search.MAX_QUERY_LENGTH
        assert search.clean_query(None) == ""
