"""Reports → Translations: which articles and bios still need a translation, and which
translations fell behind their original."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from masthead.newsroom.models import ArticlePage
from tests.theme.markup import parse

URL = "/admin/reports/translations/"


@pytest.fixture
def editor(client, publication):
    user = get_user_model().objects.create_user("editor", "editor@example.org", "pw-x-123")
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


def section(doc, heading_id):
    return next(s for s in doc.find_all("section") if s.attrs.get("aria-labelledby") == heading_id)


def titles(element):
    return [row.find_all("td")[0].text for row in element.find_all("tr") if row.find_all("td")]


def test_it_lists_the_published_articles_with_no_spanish_translation(editor, publication):
    doc = parse(editor.get(URL + "?language=es").content)
    missing = section(doc, "articles-missing")
    assert missing.find("h2").text == "6 articles have no translation"
    # Newest first; the translated flagship and the unpublished draft are not there.
    assert titles(missing) == [f"Dispatch number {i}" for i in range(6)]
    first = publication.others[0]
    links = [a.attrs["href"] for a in missing.find_all("a")]
    assert f"/admin/pages/{first.pk}/edit/" in links
    assert f"/admin/translation/submit/page/{first.pk}/" in links


def test_it_lists_the_contributors_with_no_translated_bio(editor, publication):
    doc = parse(editor.get(URL + "?language=es").content)
    bios = section(doc, "contributors-missing")
    assert titles(bios) == ["Nora Field"]
    assert f"/admin/translation/submit/snippet/newsroom/contributor/{publication.writer.pk}/" in [
        a.attrs["href"] for a in bios.find_all("a")
    ]


def test_nothing_written_in_spanish_lacks_english(editor, publication):
    doc = parse(editor.get(URL + "?language=en").content)
    assert section(doc, "articles-missing").find("p").text == (
        "Every published article has a translation."
    )


def test_a_translation_is_out_of_date_once_its_original_is_published_again(editor, publication):
    def outdated():
        doc = parse(editor.get(URL + "?language=es").content)
        return titles(section(doc, "articles-outdated"))

    assert outdated() == []
    original = ArticlePage.objects.get(pk=publication.flagship.pk)
    original.standfirst = "A corrected standfirst."
    original.save_revision().publish()
    assert outdated() == ["Sal y plata: una conversación"]
    doc = parse(editor.get(URL + "?language=es").content)
    assert f"/admin/pages/{original.pk}/revisions/" in [
        a.attrs["href"] for a in section(doc, "articles-outdated").find_all("a")
    ]
    # The translator brings it up to date: it leaves the list.
    translation = ArticlePage.objects.get(pk=publication.flagship_es.pk)
    translation.standfirst = "Una entradilla corregida."
    translation.save_revision().publish()
    assert outdated() == []


def test_an_unknown_language_shows_the_spanish_report(editor, publication):
    response = editor.get(URL + "?language=xx")
    assert response.status_code == 200
    doc = parse(response.content)
    assert doc.find("a", aria_current="page").attrs["lang"] == "es"


def test_editors_find_it_under_reports(editor, publication):
    assert URL in editor.get("/admin/").content.decode()


def test_people_without_admin_access_cannot_see_it(client, publication):
    assert client.get(URL).status_code == 302  # to the sign-in page
    reader = get_user_model().objects.create_user("reader", "reader@example.org", "pw-x-123")
    client.force_login(reader)
    assert client.get(URL).status_code in {302, 403}
    assert "Dispatch number" not in client.get(URL).content.decode()


def test_translate_from_the_report_makes_a_spanish_draft_and_the_article_leaves_the_list(
    editor, publication
):
    article = publication.others[0]  # in Interviews, whose Spanish section exists
    translate = f"/admin/translation/submit/page/{article.pk}/"
    form = editor.get(translate)
    assert form.status_code == 200
    response = editor.post(
        translate,
        {"csrfmiddlewaretoken": form.cookies["csrftoken"].value, "locales": [publication.es.pk]},
    )
    assert response.status_code == 302
    copy = ArticlePage.objects.get(translation_key=article.translation_key, locale=publication.es)
    assert not copy.live  # a draft for the translator, never published by itself
    assert copy.get_parent().pk == publication.interviews_es.pk
    doc = parse(editor.get(URL + "?language=es").content)
    assert article.title not in titles(section(doc, "articles-missing"))
