"""Reading op logs: interleaved, duplicated, torn, garbled and hostile files."""

from __future__ import annotations

import pytest

from htrac.core.oplog import read_oplog
from htrac.core.problems import DAMAGED, REJECTED
from htrac.core.serialize import serialize_op

from .conftest import create, op


def text(*ops) -> bytes:
    return "".join(serialize_op(o) for o in ops).encode()


def test_read_oplog_groups_interleaved_lines_by_nonce_tag():
    a, b = op("discuss", message="from A", clock=2), op("update", clock=2, set={"priority": 0})
    la, lb = serialize_op(a).splitlines(True), serialize_op(b).splitlines(True)
    mixed = "".join(x for pair in zip(la, lb) for x in pair) + "".join(la[len(lb):] + lb[len(la):])
    log = read_oplog(mixed.encode())
    assert log.problems == []
    assert sorted(o.nonce for o in log.ops) == sorted([a.nonce, b.nonce])
    assert {o.nonce: o for o in log.ops}[a.nonce] == a


def test_read_oplog_counts_byte_identical_duplicate_blocks_once():
    c, d = create(), op("discuss", message="hi", clock=2)
    log = read_oplog(text(c, d, d, c))
    assert log.ops == [c, d] and log.duplicates == 2


def test_read_oplog_keeps_distinct_ops_that_share_a_nonce():
    a = op("discuss", message="one", nonce="aaaa", clock=2)
    b = op("discuss", message="two", nonce="aaaa", clock=3)
    assert [o.get("message") for o in read_oplog(text(a, b)).ops] == ["one", "two"]


def test_read_oplog_isolates_a_torn_tail_and_keeps_the_rest():
    good = text(create(), op("discuss", message="kept", clock=2))
    torn = serialize_op(op("discuss", message="lost", clock=3)).encode()[:-20]
    log = read_oplog(good + torn)
    assert [o.get("message") for o in log.ops if o.type == "discuss"] == ["kept"]
    # the op whose last line lost its tag, and that line: both reported as the torn write
    assert log.problems and all(p.kind == DAMAGED and "torn" in p.reason for p in log.problems)


def test_read_oplog_flags_a_tail_torn_at_every_byte_offset():
    head = text(create(), op("discuss", message="kept", clock=2))
    last = serialize_op(op("update", clock=3, set={"status": "done", "priority": 0})).encode()
    for cut in range(1, len(last)):
        log = read_oplog(head + last[:cut])
        assert [o.get("message") for o in log.ops if o.type == "discuss"] == ["kept"]
        if last[cut - 1:cut] != b"\n":
            assert any("torn" in p.reason for p in log.problems), cut
            assert not any(o.type == "update" for o in log.ops), cut


@pytest.mark.parametrize("garbage", [
    b"\xff\xfe not utf-8\n", b"- op: discuss  # abcd\n  message: \"unterminated  # abcd\n",
    b"\x00\x00\x00\n", b"  orphan: line\n", b"- [1, 2, 3]  # beef\n",
])
def test_read_oplog_reports_garbage_as_damaged_and_reads_the_rest(garbage):
    c, d = create(), op("discuss", message="after", clock=5)
    log = read_oplog(text(c) + garbage + text(d))
    assert c in log.ops and d in log.ops
    assert [p.kind for p in log.problems] == [DAMAGED]


@pytest.mark.parametrize("line,reason", [
    ("  clock: abc", "'clock'"), ("  clock: 99999999999999999999999", "'clock'"),
    ("  nonce: 12", "'nonce'"),
])
def test_read_oplog_rejects_ops_with_bad_header_values(line, reason):
    o = op("discuss", message="m", nonce="cafe", clock=4)
    lines = serialize_op(o).splitlines()
    key = line.split(":")[0]
    lines = [f"{line}  # cafe" if x.startswith(key + ":") else x for x in lines]
    log = read_oplog(("\n".join(lines) + "\n").encode())
    assert log.ops == [] and log.problems[0].kind == REJECTED and reason in log.problems[0].reason


def test_read_oplog_refuses_an_alias_bomb_without_expanding_it():
    bomb = ["- op: discuss  # b0b0", "  at: '2026-01-01T00:00:00Z'  # b0b0",
            "  by: agent  # b0b0", "  clock: 1  # b0b0", "  nonce: b0b0  # b0b0",
            "  a: &a [x, x, x, x, x, x, x, x, x]  # b0b0"]
    for n in "bcdefghij":
        prev = chr(ord(n) - 1)
        bomb.append(f"  {n}: &{n} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]  # b0b0")
    log = read_oplog(("\n".join(bomb) + "\n").encode())
    assert log.ops == [] and log.problems[0].kind == DAMAGED
    assert "alias" in log.problems[0].reason or "anchor" in log.problems[0].reason


def test_read_oplog_refuses_tags_and_deep_nesting():
    tagged = b"- op: discuss  # abcd\n  message: !!python/object:os.system x  # abcd\n"
    deep = b"- op: discuss  # abcd\n  m: " + b"[" * 200 + b"]" * 200 + b"  # abcd\n"
    for data in (tagged, deep):
        log = read_oplog(data)
        assert log.ops == [] and log.problems[0].kind == DAMAGED


def test_read_oplog_keeps_yaml_1_1_booleans_as_strings():
    o = op("update", clock=2, set={"pr_ref": "yes", "tags": ["on", "no"]})
    assert read_oplog(text(o)).ops == [o]


def test_read_oplog_reads_hand_written_yaml_outside_the_fast_subset():
    hand = (b"- op: discuss\n  at: '2026-01-01T00:00:00Z'\n  by: human\n  actor: alice\n"
            b"  clock: 3\n  nonce: 'abcd'\n  message: |\n    two\n    lines\n")
    (o,) = read_oplog(hand).ops
    assert o.get("message") == "two\nlines\n" and o.by == "human"


def test_read_oplog_of_empty_input_is_empty():
    assert read_oplog(b"").ops == [] and read_oplog(b"\n\n").problems == []
