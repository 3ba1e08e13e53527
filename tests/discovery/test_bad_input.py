"""Whatever a reader or a bot sends, listing and search pages answer 200 or a clean 4xx."""

import random
import re

import pytest

# A fixed seed: the same "random" bytes every run, so a failure can be replayed.
RANDOM_BYTES = bytes(random.Random(7).randrange(256) for _ in range(300)).decode("latin-1")  # noqa: S311

BAD_QUERIES = [
    "x" * 10_000,
    "\x00\x01\xff",
    RANDOM_BYTES,
    "' OR 1=1 --",
    '"; DROP TABLE wagtailcore_page; --',
    "<script>alert(1)</script>",
    'AND OR NOT * " ( ) NEAR',
    '"',
    "*",
    "NEAR(a b)",
    "a:* & !b | c <-> d",
    "\\",
    "%",
    "_",
    "\u2028\u202e\ufeff",
    "😀 emoji",
]
BAD_PAGES = ["-1", "abc", "0", str(10**9), "1.5", "1e3", "", "²", "٣", "9" * 100]
LISTINGS = [
    "/en/interviews/",
    "/en/analysis/",
    "/es/interviews/",
    "/en/topics/mining/",
    "/es/topics/minería/",
    "/en/contributors/board/",
    "/en/contributors/nora-field/",
    "/es/contributors/board/",
]


@pytest.fixture
def client_500(client):
    # Answer 500s instead of raising, so a 500 fails the assertion that names the input.
    client.raise_request_exception = False
    return client


class TestSearchInput:
    @pytest.mark.parametrize("query", BAD_QUERIES, ids=range(len(BAD_QUERIES)))
    @pytest.mark.parametrize("language", ["en", "es"])
    def test_bad_query_is_answered_cleanly(self, client_500, publication, query, language):
        response = client_500.get(f"/{language}/search/", {"q": query})
        assert response.status_code == 200

    def test_markup_in_the_query_comes_back_escaped(self, client, publication):
        body = client.get("/en/search/", {"q": "<script>alert(1)</script>"}).content.decode()
        assert "<script>alert(1)" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body

    def test_quotes_in_the_query_cannot_break_out_of_the_attribute(self, client, publication):
        body = client.get("/en/search/", {"q": '"><img src=x onerror=alert(1)>'}).content.decode()
        assert "<img src=x" not in body
        assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in body

    def test_sql_in_the_query_is_just_words(self, client, publication):
        response = client.get("/en/search/", {"q": '"; DROP TABLE wagtailcore_page; --'})
        assert response.status_code == 200
        assert client.get(publication.flagship.url).status_code == 200

    def test_a_long_query_still_finds_its_article(self, client, publication):
        response = client.get("/en/search/", {"q": "zanzibarite " + "x" * 10_000})
        assert response.status_code == 200
        assert len(response.content) < 200_000

    def test_query_in_the_page_is_bounded(self, client, publication):
        body = client.get("/en/search/", {"q": "y" * 10_000}).content.decode()
        shown = re.search(r'id="search-page-q"[^>]*value="(y*)"', body).group(1)
        assert shown == "y" * 200
        summary = body[body.index('class="search-summary"') :]
        assert "y" * 200 in summary[:1000] and "y" * 201 not in summary[:1000]

    @pytest.mark.parametrize("page", BAD_PAGES)
    def test_bad_page_number_is_a_404_or_the_first_page(self, client_500, publication, page):
        response = client_500.get("/en/search/", {"q": "zanzibarite", "page": page})
        assert response.status_code in (200, 404)
        if page == "":
            assert response.status_code == 200

    def test_a_page_past_the_end_is_a_404(self, client_500, publication):
        assert client_500.get("/en/search/", {"q": "zanzibarite", "page": "2"}).status_code == 404

    def test_repeated_and_odd_parameters(self, client_500, publication):
        for query_string in ["q=a&q=b", "q[]=x", "q=%FF%FE", "q=%", "page=2&page=x", "q"]:
            assert client_500.get(f"/en/search/?{query_string}").status_code in (200, 404)

    def test_post_is_refused(self, client_500, publication):
        assert client_500.post("/en/search/", {"q": "x"}).status_code == 405


class TestListingInput:
    @pytest.mark.parametrize("url", LISTINGS)
    @pytest.mark.parametrize("page", BAD_PAGES)
    def test_bad_page_number_is_a_404(self, client_500, publication, url, page):
        response = client_500.get(url, {"page": page})
        expected = 200 if page == "" else 404
        assert response.status_code == expected, (url, page)

    @pytest.mark.parametrize("url", LISTINGS)
    def test_first_page_answers(self, client, publication, url):
        assert client.get(url, {"page": "1"}).status_code == 200

    @pytest.mark.parametrize(
        "url",
        [
            "/en/contributors/nope/",
            "/en/topics/nope/",
            "/en/no-such-section/",
            "/es/contributors/nora-field/",  # English only
            "/en/topics/minería/",  # Spanish only
            "/es/topics/history/",  # English only
            "/en/contributors/" + "a" * 5000 + "/",
            "/en/topics/%00/",
            "/en/topics/a%20b/",
        ],
    )
    def test_unknown_slug_is_a_404(self, client_500, publication, url):
        assert client_500.get(url).status_code == 404

    def test_a_topic_whose_articles_are_all_unpublished_is_a_404(self, client_500, publication):
        publication.flagship.unpublish()
        assert client_500.get("/en/topics/history/").status_code == 404

    def test_contributor_without_published_pieces_has_no_page(self, client_500, publication):
        # Not an empty page: a person's bio is not announced before a piece of theirs is
        # public (the subject of a draft interview), nor kept after every piece is withdrawn.
        for article in publication.others:
            article.unpublish()
        response = client_500.get("/en/contributors/nora-field/")
        assert response.status_code == 404
        assert "Nora Field" not in response.content.decode()
