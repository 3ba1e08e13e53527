"""Editors can open every editing screen of the newsroom in Wagtail's admin."""

import re

import pytest
from django.contrib.auth import get_user_model

from masthead.newsroom.models import Contributor, PublicationText


@pytest.fixture
def editor_client(client, publication):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-x-123")
    client.force_login(user)
    return client


def test_article_edit_form_opens(editor_client, publication):
    response = editor_client.get(f"/admin/pages/{publication.flagship.pk}/edit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Interview exchange" in body and "Interviewees" in body


def test_new_article_form_opens_under_a_section(editor_client, publication):
    url = f"/admin/pages/add/newsroom/articlepage/{publication.interviews.pk}/"
    assert editor_client.get(url).status_code == 200


def test_articles_cannot_be_added_outside_a_section(editor_client, publication):
    url = f"/admin/pages/add/newsroom/articlepage/{publication.home.pk}/"
    response = editor_client.get(url)
    # Wagtail refuses with a redirect and a message, and creates nothing.
    assert response.status_code in {302, 403}
    assert "/add/" not in response.get("Location", "")


def test_contributor_snippets_list_and_edit(editor_client, publication):
    assert editor_client.get("/admin/snippets/newsroom/contributor/").status_code == 200
    board = Contributor.objects.get(pk=publication.board.pk)
    response = editor_client.get(f"/admin/snippets/newsroom/contributor/edit/{board.pk}/")
    assert response.status_code == 200
    assert "Members (for a collective)" in response.content.decode()


def test_publication_settings_and_texts_open(editor_client, publication):
    response = editor_client.get("/admin/settings/newsroom/publicationsettings/", follow=True)
    assert response.status_code == 200
    assert "Patron link" in response.content.decode()
    text = PublicationText.objects.first()
    url = f"/admin/snippets/newsroom/publicationtext/edit/{text.pk}/"
    assert editor_client.get(url).status_code == 200


def test_anonymous_visitor_is_sent_to_the_login(client, publication):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _language_note(response) -> str:
    body = response.content.decode()
    start = body.index("data-page-language")
    return re.sub(r"<[^>]+>|\s+", " ", body[start : body.index("</span>", start)]).split(">", 1)[1]


def test_the_editor_header_says_the_pages_language(editor_client, publication):
    response = editor_client.get(f"/admin/pages/{publication.flagship.pk}/edit/")
    note = _language_note(response)
    assert "English" in note
    assert "translated from" not in note


def test_a_translation_names_its_source_language_and_links_to_it(editor_client, publication):
    response = editor_client.get(f"/admin/pages/{publication.flagship_es.pk}/edit/")
    assert "Spanish, translated from English" in " ".join(_language_note(response).split())
    assert f'href="/admin/pages/{publication.flagship.pk}/edit/"' in response.content.decode()


def test_a_new_page_says_the_language_it_will_be_in(editor_client, publication):
    url = f"/admin/pages/add/newsroom/articlepage/{publication.interviews.pk}/"
    assert "English" in _language_note(editor_client.get(url))
