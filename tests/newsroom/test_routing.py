"""The one-query routing finds exactly the page Wagtail would, or leaves it to Wagtail."""

import pytest
from django.test import RequestFactory
from django.utils import translation
from wagtail.models import Page, PageViewRestriction

from masthead.newsroom import routing, services
from tests.discovery.factories import make_article

pytestmark = pytest.mark.usefixtures("no_page_cache")


def both_routes(path: str, language: str) -> tuple[object, object]:
    """(the shortcut's page, Wagtail's page) for ``path`` under /<language>/."""
    with translation.override(language):
        ours = routing.route(RequestFactory().get(f"/{language}/{path}"), path)
        theirs = Page.route_for_request(RequestFactory().get(f"/{language}/{path}"), path)
    return (ours.page if ours else None), (theirs.page if theirs else None)


def test_finds_the_same_home_section_and_article_as_wagtail(publication):
    for language, page in [
        ("en", publication.flagship),
        ("es", publication.flagship_es),
        ("en", publication.flagship.get_parent()),
        ("en", publication.flagship.get_parent().get_parent()),
        ("es", publication.flagship_es.get_parent().get_parent()),
    ]:
        path = page.url.removeprefix(f"/{language}/")
        ours, theirs = both_routes(path, language)
        assert ours is not None, path
        assert ours.pk == theirs.pk == page.pk, path
        assert type(ours) is type(page.specific), path


def test_the_article_knows_its_section_without_asking(publication, django_assert_num_queries):
    path = publication.flagship.url.removeprefix("/en/")
    both_routes(path, "en")  # the navigation's sections are kept from here on
    with translation.override("en"):
        found = routing.route(RequestFactory().get(f"/en/{path}"), path)
    section = publication.flagship.get_parent()
    with django_assert_num_queries(0):
        assert found.page.get_parent().pk == section.pk


@pytest.mark.parametrize(
    "path",
    [
        "no-such-section/",
        "interviews/no-such-piece/",
        "analysis/salt-and-silver/",  # a real slug under the wrong section
        "interviews/salt-and-silver/extra/",
    ],
)
def test_what_is_not_there_is_left_to_wagtail_and_is_a_404(client, publication, path):
    ours, theirs = both_routes(path, "en")
    assert ours is None and theirs is None
    assert client.get(f"/en/{path}").status_code == 404


def test_a_draft_is_a_404(client, publication):
    draft = make_article(
        publication.analysis, slug="not-yet", bylines=[publication.writer], publish=False
    )
    assert client.get(f"/en/analysis/{draft.slug}/").status_code == 404


def test_a_page_under_a_view_restriction_is_not_served_to_anonymous_readers(client, publication):
    section = publication.flagship.get_parent()
    PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(publication.flagship.url)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_restricted_translation_is_not_offered_as_an_alternate(client, publication):
    assert publication.flagship_es.url.encode() in client.get(publication.flagship.url).content
    PageViewRestriction.objects.create(
        page=publication.flagship_es, restriction_type=PageViewRestriction.LOGIN
    )
    assert publication.flagship_es.url.encode() not in client.get(publication.flagship.url).content


def test_an_alias_is_routed_by_wagtail(client, publication):
    alias = publication.flagship.create_alias(
        parent=publication.analysis, update_slug="the-same-interview"
    )
    ours, theirs = both_routes("analysis/the-same-interview/", "en")
    assert ours is None and theirs.pk == alias.pk
    response = client.get("/en/analysis/the-same-interview/")
    assert response.status_code == 200
    assert publication.flagship.title in response.content.decode()


def test_a_byline_change_shows_on_the_next_render(client, publication):
    article = publication.others[0]
    client.get(article.url)
    writer = services.create_contributor(
        name="Irene Castellanos", slug="irene-castellanos", locale=publication.en
    )
    article.bylines = [type(article.bylines.first())(contributor=writer)]
    article.save_revision().publish()
    assert "Irene Castellanos" in client.get(article.url).content.decode()


def test_a_routed_page_is_kept_so_the_next_request_runs_no_query(
    publication, django_assert_num_queries
):
    path = publication.flagship.url.removeprefix("/en/")
    both_routes(path, "en")
    with translation.override("en"), django_assert_num_queries(0):
        found = routing.route(RequestFactory().get(f"/en/{path}"), path)
    assert found.page.pk == publication.flagship.pk


def test_a_kept_route_follows_the_article_to_its_new_slug(client, publication):
    article = publication.others[0]
    old_url = article.url
    assert client.get(old_url).status_code == 200
    article.slug = "a-new-name"
    article.save_revision().publish()
    article.refresh_from_db()
    assert article.url.endswith("/a-new-name/")
    assert client.get(old_url).status_code == 404
    assert client.get(article.url).status_code == 200


def test_a_kept_route_is_dropped_when_the_article_is_unpublished(client, publication):
    article = publication.others[0]
    assert client.get(article.url).status_code == 200
    article.unpublish()
    assert client.get(article.url).status_code == 404


def test_a_kept_route_is_dropped_when_the_article_moves_to_another_section(client, publication):
    article = publication.others[0]
    old_url = article.url
    assert client.get(old_url).status_code == 200
    target = (
        publication.analysis
        if article.get_parent().pk != publication.analysis.pk
        else (publication.flagship.get_parent())
    )
    article.move(target, pos="last-child")
    article.refresh_from_db()
    assert client.get(old_url)["Location"] == article.url
    assert client.get(article.url).status_code == 200


def test_a_kept_route_is_dropped_when_its_section_is_renamed(client, publication):
    article = publication.flagship
    old_url = article.url
    assert client.get(old_url).status_code == 200
    section = article.get_parent().specific
    section.slug = "conversations"
    section.save_revision().publish()
    article.refresh_from_db()
    assert client.get(old_url).status_code == 404
    assert article.url.startswith("/en/conversations/")
    assert client.get(article.url).status_code == 200
