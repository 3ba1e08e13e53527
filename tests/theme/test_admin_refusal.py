"""Refusals in the Wagtail admin: 403 for a signed-in editor, the login for a visitor."""

import pytest
from django.urls import reverse
from wagtail.users.models import UserProfile

from tests.audience.admin_helpers import editor
from tests.theme.markup import parse

pytestmark = pytest.mark.django_db

# The readers' listing (a ModelViewSet's permission check) and the CSV export (a view that
# raises PermissionDenied itself): the two ways a refusal reaches Wagtail.
REFUSED = ["audience_reader:index", "audience_csv:export"]


@pytest.mark.parametrize("name", REFUSED)
def test_an_editor_without_the_permission_gets_a_403_admin_page(client, name):
    client.force_login(editor())
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "Location" not in response
    doc = parse(response.content)
    stylesheets = [link.attrs["href"] for link in doc.find_all("link", rel="stylesheet")]
    assert any("wagtailadmin/css/core.css" in href for href in stylesheets)
    assert doc.find("h1").text == "Forbidden"
    main = doc.find("main")
    assert "you do not have permission to access this area" in main.text
    assert main.find("a", href=reverse("wagtailadmin_home"))


def test_the_refusal_leaves_no_message_for_the_next_screen(client):
    client.force_login(editor())
    client.get(reverse("audience_reader:index"))
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "you do not have permission" not in dashboard


def test_the_refusal_speaks_the_editors_admin_language(client):
    user = editor()
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "es"
    profile.save()
    client.force_login(user)
    response = client.get(reverse("audience_reader:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "no tienes permisos para acceder a esta área" in parse(response.content).text


def test_wagtails_own_scripts_get_a_bare_403(client):
    client.force_login(editor())
    response = client.get(reverse("audience_reader:index"), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 403


@pytest.mark.parametrize("name", REFUSED)
def test_an_anonymous_visitor_is_still_sent_to_the_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login") + "?next=")
