"""The article form an editor writes in (issue 13 §4): the headline, the kind a new article
starts as, topics beside the body, and image credits as readers see them.

The browser's side of the same form (wrapping, alt text from the image, autosave, the tab
badges) is in tests/e2e/test_article_form.py.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from masthead.newsroom import queries, services
from masthead.newsroom.credits import credit_name
from masthead.newsroom.models import ArticlePage
from tests.discovery.factories import make_article, make_image
from tests.theme.markup import parse

pytestmark = pytest.mark.usefixtures("no_page_cache")


@pytest.fixture
def editor_client(client, publication):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-x-123")
    client.force_login(user)
    return client


def _new_article_form(client, section) -> object:
    response = client.get(f"/admin/pages/add/newsroom/articlepage/{section.pk}/")
    assert response.status_code == 200
    return parse(response.content)


def _selected_kind(form_page) -> str:
    select = form_page.find("select", id="id_kind")
    return next(o.attrs["value"] for o in select.find_all("option") if "selected" in o.attrs)


def _section(publication, slug: str):
    return services.create_section(home=publication.home, title=slug.title(), slug=slug)


def _articles(section, writer, kinds: list[str]) -> None:
    for i, kind in enumerate(kinds):
        make_article(section, slug=f"{section.slug}-{i}", bylines=[writer], kind=kind)


class TestNewArticleKind:
    def test_an_interviews_section_starts_new_articles_as_interviews(
        self, editor_client, publication
    ):
        section = _section(publication, "conversations")
        _articles(section, publication.writer, ["interview", "interview", "news"])

        assert _selected_kind(_new_article_form(editor_client, section)) == "interview"

    def test_the_most_common_kind_wins_drafts_included(self, editor_client, publication):
        section = _section(publication, "essays")
        _articles(section, publication.writer, ["essay", "news"])
        make_article(
            section, slug="essay-draft", bylines=[publication.writer], kind="essay", publish=False
        )

        assert _selected_kind(_new_article_form(editor_client, section)) == "essay"

    def test_a_tie_goes_to_the_kind_of_the_newest_article(self, publication):
        section = _section(publication, "mixed")
        _articles(section, publication.writer, ["report", "opinion"])

        assert queries.usual_kind(section) == "opinion"

    def test_an_empty_section_asks_its_translation(self, editor_client, publication):
        section = _section(publication, "talks")
        translated = services.translate_page(section, locale=publication.es, title="Charlas")
        _articles(translated, publication.writer, ["interview"])

        assert _selected_kind(_new_article_form(editor_client, section)) == "interview"

    def test_an_empty_section_without_translations_keeps_the_default(
        self, editor_client, publication
    ):
        section = _section(publication, "brand-new")

        assert queries.usual_kind(section) is None
        assert _selected_kind(_new_article_form(editor_client, section)) == "news"

    def test_the_kind_the_editor_submits_is_the_kind_saved(self, publication):
        section = _section(publication, "interviews-only")
        _articles(section, publication.writer, ["interview"])
        form_class = ArticlePage.get_edit_handler().get_form_class()

        form = form_class(
            {"title": "A piece", "kind": "essay"},
            instance=ArticlePage(),
            parent_page=section,
        )

        assert form["kind"].value() == "essay"

    def test_an_existing_article_keeps_its_own_kind(self, editor_client, publication):
        # The analysis section writes news, the fixture's flagship interview stays one.
        response = editor_client.get(f"/admin/pages/{publication.flagship.pk}/edit/")
        assert _selected_kind(parse(response.content)) == "interview"


class TestHeadline:
    def test_the_title_is_labelled_headline_in_a_box_that_wraps(self, editor_client, publication):
        page = _new_article_form(editor_client, publication.interviews)

        field = page.find(id="id_title")
        assert field.tag == "textarea"  # an <input> cannot wrap
        assert field.attrs["placeholder"] == "Headline*"
        assert page.find("label", **{"for": "id_title"}).text.strip().startswith("Headline")

    def test_spanish_editors_read_titular(self, editor_client, publication):
        with translation.override("es"):
            panel = ArticlePage.get_edit_handler()
            title = next(
                child
                for tab in panel.children
                for child in tab.children
                if getattr(child, "field_name", None) == "title"
            )
            assert str(title.heading) == "Titular"

    def test_line_breaks_typed_in_the_headline_become_spaces(self, publication):
        form_class = ArticlePage.get_edit_handler().get_form_class()
        form = form_class(
            {"title": "  Salt and silver:\r\n a conversation\n", "body-count": "0"},
            instance=ArticlePage(),
            parent_page=publication.interviews,
        )
        form.is_valid()  # other fields are missing: only the headline is asked about

        assert form.cleaned_data["title"] == "Salt and silver: a conversation"

    def test_an_empty_headline_is_still_refused(self, publication):
        form_class = ArticlePage.get_edit_handler().get_form_class()
        form = form_class(
            {"title": " \n ", "body-count": "0"},
            instance=ArticlePage(),
            parent_page=publication.interviews,
        )

        assert not form.is_valid()
        assert "title" in form.errors


def _tab_fields(heading: str) -> list[str]:
    tabs = {str(tab.heading): tab for tab in ArticlePage.get_edit_handler().children}

    def names(panel: object) -> list[str]:
        own = [panel.field_name] if getattr(panel, "field_name", None) else []
        return own + [n for child in getattr(panel, "children", []) for n in names(child)]

    return names(tabs[heading])


def test_topics_sit_on_the_content_tab_beside_the_body():
    content = _tab_fields("Content")

    assert "topics" in content
    assert content.index("topics") == content.index("body") + 1
    assert "topics" not in _tab_fields("Promote")


class TestCreditName:
    @pytest.mark.parametrize(
        "typed",
        [
            "Photo: Ana Ruiz",
            "photo:Ana Ruiz",
            "PHOTO: PHOTO: Ana Ruiz",
            "Foto: Ana Ruiz",
            "Photograph: Ana Ruiz",
            "Fotografía: Ana Ruiz",
            "Photo by Ana Ruiz",
            "Photo credit: Ana Ruiz",
            "Photos \u2013 Ana Ruiz",
            "  Ana Ruiz  ",
        ],
    )
    def test_the_label_the_editor_typed_is_dropped(self, typed):
        assert credit_name(typed) == "Ana Ruiz"

    @pytest.mark.parametrize(
        "typed",
        ["Photon Studio", "Photojournalists' Collective", "Foto de archivo", "Credit Suisse"],
    )
    def test_names_that_start_like_a_label_are_kept(self, typed):
        assert credit_name(typed) == typed

    @pytest.mark.parametrize("typed", ["Photo:", "Foto: ", ""])
    def test_a_label_with_no_name_is_kept_as_typed(self, typed):
        assert credit_name(typed) == typed.strip()


@pytest.fixture
def credited(publication, django_capture_on_commit_callbacks):
    """An article whose editor typed the label into both credits, with its translation."""
    with django_capture_on_commit_callbacks(execute=True):
        image = make_image("Quay at dusk", size=(500, 300))
        figure = {
            "type": "image",
            "value": {
                "image": image.pk,
                "alt_text": "The quay",
                "caption": "The quay at dusk.",
                "credit": "Foto: Luis Ortega",
            },
        }
        return make_article(
            publication.analysis,
            slug="credited",
            bylines=[publication.writer],
            hero_image=make_image("Harbour", size=(700, 400)),
            hero_alt="The harbour",
            hero_credit="Photo: Ana Ruiz",
            body=[figure],
        )


def _credits(client, url: str) -> list[str]:
    page = parse(client.get(url).content)
    return [" ".join(span.text.split()) for span in page.find_all("span", **{"class": "credit"})]


def test_hero_and_figure_credits_show_the_label_once(client, credited):
    assert _credits(client, credited.url) == ["Photo: Ana Ruiz", "Photo: Luis Ortega"]


def test_the_stored_credit_keeps_what_the_editor_typed(credited):
    article = ArticlePage.objects.get(pk=credited.pk)
    assert article.hero_credit == "Photo: Ana Ruiz"
    assert article.body[0].value["credit"] == "Foto: Luis Ortega"
