"""The interview exchange as question/answer pairs (issue 13 §4): what a pair must hold, what
the reader sees, and what the editor's script is told."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.html import strip_tags

from masthead.newsroom import transcripts
from masthead.newsroom.blocks import ExchangeBlockAdapter, turns
from masthead.newsroom.models import ArticlePage


@pytest.fixture
def exchange():
    return ArticlePage.body.field.stream_block.child_blocks["exchange"]


def pair(**fields) -> dict:
    return {**transcripts.empty_pair(), **fields}


def errors_of(exchange, *pairs) -> dict:
    with pytest.raises(ValidationError) as error:
        exchange.clean(exchange.to_python({"pairs": list(pairs)}))
    # The list's errors are keyed by item; each pair's by field.
    return {
        index: sorted(pair_error.block_errors)
        for index, pair_error in error.value.block_errors["pairs"].block_errors.items()
    }


class TestPairValidation:
    def test_a_question_and_answer_with_speakers_is_valid(self, exchange, publication):
        value = exchange.clean(
            exchange.to_python(
                {
                    "pairs": [
                        pair(
                            question_speaker=publication.board.pk,
                            question="<p>Why?</p>",
                            answer_speaker_name="A guest",
                            answer="<p>Because.</p>",
                        )
                    ]
                }
            )
        )
        assert len(value["pairs"]) == 1

    def test_an_answer_without_a_speaker_is_an_error_on_the_answers_name(self, exchange, db):
        assert errors_of(
            exchange,
            pair(question_speaker_name="Ana", question="<p>Why?</p>", answer="<p>Because.</p>"),
        ) == {0: ["answer_speaker_name"]}

    def test_a_question_without_a_speaker_is_an_error_on_the_questions_name(self, exchange, db):
        assert errors_of(
            exchange, pair(question="<p>Why?</p>"), pair(question_speaker_name="Ana")
        ) == {0: ["question_speaker_name"]}

    def test_a_blank_name_is_no_name(self, exchange, db):
        assert errors_of(exchange, pair(answer_speaker_name="   ", answer="<p>Because.</p>")) == {
            0: ["answer_speaker_name"]
        }

    def test_an_answer_may_run_on_without_a_question(self, exchange, db):
        value = exchange.clean(
            exchange.to_python({"pairs": [pair(answer_speaker_name="Bo", answer="<p>More.</p>")]})
        )
        assert value["pairs"][0]["answer_speaker_name"] == "Bo"

    def test_a_pair_without_text_is_dropped_not_refused(self, exchange, db):
        # An editor's autosave runs while a new pair, its speakers filled in, is still empty.
        value = exchange.clean(
            exchange.to_python(
                {
                    "pairs": [
                        pair(question_speaker_name="Ana", question="<p>Why?</p>"),
                        pair(question_speaker_name="Ana", answer_speaker_name="Bo"),
                        pair(answer="<p></p>", question="<p> </p>"),
                    ]
                }
            )
        )
        assert [str(p["question"]) for p in value["pairs"]] == ["<p>Why?</p>"]

    def test_a_collapsed_pair_is_labelled_with_its_question(self, exchange):
        assert exchange.child_blocks["pairs"].child_block.meta.label_format == "{question}"


class TestReaderTurns:
    def test_pairs_read_as_turns_and_a_speaker_going_on_is_marked_continued(
        self, exchange, publication
    ):
        board, subject = publication.board, publication.subject
        value = exchange.to_python(
            {
                "pairs": [
                    pair(
                        question_speaker=board.pk,
                        question="<p>Q?</p>",
                        answer_speaker=subject.pk,
                        answer="<p>A1</p>",
                    ),
                    pair(answer_speaker=subject.pk, answer="<p>A2</p>"),
                    pair(question_speaker_name="Guest", question="<p>Q2?</p>"),
                ]
            }
        )
        read = [(t.kind, t.speaker or t.speaker_name, t.continued) for t in turns(value)]
        assert read == [
            ("question", board, False),
            ("answer", subject, False),
            ("answer", subject, True),
            ("question", "Guest", False),
        ]

    def test_the_page_shows_the_pairs_as_questions_and_answers(self, client, publication):
        page = ArticlePage.objects.get(pk=publication.flagship.pk)
        page.body = [
            {
                "type": "exchange",
                "value": {
                    "pairs": [
                        pair(
                            question_speaker=publication.board.pk,
                            question="<p>Where were you?</p>",
                            answer_speaker_name="Rosa Huamán",
                            answer="<p>At the port.</p>",
                        )
                    ]
                },
            }
        ]
        page.save_revision().publish()
        body = client.get(page.url).content.decode()
        speakers = [strip_tags(s) for s in re.findall(r'class="turn__speaker">(.*?)</p>', body)]
        assert speakers == ["Question from The Gazette Board", "Answer from Rosa Huamán"]
        assert body.index("Where were you?") < body.index("At the port.")


class TestEditorScript:
    def test_the_script_gets_the_transcript_url_and_its_words_in_the_editors_language(
        self, exchange
    ):
        with translation.override("es"):
            _name, _children, meta = ExchangeBlockAdapter().js_args(exchange)
        assert meta["transcriptUrl"] == "/admin/newsroom/transcript-pairs/"
        assert meta["contributorAddUrl"] == "/admin/snippets/newsroom/contributor/add/"
        assert meta["strings"]["open"] == "Pegar una transcripción"
