"""Name matching and the forgiving reader of the model's output (no services needed)."""

from __future__ import annotations

import json

import pytest

from tastemaker.recommendations.matching import normalise_name, same_name
from tastemaker.recommendations.proposals import ItemScanner, validate_item


@pytest.mark.parametrize(
    ("written", "known"),
    [
        ("the velvet lanterns", "The Velvet Lanterns"),
        ("Velvet Lanterns", "The Velvet Lanterns"),
        ("Velvet Lanterns, The", "The Velvet Lanterns"),
        ("Sigur Ros", "Sigur Rós"),
        ("BJÖRK", "Björk"),
        ("Simon and Garfunkel", "Simon & Garfunkel"),
        ("AC/DC", "AC DC"),
        ("Mira Castellan feat. Jonah Okafor", "Mira Castellan"),
        ("Mira Castellan (ft. Jonah Okafor)", "Mira Castellan"),
        ("  Mira   Castellan. ", "Mira Castellan"),
    ],
)
def test_loosely_written_names_match_the_real_one(written: str, known: str) -> None:
    assert same_name(written, known)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The Velvet Lanterns", "The Velvet Harbors"),
        ("Mira Castellan", "Mira Castellani"),
        ("", ""),
    ],
)
def test_different_names_do_not_match(a: str, b: str) -> None:
    assert not same_name(a, b)


def test_normalising_keeps_words_inside_a_name() -> None:
    assert normalise_name("Theo Varga") == "theo varga"  # "The" only as a whole word


ITEMS = [
    {"artist": "Ada Moreau", "album": "Night Fields", "reason": "Like {Mira}.", "similar_to": []},
    {"artist": 'Hugo "Q" Novak', "album": None, "reason": "Because.", "similar_to": ["X"]},
]


def _scan(text: str, step: int = 1) -> list[dict[str, object]]:
    scanner = ItemScanner()
    found = []
    for start in range(0, len(text), step):
        found += scanner.feed(text[start : start + step])
    return found


def test_items_come_out_one_by_one_as_the_text_streams() -> None:
    text = json.dumps({"recommendations": ITEMS})
    scanner = ItemScanner()
    half = text.index("Hugo")
    assert scanner.feed(text[:half]) == [ITEMS[0]]
    assert scanner.feed(text[half:]) == [ITEMS[1]]


@pytest.mark.parametrize(
    "text",
    [
        "Here you go:\n```json\n"
        + json.dumps({"recommendations": ITEMS}, indent=2)
        + "\n```\nEnjoy!",
        "Sure! Based on what you like: " + json.dumps({"recommendations": ITEMS}) + " Have fun.",
        json.dumps(ITEMS),
    ],
)
def test_fenced_or_chatty_json_is_salvaged(text: str) -> None:
    assert _scan(text, step=7) == ITEMS


def test_an_answer_cut_at_the_token_limit_keeps_its_complete_items() -> None:
    text = json.dumps({"recommendations": ITEMS})
    cut = text[: text.index("Because")]
    assert _scan(cut, step=3) == [ITEMS[0]]


def test_an_item_without_a_reason_or_artist_is_rejected() -> None:
    assert validate_item({"artist": "Ada Moreau", "similar_to": []}).problem == "missing_fields"
    assert validate_item({"reason": "Nice", "similar_to": []}).problem == "missing_fields"
    assert validate_item({"artist": " ", "reason": "Nice"}).problem == "missing_fields"
    checked = validate_item({"artist": "Ada Moreau", "album": "", "reason": "Nice"})
    assert checked.item is not None
    assert checked.item.album is None
    assert checked.item.similar_to == []
