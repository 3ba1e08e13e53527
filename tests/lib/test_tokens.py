"""Typed link tokens: one make/read pair per kind, with named, checked fields (issue 8)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from masthead.lib import tokens


@dataclass(frozen=True)
class Ticket:
    reader_id: int
    seats: tuple[int, ...]
    note: str


TICKET = tokens.TokenKind("ticket", Ticket, max_age_seconds=60)


def test_a_token_reads_back_as_the_payload_it_was_made_from():
    ticket = Ticket(reader_id=7, seats=(3, 4), note="aisle")
    assert TICKET.read(TICKET.make(ticket)) == ticket


def test_the_payload_names_its_fields():
    token = TICKET.make(Ticket(reader_id=7, seats=(), note=""))
    assert tokens.read_token("ticket", token, max_age_seconds=60) == {
        "reader_id": 7,
        "seats": [],
        "note": "",
    }


@pytest.mark.parametrize(
    "payload",
    [
        {"reader_id": 7, "seats": [1]},  # a field missing
        {"reader_id": 7, "seats": [1], "note": "", "admin": True},  # an unknown field
        {"reader_id": "7", "seats": [1], "note": ""},  # a string where an id belongs
        {"reader_id": True, "seats": [1], "note": ""},  # a bool is not an id
        {"reader_id": 7, "seats": ["1"], "note": ""},
        {"reader_id": 7, "seats": [1], "note": 5},
        ["reader_id", 7],
    ],
)
def test_a_correctly_signed_payload_of_the_wrong_shape_is_invalid(payload):
    token = tokens.make_token("ticket", payload)
    with pytest.raises(tokens.BadToken) as refused:
        TICKET.read(token)
    assert refused.value.reason == "invalid"


def test_a_token_of_another_kind_is_invalid_even_with_the_same_fields():
    other = tokens.TokenKind("other", Ticket, max_age_seconds=60)
    with pytest.raises(tokens.BadToken):
        TICKET.read(other.make(Ticket(reader_id=1, seats=(), note="")))


def test_a_kind_refuses_to_sign_another_kinds_payload():
    @dataclass(frozen=True)
    class Stranger:
        reader_id: int

    with pytest.raises(TypeError):
        TICKET.make(Stranger(reader_id=1))
