"""The fast YAML reader gives what the general (event-based) reader gives, wherever it answers."""

from __future__ import annotations

import random

import pytest
from tests_support import FULL

from htrac.core import yamlread
from htrac.core.yamlread import YamlError, _FastParser, _load_events, _Unsupported, load_block

KEYS = ["op", "at", "title", "a_b", "x1", "Key", "k-y"]  # no quoted key: see below
VALUES = ["", "plain", "'single'", "'it''s'", "''", '"double"', '"esc\\"aped"', '"tab\\there"',
          '"a # b"', "'a # b'", "x # comment", "'q' # comment", "12", "0x1f", "1.5", "true",
          "null", "~", "[]", "[a, b]", "[1, 2,]", "{}", "'2026-04-30T02:35:42Z'", "on",
          "a: b", "'unterminated", '"back\\\\slash"', "'x'  ", '""', "[a, 'b']", "\"é\u2028\""]


def a_document(rng: random.Random) -> str:
    # No quoted key after `- ` and no carriage return: the fast reader reads `- 'q': v` as one
    # odd scalar, and a carriage return as text where YAML sees a line break — both before and
    # after its fast paths (ops files hold neither: writers never quote a key and escape \r).
    lines = []
    for _ in range(rng.randint(1, 3)):
        lines.append(f"- {rng.choice(KEYS)}: {rng.choice(VALUES)}".rstrip(" "))
        for _ in range(rng.randint(0, 6)):
            indent = rng.choice([2, 2, 2, 4, 6])
            key = rng.choice(KEYS)
            shape = rng.randrange(10)
            if shape == 0:
                lines.append(" " * indent + f"{key}:")
            elif shape == 1:
                lines.append(" " * indent + f"- {rng.choice(VALUES)}")
            elif shape == 2:
                lines.append(rng.choice(["", "   ", "# c", "  # c"]))
            else:
                lines.append(" " * indent + f"{key}: {rng.choice(VALUES)}"
                             + rng.choice(["", "", " "]))
    return "\n".join(lines) + "\n"


def outcome(read, text):
    try:
        return ("value", read(text))
    except YamlError:
        return ("error",)


def test_fast_reader_equals_event_reader():
    rng = random.Random(7)
    answered = 0
    for _ in range(6000 if FULL else 1500):
        text = a_document(rng)
        yamlread._ENTRIES.clear()
        try:
            fast = outcome(lambda t: _FastParser(t).parse(), text)
        except _Unsupported:
            continue
        answered += 1
        assert fast == outcome(_load_events, text), text
        # A second read answers from the remembered lines: the same values again.
        assert outcome(lambda t: _FastParser(t).parse(), text) == fast, text
    assert answered > 300


def test_remembered_lines_share_no_mutable_value():
    first = load_block("- tags: []\n  fields: {}\n")
    first[0]["tags"].append("x")
    first[0]["fields"]["y"] = 1
    assert load_block("- tags: []\n  fields: {}\n") == [{"tags": [], "fields": {}}]


@pytest.mark.parametrize("text, value", [
    ("- at: '2026-04-30T02:35:42Z'\n", [{"at": "2026-04-30T02:35:42Z"}]),
    ("- t: \"a # b\"  \n", [{"t": "a # b"}]),
    ("- t: 'it''s'\n", [{"t": "it's"}]),
    ("  # comment\n- a: 1\n\n   \n", [{"a": 1}]),
])
def test_quoted_values_and_blank_lines(text, value):
    assert load_block(text) == value
