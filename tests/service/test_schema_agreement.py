"""One schema everywhere: a write is accepted exactly when validation (strict, as the pre-commit
hook runs it) would accept the op it writes — checked on generated updates and messages.

For each generated change, the writer is asked to make it. If it refuses, the same op is
hand-appended to a copy of the file (as another tool, the reference or a merge could) and
validation must find something new in it; if it writes, validation must find nothing new."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests_support import FULL

from htrac.core.errors import HtracError
from htrac.core.oplog import read_oplog
from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from htrac.service.itemchecks import check_file
from htrac.service.tracker import Tracker, init_tracker

CONFIG = """\
kinds:
  task:
    prefix: TSK
    fields_schema:
      count: {type: integer, min: 0, max: 10}
      flag: {type: boolean}
      items: {type: list}
      owner: {type: text, required: true}
    allowed_statuses: [todo_hard, in_progress, done]
    deprecated_statuses: [todo_soft]
  note:
    prefix: NTE
statuses: [todo_hard, todo_soft, in_progress, needs_human_review, done, wont_do, deleted]
"""
FIELD_NAMES = ["count", "flag", "items", "owner", "extra", "cuont", "Title", "status", "x y"]
FIELD_VALUES = st.one_of(st.sampled_from(["0", "5", "10", "11", "-1", "true", "False", "maybe",
                                          "", " ", "a,b", "x"]), st.none())
STATUSES = st.sampled_from(["todo_hard", "todo_soft", "in_progress", "needs_human_review",
                            "done", "bogus"])
TAGS = st.lists(st.sampled_from(["ok", "ui_2", "Bad", "2fast", "with space", "_x"]),
                max_size=2, unique=True)
TEXT = st.one_of(st.sampled_from(["", " ", "\n", "\t ", "fine", "  words  "]),
                 st.text(max_size=20))

UPDATES = st.fixed_dictionaries({
    "kind": st.sampled_from(["task", "note"]),
    "status": st.one_of(st.none(), STATUSES),
    "priority": st.one_of(st.none(), st.integers(-1, 5)),
    "fields": st.dictionaries(st.sampled_from(FIELD_NAMES), FIELD_VALUES, max_size=3),
    "add_tags": TAGS, "remove_tags": TAGS,
})
MESSAGES = st.fixed_dictionaries({
    "kind": st.sampled_from(["task", "note"]),
    "text": TEXT, "summarize": st.booleans(),
})


@pytest.fixture(scope="module")
def repo():
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "repo"
        path.mkdir()
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True)
        layout = init_tracker(path)
        (layout.tracker_dir / "config.yaml").write_text(CONFIG, encoding="utf-8")
        yield path


_titles = iter(range(10**9))


def new_item(tracker: Tracker, kind: str) -> tuple[str, Path]:
    fields = {"owner": "ann"} if kind == "task" else {}
    item = tracker.add(kind=kind, title=f"item {next(_titles)}", fields=fields)
    return item.id, tracker.layout.item_path(item.tier, item.id)


def findings(tracker: Tracker, item_id: str, data: bytes) -> set[str]:
    """What strict validation reports on the file (every warning counts, as with --strict)."""
    return {f.message for f in check_file(tracker.store, "f", "workspace", item_id, data)}


def agree(tracker: Tracker, item_id: str, path: Path, write, op_type: str, body: dict) -> None:
    before = path.read_bytes()
    known = findings(tracker, item_id, before)
    try:
        write()
    except HtracError as refusal:
        assert path.read_bytes() == before, "a refused write changed the file"
        clock = read_oplog(before).max_clock + 1
        op = make_op(op_type, by=tracker.actor.by, actor=tracker.actor.name, clock=clock,
                     body=body)
        brought = findings(tracker, item_id, before + serialize_op(op).encode()) - known
        assert brought, f"the writer refused ({refusal}) an op validation accepts: {body}"
    else:
        brought = findings(tracker, item_id, path.read_bytes()) - known
        assert not brought, f"the writer wrote an op validation refuses: {brought}"


def update_body(change: dict) -> dict:
    set_ = {k: change[k] for k in ("status", "priority") if change[k] is not None}
    if change["fields"]:
        set_["fields"] = dict(change["fields"])
    body: dict = {"set": set_}
    if change["add_tags"]:
        body["add"] = {"tags": change["add_tags"]}
    if change["remove_tags"]:
        body["remove"] = {"tags": change["remove_tags"]}
    return body


SETTINGS = settings(max_examples=400 if FULL else 60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@SETTINGS
@given(UPDATES)
def test_update_is_written_exactly_when_validation_accepts_it(repo, change):
    tracker = Tracker.open(start=repo)
    item_id, path = new_item(tracker, change["kind"])
    body = update_body(change)
    assume(body["set"] or "add" in body or "remove" in body)  # else: nothing to update
    agree(tracker, item_id, path,
          lambda: tracker.update(item_id, set_=body["set"], add=body.get("add"),
                                 remove=body.get("remove")), "update", body)


@SETTINGS
@given(MESSAGES)
def test_message_is_written_exactly_when_validation_accepts_it(repo, change):
    tracker = Tracker.open(start=repo)
    item_id, path = new_item(tracker, change["kind"])
    op_type = "discuss_summarize" if change["summarize"] else "discuss"
    agree(tracker, item_id, path,
          lambda: tracker.discuss(item_id, change["text"], summarize=change["summarize"]),
          op_type, {"message": change["text"]})
