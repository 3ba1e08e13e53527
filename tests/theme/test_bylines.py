"""Bylines read as a person would write them, in English and in Spanish."""

import pytest
from django.utils import translation

from masthead.newsroom.bylines import join_names
from masthead.newsroom.models import Contributor
from masthead.theme.templatetags.masthead import byline, byline_text
from tests.theme.markup import plain_text


class TestJoinNamesInEnglish:
    @pytest.mark.parametrize(
        ("names", "expected"),
        [
            ([], ""),
            (["Ada Quispe"], "Ada Quispe"),
            (["Ada Quispe", "Bruno Valle"], "Ada Quispe and Bruno Valle"),
            (["Ada", "Bruno", "Clara"], "Ada, Bruno and Clara"),
            (["Ada", "", "Irene"], "Ada and Irene"),
            (["Dario Mena", "Irene Sol"], "Dario Mena and Irene Sol"),
        ],
    )
    def test_joins_with_commas_and_a_final_and(self, names, expected):
        with translation.override("en"):
            assert join_names(names) == expected


class TestJoinNamesInSpanish:
    @pytest.mark.parametrize(
        ("names", "expected"),
        [
            (["Ada Quispe", "Bruno Valle"], "Ada Quispe y Bruno Valle"),
            (["Ada", "Bruno", "Clara"], "Ada, Bruno y Clara"),
            # "e" before the sound /i/, spelled i- or hi- ...
            (["Dario Mena", "Irene Sol"], "Dario Mena e Irene Sol"),
            (["Ana", "Ignacio"], "Ana e Ignacio"),
            (["Ana", "Hilda"], "Ana e Hilda"),
            (["Ana", "Íñigo"], "Ana e Íñigo"),
            # ... but not before a diphthong, where the sound is /j/.
            (["Ana", "Hierro"], "Ana y Hierro"),
            (["Ana", "Iago"], "Ana y Iago"),
            (["Irene", "Ana"], "Irene y Ana"),
        ],
    )
    def test_joins_with_y_or_e(self, names, expected):
        with translation.override("es"):
            assert join_names(names) == expected


class TestBylineTag:
    def test_collective_lists_its_members_in_english(self, publication):
        with translation.override("en"):
            html = byline([publication.board])
        assert plain_text(html) == (
            "By The Gazette Board: Ada Quispe, Bruno Valle, Clara Ito, Dario Mena and Irene Sol"
        )
        assert 'href="/en/contributors/irene-sol/" rel="author"' in html

    def test_collective_lists_its_members_in_spanish_with_e_before_irene(self, publication):
        with translation.override("es"):
            html = byline([publication.board_es])
        assert plain_text(html) == (
            "Por La Junta de la Gaceta: Ada Quispe, Bruno Valle, Clara Ito, Dario Mena e Irene Sol"
        )
        assert 'href="/es/contributors/board/"' in html

    def test_two_people_are_joined_by_the_conjunction(self):
        people = [
            Contributor(name="Nora Field", slug="nora"),
            Contributor(name="Ines Roca", slug="ines"),
        ]
        with translation.override("en"):
            assert plain_text(byline(people)) == "By Nora Field and Ines Roca"
        with translation.override("es"):
            assert plain_text(byline(people)) == "Por Nora Field e Ines Roca"

    def test_names_are_escaped(self):
        html = byline([Contributor(name="<b>Bold</b> & Co", slug="bold")])
        assert "<b>" not in html
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html

    def test_no_contributors_is_no_byline(self):
        assert byline([]) == ""

    def test_plain_text_byline_uses_the_language_conjunction(self):
        people = [Contributor(name="Ada"), Contributor(name="Irene")]
        with translation.override("es"):
            assert byline_text(people) == "Ada e Irene"
