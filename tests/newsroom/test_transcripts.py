"""A pasted transcript becomes turns, and turns become question/answer pairs (issue 13 §4)."""

import pytest

from masthead.newsroom.transcripts import (
    MAX_TRANSCRIPT_CHARS,
    TranscriptError,
    normalize_name,
    pairs_from_turns,
    parse_transcript,
)


def shape(transcript):
    return [(turn.kind, turn.speaker, turn.paragraphs) for turn in transcript.turns]


class TestParseTranscript:
    def test_the_first_speaker_asks_and_everyone_else_answers(self):
        transcript = parse_transcript(
            "Ana Ríos: Where did it start?\n"
            "Julián Ccori: In the mines.\n"
            "Ana Ríos: And then?\n"
            "Rosa Huamán: Then the port.\n"
        )
        assert shape(transcript) == [
            ("question", "Ana Ríos", ["Where did it start?"]),
            ("answer", "Julián Ccori", ["In the mines."]),
            ("question", "Ana Ríos", ["And then?"]),
            ("answer", "Rosa Huamán", ["Then the port."]),
        ]
        assert transcript.speakers == ["Ana Ríos", "Julián Ccori", "Rosa Huamán"]
        assert transcript.problems == []

    def test_a_line_without_a_name_continues_the_turn_before_it(self):
        transcript = parse_transcript("Ana: Why?\nBo: Because.\n\nIt was late.\nAnd cold.")
        assert shape(transcript)[1] == ("answer", "Bo", ["Because.", "It was late.", "And cold."])

    def test_one_speaker_twice_in_a_row_is_one_turn(self):
        transcript = parse_transcript("Ana: Why?\nBo: Because.\nBo: Also this.")
        assert shape(transcript)[1] == ("answer", "Bo", ["Because.", "Also this."])

    def test_names_match_whatever_their_case(self):
        transcript = parse_transcript("Ana: Why?\nBo: Because.\nANA: Really?")
        assert [t.kind for t in transcript.turns] == ["question", "answer", "question"]
        assert transcript.speakers == ["Ana", "Bo"]

    def test_windows_and_old_mac_line_ends(self):
        transcript = parse_transcript("Ana: Why?\r\nBo: Because.\r\rmore\r\n")
        assert shape(transcript) == [
            ("question", "Ana", ["Why?"]),
            ("answer", "Bo", ["Because.", "more"]),
        ]

    def test_time_stamps_before_a_name_are_dropped(self):
        transcript = parse_transcript("[00:01:02] Ana: Why?\n14:05 Bo: Because.")
        assert shape(transcript) == [
            ("question", "Ana", ["Why?"]),
            ("answer", "Bo", ["Because."]),
        ]

    def test_a_clock_time_inside_the_text_is_not_a_name(self):
        transcript = parse_transcript("Ana: When?\nBo: At 10:30 we left.\n10:45: we arrived.")
        assert shape(transcript)[1] == (
            "answer",
            "Bo",
            ["At 10:30 we left.", "10:45: we arrived."],
        )

    def test_a_long_clause_before_a_colon_is_prose_not_a_name(self):
        transcript = parse_transcript(
            "Ana: Why?\nBo: Because.\nThe reason we all went down to the river was this: water."
        )
        assert len(transcript.turns) == 2
        assert transcript.turns[1].paragraphs[-1].startswith("The reason")

    def test_text_before_the_first_name_is_reported_not_lost(self):
        transcript = parse_transcript("Recorded in Lima.\nAna: Why?\nBo: Because.")
        assert len(transcript.turns) == 2
        assert any("Recorded in Lima." in problem for problem in transcript.problems)

    def test_a_single_speaker_is_reported(self):
        transcript = parse_transcript("Ana: Why?\nAnd how?")
        assert [t.kind for t in transcript.turns] == ["question"]
        assert any("Only one speaker" in problem for problem in transcript.problems)

    def test_markup_in_the_text_is_kept_as_text(self):
        transcript = parse_transcript("Ana: <script>alert(1)</script> & more\nBo: ok")
        assert (
            transcript.turns[0].html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>"
        )

    def test_control_characters_are_dropped(self):
        transcript = parse_transcript("Ana: Wh\x00y?\x07\nBo: ok")
        assert transcript.turns[0].paragraphs == ["Why?"]

    @pytest.mark.parametrize("text", ["", "   \n\r\n\t ", None])
    def test_empty_input_is_refused_with_a_reason(self, text):
        with pytest.raises(TranscriptError, match="empty"):
            parse_transcript(text)

    def test_text_without_any_name_is_refused_with_an_example(self):
        with pytest.raises(TranscriptError, match="Name: what they said"):
            parse_transcript("Just some prose.\nWith no speakers at all.")

    def test_very_long_text_is_refused_before_it_is_read(self):
        with pytest.raises(TranscriptError, match="too long"):
            parse_transcript("Ana: " + "x" * MAX_TRANSCRIPT_CHARS)

    def test_a_long_but_allowed_transcript_is_read_whole(self):
        lines = [f"{'Ana' if i % 2 == 0 else 'Bo'}: line {i}" for i in range(5000)]
        transcript = parse_transcript("\n".join(lines))
        assert len(transcript.turns) == 5000


class TestNormalizeName:
    def test_accents_case_and_spaces_do_not_matter(self):
        assert (
            normalize_name("  JULIÁN   ccori ")
            == normalize_name("Julián Ccori")
            == ("julian ccori")
        )


class TestPairsFromTurns:
    def turn(self, kind, text, speaker=None, name="X"):
        return {"kind": kind, "speaker": speaker, "speaker_name": name, "text": text}

    def test_a_question_and_its_answer_are_one_pair(self):
        pairs = pairs_from_turns([self.turn("question", "Q", 1, ""), self.turn("answer", "A")])
        assert pairs == [
            {
                "question_speaker": 1,
                "question_speaker_name": "",
                "question": "Q",
                "answer_speaker": None,
                "answer_speaker_name": "X",
                "answer": "A",
            }
        ]

    def test_an_answer_running_on_is_a_pair_without_a_question(self):
        pairs = pairs_from_turns(
            [self.turn("question", "Q"), self.turn("answer", "A1"), self.turn("answer", "A2")]
        )
        assert [(p["question"], p["answer"]) for p in pairs] == [("Q", "A1"), ("", "A2")]

    def test_an_unanswered_question_keeps_its_place(self):
        pairs = pairs_from_turns(
            [self.turn("question", "Q1"), self.turn("question", "Q2"), self.turn("answer", "A")]
        )
        assert [(p["question"], p["answer"]) for p in pairs] == [("Q1", ""), ("Q2", "A")]

    def test_no_turns_no_pairs(self):
        assert pairs_from_turns([]) == []
