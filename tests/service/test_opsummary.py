"""One line per op, for the activity views (TUI and web) and the TUI's history."""

from __future__ import annotations

from htrac.service.opsummary import describe


def test_create_names_kind_and_status():
    assert describe("create", {"data": {"kind": "bug", "status": "todo"}}) == \
        "created bug with status todo"


def test_update_lists_sets_adds_and_removes():
    text = describe("update", {"set": {"status": "done"}, "add": {"tags": ["ui"]},
                               "remove": {"tags": ["old"]}})
    assert text == "set status = done, +tags ['ui'], -tags ['old']"
    assert describe("update", {}) == "update (nothing)"


def test_discussion_is_shortened_to_one_line():
    text = describe("discuss", {"message": "line one\n\nline two " + "x" * 200})
    assert "\n" not in text and text.startswith("said: line one line two")
    assert len(text) == len("said: ") + 80 and text.endswith("…")
    assert describe("discuss_summarize", {"message": "short"}) == "summarized: short"


def test_governance_ops():
    assert describe("lock", {"lock": ["status", "priority"]}) == "locked status, priority"
    assert describe("unlock", {"unlock": ["status"]}) == "unlocked status"
    assert describe("discuss_clear", {}) == "cleared the discussion"


def test_odd_bodies_never_raise():
    assert describe("update", "not a mapping") == "update (nothing)"
    assert describe("freeze", None) == "freeze"
    assert describe("create", {"data": None}) == "created ? with status ?"
