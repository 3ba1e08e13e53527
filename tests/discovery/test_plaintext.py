"""An article body's plain words for search and related posts, read from the raw JSON."""

from masthead.discovery.plaintext import plain_body


def test_an_exchange_gives_the_words_of_its_questions_and_answers():
    body = [
        {"type": "paragraph", "value": "<p>Intro &amp; more.</p>"},
        {
            "type": "exchange",
            "value": {
                "pairs": [
                    {
                        "type": "item",
                        "id": "1",
                        "value": {"question": "<p>Why salt?</p>", "answer": "<p>Because.</p>"},
                    },
                    # An answer running on, without a question; and a bare (older) item.
                    {
                        "type": "item",
                        "id": "2",
                        "value": {"question": "", "answer": "<p>Also.</p>"},
                    },
                    {"question": "<p>Then?</p>", "answer": None},
                ]
            },
        },
    ]
    assert plain_body(body).split() == [
        "Intro",
        "&",
        "more.",
        "Why",
        "salt?",
        "Because.",
        "Also.",
        "Then?",
    ]


def test_a_malformed_exchange_gives_no_words_and_no_error():
    body = [{"type": "exchange", "value": {"pairs": ["junk", None, 3]}}, {"type": "exchange"}]
    assert plain_body(body).strip() == ""
