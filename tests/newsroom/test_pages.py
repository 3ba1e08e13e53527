"""Every page type renders what it should; what is not published is never shown."""

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags

from masthead.newsroom import services
from masthead.newsroom.models import ArticlePage, Contributor


def text_of(response) -> str:
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


@pytest.fixture
def client_500(client):
    client.raise_request_exception = False
    return client


class TestHomePage:
    def test_lists_latest_articles_and_sections(self, client, publication):
        response = client.get("/en/")
        assert response.status_code == 200
        body = response.content.decode()
        assert publication.flagship.title in body
        assert 'href="/en/interviews/"' in body and 'href="/en/analysis/"' in body

    def test_spanish_home_lists_only_spanish_articles(self, client, publication):
        body = client.get("/es/").content.decode()
        assert publication.flagship_es.title in body
        assert publication.flagship.title not in body

    def test_root_redirects_to_a_language(self, client, publication):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 302
        assert response["Location"] == "/es/"


class TestSectionPage:
    def test_lists_its_articles_newest_first(self, client, publication):
        body = client.get("/en/analysis/").content.decode()
        listing = body[body.index('class="list"') : body.index("layout__aside")]
        titles = re.findall(r"Dispatch number (\d)", listing)
        assert titles == ["1", "3", "5"]

    def test_never_lists_a_draft(self, client, publication):
        body = client.get("/en/analysis/").content.decode()
        assert "Unpublished draft" not in body

    @pytest.mark.parametrize("page", ["-1", "abc", "0", str(10**9), "1e3", "\uff12"])
    def test_bad_page_number_is_a_404(self, client_500, publication, page):
        assert client_500.get("/en/analysis/", {"page": page}).status_code == 404


class TestArticlePage:
    def test_shows_headline_standfirst_body_and_reading_time(self, client, publication):
        text = text_of(client.get(publication.flagship.url))
        assert "Salt and Silver: A Conversation" in text
        assert publication.flagship.standfirst in text
        assert "Slowly, and then all at once." in text
        assert "1 minute read" in text

    def test_interview_turns_name_their_speakers(self, client, publication):
        body = client.get(publication.flagship.url).content.decode()
        speakers = re.findall(r'class="turn__speaker">(.*?)</p>', body)
        assert [strip_tags(s).split(" ", 2)[-1] for s in speakers] == [
            "The Gazette Board",
            "Tomas Arce",
        ]

    def test_interviewee_bio_box_follows_the_body(self, client, publication):
        body = client.get(publication.flagship.url).content.decode()
        assert body.index("Slowly, and then all at once.") < body.index("bio-box")
        assert "Tomas Arce teaches philosophy in a coastal city." in body

    def test_draft_is_a_404(self, client, publication):
        assert client.get("/en/analysis/secret-draft/").status_code == 404

    def test_unpublishing_hides_the_article(self, client, publication):
        url = publication.others[0].url
        publication.others[0].unpublish()
        assert client.get(url).status_code == 404

    def test_syndicated_article_points_canonical_at_the_original(self, client, publication):
        article = publication.others[1]
        article.syndication_name = "The Partner Weekly"
        article.syndication_url = "https://partner.example.org/original"
        article.save_revision().publish()
        body = client.get(article.url).content.decode()
        assert '<link rel="canonical" href="https://partner.example.org/original">' in body
        assert "First published by" in body and "The Partner Weekly" in body

    def test_own_article_is_its_own_canonical(self, client, publication):
        body = client.get(publication.flagship.url).content.decode()
        assert (
            '<link rel="canonical" href="http://localhost/en/interviews/salt-and-silver/">' in body
        )

    def test_query_count_does_not_grow_with_bylines_and_topics(
        self, client, publication, django_assert_max_num_queries, no_page_cache
    ):
        article = publication.others[2]
        url = article.url
        client.get(url)  # warm Wagtail's per-process site cache, as a running server has
        with django_assert_max_num_queries(30) as small:
            client.get(url)
        # Read it now: the query log is a bounded deque that the set-up below overflows.
        budget = len(small.captured_queries)
        extra = [
            services.create_contributor(
                name=f"Writer {i}", slug=f"writer-{i}", locale=publication.en
            )
            for i in range(8)
        ]
        article.bylines = [
            *list(article.bylines.all()),
            *[type(article.bylines.first())(contributor=c) for c in extra],
        ]
        article.topics.add(*[f"topic-{i}" for i in range(8)])
        article.save_revision().publish()
        for i in range(6):
            services.create_article(
                section=publication.analysis,
                draft=services.ArticleDraft(
                    title=f"Another {i}",
                    slug=f"another-{i}",
                    standfirst="More.",
                    bylines=extra[:3],
                    topics=["topic-1", "topic-2"],
                ),
            )
        url = ArticlePage.objects.get(pk=article.pk).url
        client.get(url)  # warm again: publishing emptied the listing caches
        with django_assert_max_num_queries(budget):
            response = client.get(url)
        assert "Writer 7" in response.content.decode()


