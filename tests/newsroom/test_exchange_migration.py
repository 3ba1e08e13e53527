"""Migration 0008: an interview stored as turns (the shape before issue 13 §4) becomes pairs,
in the page row and in its revisions, and back again."""

import importlib
import json

from django.apps import apps

from masthead.newsroom.models import ArticlePage

migration = importlib.import_module("masthead.newsroom.migrations.0008_exchange_pairs")


def old_body(publication) -> list[dict]:
    board, subject = publication.board.pk, publication.subject.pk
    turn = {"speaker_name": "", "speaker": subject, "kind": "answer"}
    return [
        {"type": "paragraph", "value": "<p>Intro.</p>", "id": "p1"},
        {
            "type": "exchange",
            "id": "x1",
            "value": {
                "turns": [
                    {
                        "type": "item",
                        "id": "t1",
                        "value": {
                            **turn,
                            "kind": "question",
                            "speaker": board,
                            "text": "<p>Q1?</p>",
                        },
                    },
                    {"type": "item", "id": "t2", "value": {**turn, "text": "<p>A1.</p>"}},
                    {
                        "type": "item",
                        "id": "t3",
                        "value": {**turn, "text": "<p>A1, going on.</p>"},
                    },
                    # The oldest shape: a bare value, not wrapped as a list item.
                    {
                        **turn,
                        "kind": "question",
                        "speaker": None,
                        "speaker_name": "Guest",
                        "text": "<p>Q2?</p>",
                    },
                ]
            },
        },
    ]


def raw_body(page_id: int) -> list[dict]:
    return list(ArticlePage.objects.get(pk=page_id).body.raw_data)


def store_the_old_way(publication) -> tuple[ArticlePage, object]:
    page = ArticlePage.objects.get(pk=publication.flagship.pk)
    revision = page.save_revision()
    old = old_body(publication)
    ArticlePage.objects.filter(pk=page.pk).update(body=old)
    revision.content["body"] = json.dumps(old)
    revision.save(update_fields=["content"])
    return page, revision


def pairs_of(body: list[dict]) -> list[dict]:
    exchange = next(block for block in body if block["type"] == "exchange")
    return [item["value"] for item in exchange["value"]["pairs"]]


def test_turns_become_pairs_in_the_page_and_its_revision(publication):
    page, revision = store_the_old_way(publication)
    migration.forwards(apps, None)

    pairs = pairs_of(raw_body(page.pk))
    assert [(p["question"], p["answer"]) for p in pairs] == [
        ("<p>Q1?</p>", "<p>A1.</p>"),
        ("", "<p>A1, going on.</p>"),
        ("<p>Q2?</p>", ""),
    ]
    assert pairs[0]["question_speaker"] == publication.board.pk
    assert pairs[0]["answer_speaker"] == publication.subject.pk
    assert pairs[2]["question_speaker_name"] == "Guest"
    revision.refresh_from_db()
    assert pairs_of(json.loads(revision.content["body"])) == pairs_of(raw_body(page.pk))
    # Everything else in the body is untouched.
    assert raw_body(page.pk)[0] == {"type": "paragraph", "value": "<p>Intro.</p>", "id": "p1"}


def test_the_converted_page_reads_as_before(client, publication):
    page, _revision = store_the_old_way(publication)
    migration.forwards(apps, None)
    ArticlePage.objects.get(pk=page.pk).get_latest_revision().publish()
    body = client.get(page.url).content.decode()
    assert body.count('class="turn turn--answer turn--continued"') == 1
    assert body.index("Q1?") < body.index("A1, going on.") < body.index("Q2?")


def test_a_second_run_changes_nothing(publication):
    page, _revision = store_the_old_way(publication)
    migration.forwards(apps, None)
    once = raw_body(page.pk)
    migration.forwards(apps, None)
    assert raw_body(page.pk) == once


def test_backwards_gives_the_turns_back(publication):
    page, revision = store_the_old_way(publication)
    migration.forwards(apps, None)
    migration.backwards(apps, None)

    def turns(body):
        exchange = next(block for block in body if block["type"] == "exchange")
        return [item.get("value", item) for item in exchange["value"]["turns"]]

    expected = turns(old_body(publication))
    assert turns(raw_body(page.pk)) == expected
    revision.refresh_from_db()
    assert turns(json.loads(revision.content["body"])) == expected
