"""Language prefixes: a 404 outside the reader pages stays a 404, reader paths get a language."""

import pytest

from tests.audience.admin_helpers import editor
from tests.theme.markup import parse

pytestmark = pytest.mark.django_db


def test_an_unknown_admin_url_is_an_admin_404_not_a_language_redirect(client):
    client.force_login(editor())
    response = client.get("/admin/no-such-screen/")
    assert response.status_code == 404
    assert "Location" not in response
    doc = parse(response.content)
    stylesheets = [link.attrs["href"] for link in doc.find_all("link", rel="stylesheet")]
    assert any("wagtailadmin/css/core.css" in href for href in stylesheets)


def test_an_unknown_admin_url_without_its_slash_gets_the_slash_then_a_404(client):
    client.force_login(editor())
    response = client.get("/admin/no-such-screen", follow=True)
    assert response.status_code == 404
    assert [url for url, _status in response.redirect_chain] == ["/admin/no-such-screen/"]


def test_a_bad_unsubscribe_link_is_its_own_404_not_a_language_redirect(client):
    # The view's own page for a bad token; RFC 8058 wants no redirect on these links.
    response = client.get("/newsletter/unsubscribe/not-a-token/")
    assert response.status_code == 404
    assert "Location" not in response
    assert parse(response.content).find("h1").text == "This unsubscribe link does not work"


def test_a_reader_path_without_a_language_still_gets_one(client, publication):
    response = client.get("/interviews/salt-and-silver/")
    assert response.status_code == 302
    assert response["Location"] == "/en/interviews/salt-and-silver/"