class TestArticleValidation:
    def test_hero_image_requires_alt_text(self, publication):
        from wagtail.images import get_image_model
        from wagtail.images.tests.utils import get_test_image_file

        image = get_image_model().objects.create(title="x", file=get_test_image_file())
        article = publication.others[0]
        article.hero_image = image
        article.hero_alt = "  "
        with pytest.raises(ValidationError) as error:
            article.full_clean()
        assert "hero_alt" in error.value.message_dict

    def test_syndication_url_requires_the_partner_name(self, publication):
        article = publication.others[0]
        article.syndication_url = "https://partner.example.org/x"
        with pytest.raises(ValidationError) as error:
            article.full_clean()
        assert "syndication_name" in error.value.message_dict

    def test_exchange_question_without_a_speaker_is_refused(self, publication):
        block = ArticlePage.body.field.stream_block.child_blocks["exchange"]
        value = block.to_python(
            {
                "pairs": [
                    {
                        "question_speaker": None,
                        "question_speaker_name": " ",
                        "question": "<p>Why?</p>",
                    }
                ]
            }
        )
        with pytest.raises(ValidationError):
            block.clean(value)

    def test_collective_cannot_contain_itself(self, publication):
        board = publication.board
        member = board.members.first()
        member.member = board
        with pytest.raises(ValidationError):
            member.full_clean()

    def test_contributor_slug_is_unique_per_language(self, publication):
        with pytest.raises(ValidationError):
            services.create_contributor(name="Copy", slug="nora-field", locale=publication.en)
        # ... but the same slug may be used by a Spanish contributor.
        assert services.create_contributor(name="Nora", slug="nora-field", locale=publication.es)


class TestContributorPage:
    def test_lists_pieces_of_a_collective_member(self, client, publication):
        body = client.get("/en/contributors/ada-quispe/").content.decode()
        assert publication.flagship.title in body

    def test_interviewee_page_lists_the_interview(self, client, publication):
        body = client.get("/en/contributors/tomas-arce/").content.decode()
        assert "Philosophy teacher" in body and publication.flagship.title in body

    def test_a_person_only_on_a_draft_has_no_page_or_feed_until_it_is_published(
        self, client, publication
    ):
        person = services.create_contributor(
            name="Ines Calder", slug="ines-calder", locale=publication.en, bio="<p>Secret.</p>"
        )
        draft = ArticlePage.objects.get(pk=publication.draft.pk)
        draft.subjects.create(contributor=person)
        draft.save_revision()
        urls = [
            "/en/contributors/ines-calder/",
            "/en/feeds/contributors/ines-calder/rss/",
            "/en/feeds/contributors/ines-calder/atom/",
        ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, url
            assert "Ines Calder" not in response.content.decode()
        draft.get_latest_revision().publish()
        for url in urls:
            assert client.get(url).status_code == 200, url
        assert "Ines Calder" in client.get(urls[0]).content.decode()

    def test_collective_page_lists_its_members(self, client, publication):
        text = text_of(client.get("/en/contributors/board/"))
        assert all(m.name in text for m in publication.members)

    def test_unknown_slug_is_a_404(self, client, publication):
        assert client.get("/en/contributors/nobody-here/").status_code == 404

    def test_is_paginated(self, client, publication):
        writer = Contributor.objects.get(slug="nora-field", locale=publication.en)
        for i in range(20):
            services.create_article(
                section=publication.analysis,
                draft=services.ArticleDraft(
                    title=f"Column {i}",
                    slug=f"column-{i}",
                    standfirst="A column.",
                    bylines=[writer],
                ),
            )
        first = client.get("/en/contributors/nora-field/").content.decode()
        second = client.get("/en/contributors/nora-field/", {"page": 2}).content.decode()
        assert first.count('<article class="card') == 20
        assert second.count('<article class="card') == 6
        assert client.get("/en/contributors/nora-field/", {"page": 3}).status_code == 404


def test_a_preview_shows_the_edited_body_not_the_kept_live_one(client, publication):
    """The live body is kept as a fragment; a preview of an edit must not be served it."""
    from tests.discovery.factories import paragraph

    flagship = publication.flagship
    assert client.get(flagship.url).status_code == 200  # the live body is now kept
    edited = type(flagship).objects.get(pk=flagship.pk)
    edited.body = [paragraph("A sentence only the preview has.")]
    response = edited.make_preview_request()
    assert "A sentence only the preview has." in response.content.decode()
    assert "A sentence only the preview has." not in client.get(flagship.url).content.decode()
