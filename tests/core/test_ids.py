from __future__ import annotations

import pytest

from htrac.core.ids import FULL_ID, REFERENCE, make_id, matches, proquint, short

FIRST_ITEM = {"kind": "work_item", "title": "First item", "status": "todo_hard", "priority": 1,
              "parent": None, "tags": [], "isbefore": [], "duplicate_of": [],
              "not_duplicate_of": [], "pr_ref": None, "description": "", "fields": {}}


def test_make_id_matches_the_reference_vector():
    assert make_id("WI", FIRST_ITEM) == "WI-dajam-vuvuf-dubin-duhig-habap-lijog-luvoz-mavud"


def test_make_id_ignores_key_order_and_changes_with_salt():
    reordered = dict(reversed(list(FIRST_ITEM.items())))
    assert make_id("WI", reordered) == make_id("WI", FIRST_ITEM)
    assert make_id("WI", FIRST_ITEM, salt="abcd") != make_id("WI", FIRST_ITEM)
    assert FULL_ID.fullmatch(make_id("INV", FIRST_ITEM, salt="x"))


@pytest.mark.parametrize("word,syllable", [(0x0000, "babab"), (0xFFFF, "zuzuz"), (0x7F3A, "lusup")])
def test_proquint_encodes_sixteen_bits(word, syllable):
    assert proquint(word) == syllable


def test_matches_prefix_or_first_word_only():
    item = "WI-dajam-vuvuf-dubin-duhig-habap-lijog-luvoz-mavud"
    assert matches(item, "WI-daj") and matches(item, "dajam") and matches(item, "da")
    assert not matches(item, "vuvuf") and not matches(item, "WI-vuv")
    assert short(item) == "WI-dajam"


@pytest.mark.parametrize("ref", ["../x", "/etc/passwd", "a/b", "x\0y", ".hidden", "", "a" * 101,
                                 "WI dajam", "-x"])
def test_reference_pattern_refuses_anything_path_like(ref):
    assert not REFERENCE.fullmatch(ref)
