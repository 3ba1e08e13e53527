"""JSON-LD, Open Graph and Twitter tags on article pages."""

import json
import re

import pytest
from django.core.cache import cache
from wagtail.models import Site

from masthead.discovery import structured_data
from masthead.newsroom.models import PublicationSettings
from tests.discovery.factories import make_article, make_image

_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(response) -> dict:
    scripts = _JSON_LD.findall(response.content.decode())
    assert len(scripts) == 1
    return json.loads(scripts[0])


def meta(response) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for _attr, name, content in re.findall(
        r'<meta (property|name)="([^"]+)" content="([^"]*)">', response.content.decode()
    ):
        tags.setdefault(name, []).append(content)
    return tags


class TestJsonLd:
    def test_flagship_is_a_news_article_with_headline_dates_and_language(
        self, client, publication
    ):
        data = json_ld(client.get(publication.flagship.url))
        flagship = publication.flagship
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == flagship.title
        assert data["description"] == flagship.standfirst
        assert data["inLanguage"] == "en"
        assert data["datePublished"] == flagship.first_published_at.isoformat()
        assert data["dateModified"] == flagship.last_published_at.isoformat()
        assert data["url"] == flagship.full_url
        assert data["mainEntityOfPage"]["@id"] == flagship.full_url

    def test_names_the_board_and_all_five_members_as_authors(self, client, publication):
        data = json_ld(client.get(publication.flagship.url))
        board = data["author"][0]
        assert board["@type"] == "Organization"
        assert board["name"] == "The Gazette Board"
        assert board["url"] == "http://localhost/en/contributors/board/"
        names = [m.name for m in publication.members]
        assert [m["name"] for m in board["member"]] == names
        people = [a for a in data["author"] if a["@type"] == "Person"]
        assert [p["name"] for p in people] == names
        assert people[0]["url"] == "http://localhost/en/contributors/ada-quispe/"

    def test_kept_tags_follow_a_renamed_author_and_a_new_revision(
        self, client, publication, settings
    ):
        settings.PAGE_CACHE_ENABLED = False  # the tags are kept apart from the page
        flagship = publication.flagship
        json_ld(client.get(flagship.url))
        member = publication.members[0]
        member.name = "Ada Quispe Renamed"
        member.save()
        flagship.title = "The headline, published again"
        flagship.save_revision().publish()
        data = json_ld(client.get(flagship.url))
        assert data["headline"] == "The headline, published again"
        assert "Ada Quispe Renamed" in [m["name"] for m in data["author"][0]["member"]]

    def test_names_the_interviewee_as_what_it_is_about(self, client, publication):
        data = json_ld(client.get(publication.flagship.url))
        assert data["about"] == [
            {
                "@type": "Person",
                "name": "Tomas Arce",
                "url": "http://localhost/en/contributors/tomas-arce/",
                "jobTitle": "Philosophy teacher",
            }
        ]

    def test_publisher_is_the_publication(self, client, publication):
        data = json_ld(client.get(publication.flagship.url))
        assert data["publisher"]["@type"] == "Organization"
        assert data["publisher"]["name"] == "The Test Gazette"
        assert "logo" not in data["publisher"]
        assert "image" not in data

    def test_spanish_article_in_spanish_with_spanish_authors(self, client, publication):
        data = json_ld(client.get(publication.flagship_es.url))
        assert data["inLanguage"] == "es"
        assert data["author"][0]["name"] == "La Junta de la Gaceta"
        assert data["author"][0]["url"] == "http://localhost/es/contributors/board/"
        assert len(data["author"][0]["member"]) == 5

    def test_hero_image_and_logo_are_absolute_rendition_urls(self, client, publication):
        settings = PublicationSettings.for_site(Site.objects.get(is_default_site=True))
        settings.logo = make_image("Gazette logo", size=(400, 400))
        settings.save()
        article = make_article(
            publication.analysis,
            slug="pictured",
            bylines=[publication.writer],
            days_ago=0.5,
            hero_image=make_image(),
            hero_alt="A harbour at dawn",
        )
        data = json_ld(client.get(article.url))
        image = data["image"]
        assert image["url"].startswith("http://localhost/media/images/")
        assert image["width"] == 1200 and image["height"] == 675
        logo = data["publisher"]["logo"]
        assert logo["@type"] == "ImageObject"
        assert logo["url"].startswith("http://localhost/media/images/")

    def test_syndicated_article_is_based_on_the_original(self, client, publication):
        article = make_article(
            publication.analysis,
            slug="syndicated",
            bylines=[publication.writer],
            syndication_name="The Partner",
            syndication_url="https://partner.example.org/original",
        )
        data = json_ld(client.get(article.url))
        assert data["isBasedOn"] == "https://partner.example.org/original"
        assert data["url"] == article.full_url

    def test_a_missing_image_file_leaves_the_image_out(self, client, publication):
        image = make_image()
        article = make_article(
            publication.analysis,
            slug="lost-image",
            bylines=[publication.writer],
            hero_image=image,
            hero_alt="Gone",
        )
        # Lost before its renditions were made (the publish task makes them): nothing to
        # link to.
        image.renditions.all().delete()
        cache.clear()
        image.file.storage.delete(image.file.name)
        response = client.get(article.url)
        assert response.status_code == 200
        assert "image" not in json_ld(response)

    def test_an_unsigned_article_has_no_author_but_a_publisher(self, client, publication):
        article = make_article(publication.analysis, slug="unsigned", bylines=[])
        data = json_ld(client.get(article.url))
        assert "author" not in data
        assert data["publisher"]["name"] == "The Test Gazette"

    def test_script_cannot_be_closed_by_a_headline(self, client, publication):
        article = make_article(
            publication.analysis,
            slug="hostile",
            bylines=[publication.writer],
            title="</script><script>alert(1)</script> & more",
            standfirst="Line\u2028separator <!-- comment",
        )
        response = client.get(article.url)
        body = response.content.decode()
        head = body[: body.index("</head>")]
        assert "<script>alert(1)" not in head
        data = json_ld(response)
        assert data["headline"] == "</script><script>alert(1)</script> & more"
        assert data["description"] == "Line\u2028separator <!-- comment"

    def test_json_ld_script_escapes_like_json_script(self):
        script = structured_data.json_ld_script({"a": "</script>&<"})
        assert script == (
            '<script type="application/ld+json">{"a": "\\u003C/script\\u003E\\u0026\\u003C"}</script>'
        )


