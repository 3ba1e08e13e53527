"""The editor's transcript reader (newsroom.admin_views.transcript_pairs): who may call it,
what it answers for good and bad input."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

URL = "/admin/newsroom/transcript-pairs/"
TRANSCRIPT = (
    "The Gazette Board: Why the mines?\nTOMÁS ARCE: Because of silver.\nRosa Huamán: And salt."
)


@pytest.fixture
def editor(client, publication):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-x-123")
    client.force_login(user)
    return client


class TestTranscriptPairs:
    def test_turns_into_pairs_with_known_names_as_contributors(self, editor, publication):
        response = editor.post(URL, {"transcript": TRANSCRIPT, "page": publication.flagship.pk})
        assert response.status_code == 200
        data = response.json()
        first, second = data["pairs"]
        assert first["question_speaker"]["id"] == publication.board.pk
        assert first["question_speaker"]["string"] == "The Gazette Board"
        # Matched without case or accents.
        assert first["answer_speaker"]["id"] == publication.subject.pk
        assert "Because of silver." in first["answer"]
        # A second answer runs on in a pair without a question, named as typed.
        assert second["question_speaker"] is None
        assert second["answer_speaker"] is None
        assert second["answer_speaker_name"] == "Rosa Huamán"
        assert data["new_speakers"] == ["Rosa Huamán"]
        assert data["problems"] == []

    def test_names_are_matched_in_the_pages_language(self, editor, publication):
        transcript = "La Junta de la Gaceta: ¿Por qué?\nTomas Arce: Por la plata."
        data = editor.post(
            URL, {"transcript": transcript, "page": publication.flagship_es.pk}
        ).json()
        assert data["pairs"][0]["question_speaker"]["id"] == publication.board_es.pk
        assert data["new_speakers"] == []

    def test_a_new_page_matches_in_its_parents_language(self, editor, publication):
        data = editor.post(
            URL, {"transcript": TRANSCRIPT, "parent": publication.interviews.pk}
        ).json()
        assert data["pairs"][0]["question_speaker"]["id"] == publication.board.pk

    @pytest.mark.parametrize("page", ["abc", "999999", "-1", ""])
    def test_an_unknown_page_falls_back_to_the_default_language(self, editor, publication, page):
        response = editor.post(URL, {"transcript": TRANSCRIPT, "page": page})
        assert response.status_code == 200
        assert response.json()["pairs"][0]["question_speaker"]["id"] == publication.board.pk

    @pytest.mark.parametrize(
        ("transcript", "reason"),
        [("", "empty"), ("\r\n \r\n", "empty"), ("no names here at all", "No speaker found")],
    )
    def test_bad_input_is_a_400_with_the_reason(self, editor, transcript, reason):
        response = editor.post(URL, {"transcript": transcript})
        assert response.status_code == 400
        assert reason in response.json()["error"]

    def test_a_missing_transcript_is_a_400(self, editor):
        assert editor.post(URL, {}).status_code == 400

    def test_problems_are_reported_with_the_pairs(self, editor, publication):
        data = editor.post(URL, {"transcript": "Preamble.\n" + TRANSCRIPT}).json()
        assert len(data["pairs"]) == 2
        assert any("Preamble." in problem for problem in data["problems"])

    def test_get_is_not_allowed(self, editor):
        assert editor.get(URL).status_code == 405

    def test_anonymous_is_sent_to_sign_in(self, client, publication):
        response = client.post(URL, {"transcript": TRANSCRIPT})
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]

    def test_an_admin_user_who_may_not_edit_pages_is_refused(self, client, publication):
        user = get_user_model().objects.create_user("viewer", "viewer@example.org", "pw-x-123")
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(user)
        assert client.post(URL, {"transcript": TRANSCRIPT}).status_code == 403

    def test_a_post_without_the_csrf_token_is_refused(self, publication):
        user = get_user_model().objects.create_superuser("e2", "e2@example.org", "pw-x-123")
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        assert client.post(URL, {"transcript": TRANSCRIPT}).status_code == 403
