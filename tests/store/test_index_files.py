"""Reading changed files for the index: an append parses only the new bytes, and gets exactly
what a parse of the whole file gets."""

from __future__ import annotations

import os
import random

import pytest
from tests_support import FULL

from htrac.core.oplog import read_oplog
from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from htrac.store.index_files import NotRegularFile, digest, parse_appended, read_snapshot, scan_dir


def op_text(rng: random.Random, clock: int, nonce: str | None = None) -> str:
    kind = rng.choice(["discuss", "update", "create"])
    if kind == "discuss":
        body = {"message": rng.choice(["hi", "two\nlines", "quote \" and # hash", "ünï"])}
    elif kind == "update":
        body = {"set": {"status": rng.choice(["done", "todo_soft", "bogus"])},
                "add": {"tags": ["api"]}}
    else:
        body = {"data": {"kind": "work_item", "title": "T", "status": "todo_hard",
                         "priority": 2, "parent": None, "tags": [], "isbefore": [],
                         "duplicate_of": [], "not_duplicate_of": [], "pr_ref": None,
                         "description": "", "fields": {}}}
    return serialize_op(make_op(kind, by="agent", actor="a_agent", clock=clock, body=body,
                                nonce=nonce))


def junk(rng: random.Random, earlier: list[str]) -> str:
    return rng.choice([
        "\n", "# a comment\n", "untagged: line\n", "- op: hand\n  at: x\n",
        "  status: done  # ffff\n", "\xff\n", rng.choice(earlier) if earlier else "\n",
        "- op: discuss  # " + "ab" * 8 + "\n",
    ])


def random_file(rng: random.Random) -> list[str]:
    parts: list[str] = []
    for clock in range(1, rng.randint(2, 9)):
        if rng.random() < 0.2:
            parts.append(junk(rng, parts))
        else:
            parts.append(op_text(rng, clock))
    if rng.random() < 0.2:
        parts.append(op_text(rng, 99)[:-7])  # a torn tail
    return parts


def test_parse_appended_equals_a_full_parse():
    rng = random.Random(4)
    used = 0
    for _ in range(3000 if FULL else 600):
        parts = random_file(rng)
        data = "".join(parts).encode("utf-8", "surrogateescape")
        cut = len("".join(parts[:rng.randint(1, len(parts) - 1)]).encode()) if len(parts) > 1 \
            else 0
        if not 0 < cut < len(data):
            continue
        old = read_oplog(data[:cut])
        shortcut = parse_appended(old, cut, digest(data[:cut]), data)
        if shortcut is not None:
            used += 1
            full = read_oplog(data)
            assert (shortcut.ops, shortcut.problems, shortcut.lines, shortcut.duplicates) == \
                (full.ops, full.problems, full.lines, full.duplicates)
    assert used > 100  # the shortcut is really taken for ordinary appends


def test_parse_appended_takes_the_shortcut_for_a_plain_append():
    rng = random.Random(1)
    old = (op_text(rng, 1) + op_text(rng, 2)).encode()
    data = old + op_text(rng, 3).encode()
    result = parse_appended(read_oplog(old), len(old), digest(old), data)
    assert result is not None and len(result.ops) == 3


def test_parse_appended_refuses_a_changed_prefix():
    rng = random.Random(2)
    old = op_text(rng, 1).encode()
    data = old.replace(b"agent", b"human", 1) + op_text(rng, 2).encode()
    assert parse_appended(read_oplog(old), len(old), digest(old), data) is None


def test_parse_appended_refuses_a_repeated_nonce():
    rng = random.Random(3)
    first = op_text(rng, 1, nonce="00000000000000aa")
    old = first.encode()
    data = old + first.encode()  # a rebase then a merge: byte-identical duplicate
    assert parse_appended(read_oplog(old), len(old), digest(old), data) is None


def test_scan_dir_lists_every_item_entry_whatever_it_is(tmp_path):
    """A link, a directory or a FIFO named like an ops file is listed (it is a damaged item,
    never a dropped one); other names are not."""
    (tmp_path / ".WI-abc.ops").write_text("x", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    (tmp_path / ".hidden").write_text("x", encoding="utf-8")
    (tmp_path / ".WI-dir.ops").mkdir()
    os.symlink(tmp_path / ".WI-abc.ops", tmp_path / ".WI-link.ops")
    os.mkfifo(tmp_path / ".WI-fifo.ops")
    found = scan_dir(tmp_path)
    assert sorted(found) == ["WI-abc", "WI-dir", "WI-fifo", "WI-link"]
    assert found["WI-link"][0] == os.lstat(tmp_path / ".WI-link.ops").st_ino  # the link's own
    assert scan_dir(tmp_path / "missing") == {}
    for name in ("WI-dir", "WI-fifo", "WI-link"):
        with pytest.raises(NotRegularFile):
            read_snapshot(tmp_path / f".{name}.ops")


def test_read_snapshot_marks_a_just_written_file_racy(tmp_path):
    path = tmp_path / ".WI-x.ops"
    path.write_bytes(b"abc\n")
    snap = read_snapshot(path)
    assert snap.data == b"abc\n" and snap.racy and snap.stamp[1] == 4
    old = path.stat().st_mtime_ns - 10 * 10**9
    os.utime(path, ns=(old, old))
    # The change time still says "just now", so it stays racy until the clock moves on.
    assert read_snapshot(path).stamp[2] == old