class TestOpenGraph:
    def test_article_tags(self, client, publication):
        tags = meta(client.get(publication.flagship.url))
        flagship = publication.flagship
        assert tags["og:type"] == ["article"]
        assert tags["og:title"] == [flagship.title]
        assert tags["og:description"] == [flagship.standfirst.replace("'", "&#x27;")]
        assert tags["og:url"] == [flagship.full_url]
        assert tags["og:site_name"] == ["The Test Gazette"]
        assert tags["og:locale"] == ["en_US"]
        assert tags["og:locale:alternate"] == ["es_ES"]
        assert tags["article:published_time"] == [flagship.first_published_at.isoformat()]
        assert tags["article:modified_time"] == [flagship.last_published_at.isoformat()]
        assert tags["article:author"][0] == "http://localhost/en/contributors/board/"
        assert len(tags["article:author"]) == 6
        assert sorted(tags["article:tag"]) == ["history", "mining"]
        assert tags["twitter:title"] == [flagship.title]
        assert "og:image" not in tags

    def test_description_meta_falls_back_to_the_standfirst(self, client, publication):
        tags = meta(client.get(publication.others[0].url))
        assert tags["description"] == [publication.others[0].standfirst]

    def test_image_makes_a_large_twitter_card(self, client, publication):
        article = make_article(
            publication.analysis,
            slug="pictured",
            bylines=[publication.writer],
            hero_image=make_image(),
            hero_alt="A harbour at dawn",
        )
        tags = meta(client.get(article.url))
        assert tags["og:image"][0].startswith("http://localhost/media/images/")
        assert tags["og:image:alt"] == ["A harbour at dawn"]
        assert tags["og:image:width"] == ["1200"]
        assert tags["twitter:card"] == ["summary_large_image"]
        assert tags["twitter:image"] == tags["og:image"]

    @pytest.mark.parametrize(
        "language,expected", [("en", "en_US"), ("es", "es_ES"), ("fr", "fr_FR")]
    )
    def test_og_locale_has_a_territory(self, language, expected):
        assert structured_data.og_locale(language) == expected
