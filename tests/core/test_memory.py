"""Must-remember entries and links in the fold, with the authority rules that bind agents."""

from __future__ import annotations

import pytest

from htrac.core.config import Governance, load_config
from htrac.core.fold import fold
from htrac.core.memory import MAX_ENTRIES
from htrac.core.oplog import read_oplog
from htrac.core.ops import LOCKABLE, make_op
from htrac.core.schema import SchemaError, check_op
from htrac.core.serialize import serialize_op
from htrac.policy.rules import Rules

VOCAB = load_config(None).vocabulary()
ITEM = "WI-test"


def _op(by="agent", actor="bot_agent", clock=1, op_type="update", **body):
    body.setdefault("set", {}) if op_type == "update" else None
    return make_op(op_type, by=by, actor=actor, clock=clock, body=body,
                   at=f"2026-01-01T00:{clock // 60:02d}:{clock % 60:02d}Z",
                   nonce=f"{clock:016x}")


def _create():
    data = {"kind": "work_item", "title": "t", "status": "todo_hard", "priority": 2,
            "parent": None, "tags": [], "isbefore": [], "duplicate_of": [],
            "not_duplicate_of": [], "pr_ref": None, "description": "", "fields": {}}
    return _op("human", "alice", 0, "create", data=data)


def _fold(ops):
    return fold(ITEM, ops, VOCAB, policy=Rules(Governance()))


def _rejected(item):
    return [p.reason for p in item.problems if p.kind == "rejected"]


def test_memory_remember_and_forget_by_name():
    item = _fold([_create(), _op(clock=1, remember="a"), _op(clock=2, remember="b"),
                  _op(clock=3, forget=[f"{1:016x}"])])
    assert [(m.text, m.by, m.nonce) for m in item.memory] == [("b", "agent", f"{2:016x}")]
    assert not item.problems


def test_memory_agent_cannot_forget_a_human_entry_even_through_a_lookalike():
    human = _op("human", "alice", 1, remember="humans only")
    lookalike = make_op("update", by="agent", actor="bot_agent", clock=2,
                        body={"set": {}, "remember": "mine"}, at="2026-01-01T00:00:02Z",
                        nonce=human.nonce)  # same name as the human's entry
    item = _fold([_create(), human, lookalike, _op(clock=3, forget=[human.nonce])])
    assert [m.text for m in item.memory] == ["humans only", "mine"]
    assert "written by a human" in _rejected(item)[0]
    item = _fold([_create(), human, lookalike, _op("human", "alice", 3, forget=[human.nonce])])
    assert item.memory == []  # a human forgets whatever the name names


def test_memory_cap_binds_agents_not_humans():
    ops = [_create()] + [_op(clock=n, remember=f"n{n}") for n in range(1, MAX_ENTRIES + 2)]
    item = _fold(ops)
    assert len(item.memory) == MAX_ENTRIES and len(_rejected(item)) == 1
    item = _fold(ops + [_op("human", "alice", 99, remember="the human's")])
    assert len(item.memory) == MAX_ENTRIES + 1 and item.memory[-1].by == "human"


def test_memory_frozen_item_refuses_agent_memory():
    ops = [_create(), _op("human", "alice", 1, "lock", lock=list(LOCKABLE)),
           _op(clock=2, remember="x"), _op(clock=3, add={"links": ["https://x.org"]})]
    item = _fold(ops)
    assert item.memory == [] and item.links == [] and len(_rejected(item)) == 2


def test_links_are_a_set_added_and_removed():
    item = _fold([_create(), _op(clock=1, add={"links": ["https://a.org", "pr:1"]}),
                  _op(clock=2, add={"links": ["pr:1", "file:///x"]}),
                  _op(clock=3, remove={"links": ["https://a.org"]})])
    assert item.links == ["pr:1", "file:///x"]


@pytest.mark.parametrize("body", [{"remember": ""}, {"remember": 3}, {"remember": "x" * 2001},
                                  {"forget": []}, {"forget": ["XYZ"]}, {"forget": "abcd"},
                                  {"add": {"links": ["javascript alert"]}},
                                  {"add": {"links": ["https://a b"]}},
                                  {"set": {"links": ["https://a.org"]}}])
def test_schema_refuses_malformed_memory_keys(body):
    with pytest.raises(SchemaError):
        check_op(_op(clock=1, **body), VOCAB)


def test_memory_ops_serialize_and_read_back():
    ops = [_op(clock=1, remember='multi\nline "quoted" # hash'), _op(clock=2, forget=["0123abcd"]),
           _op(clock=3, add={"links": ["https://x.org/a?b=c#d", "pr:12"]})]
    for op in ops:
        text = serialize_op(op)
        assert read_oplog(text.encode()).ops == [op]
    assert '  remember: "multi\\nline \\"quoted\\" # hash"  # ' in serialize_op(ops[0])
