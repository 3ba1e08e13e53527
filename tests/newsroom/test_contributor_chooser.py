"""The contributor chooser creates a contributor on the spot, in the page's language, and
chooses them at once (issue 13 §4). Bad input is answered in the modal and creates nothing.

The modal is opened as Wagtail's editor opens it: with ``?locale=`` set to the language of
the page being edited.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from masthead.newsroom.models import Contributor

CHOOSE = "wagtailsnippetchoosers_newsroom_contributor:choose"
CREATE = "wagtailsnippetchoosers_newsroom_contributor:create"


@pytest.fixture
def editor_client(client, publication):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-x-123")
    client.force_login(user)
    return client


def _create(client, data: dict, locale: str | None = "en") -> dict:
    url = reverse(CREATE) + (f"?locale={locale}" if locale else "")
    fields = {"kind": "person", "role": "", "slug": "", **data}
    response = client.post(url, {f"new-contributor-{key}": value for key, value in fields.items()})
    assert response.status_code == 200
    return response.json()


def test_the_chooser_offers_a_create_tab_that_names_the_page_s_language(editor_client):
    response = editor_client.get(reverse(CHOOSE), {"locale": "es"})
    html = response.json()["html"]
    assert 'id="tab-create"' in html
    assert "Create and choose" in html
    # Apart from the page form's own fields beneath the modal (it has a slug too).
    assert 'id="id_new-contributor-slug"' in html
    assert "created in Spanish, the language of this page" in html
    # The form posts back with the language it was opened in.
    assert f"{reverse(CREATE)}?locale=es" in html


def test_a_contributor_created_in_the_chooser_is_chosen_at_once(editor_client, publication):
    answer = _create(
        editor_client, {"name": "Rosa Huamán Ccopa", "kind": "person", "role": "Historian"}
    )

    assert answer["step"] == "chosen"
    rosa = Contributor.objects.get(name="Rosa Huamán Ccopa")
    # What the chooser widget shows and links to.
    assert answer["result"]["id"] == str(rosa.pk)
    assert answer["result"]["string"] == "Rosa Huamán Ccopa"
    assert answer["result"]["edit_url"] == reverse(
        "wagtailsnippets_newsroom_contributor:edit", args=[rosa.pk]
    )
    assert (rosa.slug, rosa.kind, rosa.role) == ("rosa-huaman-ccopa", "person", "Historian")
    assert rosa.locale == publication.en


def test_the_contributor_is_made_in_the_language_of_the_page(editor_client, publication):
    _create(editor_client, {"name": "Comité de Redacción", "kind": "collective"}, locale="es")
    committee = Contributor.objects.get(name="Comité de Redacción")
    assert committee.locale == publication.es
    assert committee.kind == Contributor.Kind.COLLECTIVE
    assert committee.slug == "comite-de-redaccion"


def test_without_a_page_language_it_is_made_in_the_default_one(editor_client, publication):
    _create(editor_client, {"name": "Pilar Ortiz"}, locale=None)
    assert Contributor.objects.get(name="Pilar Ortiz").locale == publication.en


def test_a_slug_given_is_kept(editor_client):
    _create(editor_client, {"name": "Pilar Ortiz", "slug": "pilar-ortiz-lima"})
    assert Contributor.objects.get(name="Pilar Ortiz").slug == "pilar-ortiz-lima"


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_name_is_refused_in_the_modal(editor_client, name):
    before = Contributor.objects.count()
    answer = _create(editor_client, {"name": name, "role": "Historian"})

    assert answer["step"] == "reshow_creation_form"
    assert "This field is required." in answer["htmlFragment"]
    # Shown again as typed, in the same tab.
    assert 'id="tab-create"' in answer["htmlFragment"]
    assert 'value="Historian"' in answer["htmlFragment"]
    assert Contributor.objects.count() == before


def test_a_name_with_nothing_to_make_a_slug_from_asks_for_one(editor_client):
    before = Contributor.objects.count()
    answer = _create(editor_client, {"name": "!!!"})
    assert answer["step"] == "reshow_creation_form"
    assert "no letters or digits to make a slug from" in answer["htmlFragment"]
    assert Contributor.objects.count() == before


def test_a_slug_taken_in_that_language_is_refused_and_says_by_whom(editor_client, publication):
    before = Contributor.objects.count()
    # Nora Field is an English contributor: the same name would take her address.
    answer = _create(editor_client, {"name": "Nora Field"})

    assert answer["step"] == "reshow_creation_form"
    fragment = answer["htmlFragment"]
    assert "is already the address of Nora Field in English" in fragment
    assert "choose them in the Search tab" in fragment
    assert Contributor.objects.count() == before

    answer = _create(editor_client, {"name": "Someone Else", "slug": "nora-field"})
    assert "is already the address of Nora Field in English" in answer["htmlFragment"]
    assert Contributor.objects.count() == before


def test_the_same_slug_in_another_language_is_free(editor_client, publication):
    # Nora Field has no Spanish version yet.
    answer = _create(editor_client, {"name": "Nora Field"}, locale="es")
    assert answer["step"] == "chosen"
    assert Contributor.objects.filter(slug="nora-field", locale=publication.es).exists()


def test_an_unknown_language_is_refused_and_creates_nothing(editor_client):
    before = Contributor.objects.count()
    answer = _create(editor_client, {"name": "Pilar Ortiz"}, locale="xx")
    assert answer["step"] == "reshow_creation_form"
    assert "language is unknown" in answer["htmlFragment"]
    assert Contributor.objects.count() == before


@pytest.fixture
def chooser_only_client(client, publication):
    """An admin user who may change contributors but not add them."""
    user = get_user_model().objects.create_user("chooser", "chooser@example.org", "pw-x-123")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_contributor"),
    )
    client.force_login(user)
    return client


def test_who_may_not_add_contributors_sees_no_create_tab(chooser_only_client):
    response = chooser_only_client.get(reverse(CHOOSE), {"locale": "en"})
    assert response.status_code == 200
    html = response.json()["html"]
    assert "Nora Field" in html  # choosing still works
    assert 'id="tab-create"' not in html


def test_who_may_not_add_contributors_cannot_post_one(chooser_only_client):
    before = Contributor.objects.count()
    response = chooser_only_client.post(
        reverse(CREATE) + "?locale=en",
        {"new-contributor-name": "Pilar Ortiz", "new-contributor-kind": "person"},
    )
    assert response.status_code == 403
    assert Contributor.objects.count() == before
