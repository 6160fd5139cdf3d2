"""The whole-text reader for tidy ops files finds exactly the blocks the line-by-line reader finds."""

from __future__ import annotations

import random

from tests_support import FULL

import htrac.core.oplog as oplog
from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op


def an_op(rng: random.Random, clock: int, nonce: str | None = None) -> str:
    body = rng.choice([{"message": "hi"}, {"message": "a\nb # c"}, {"set": {"status": "done"}},
                       {"set": {"tags": ["x", "y"]}, "add": {"tags": ["z"]}}])
    op_type = "discuss" if "message" in body else "update"
    return serialize_op(make_op(op_type, by="agent", actor="a_agent", clock=clock, body=body,
                                nonce=nonce))


def mutate(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    i = rng.randrange(len(lines))
    choice = rng.randrange(8)
    if choice == 0:
        lines.insert(i, "\n")
    elif choice == 1:
        lines.insert(i, "# comment\n")
    elif choice == 2:
        lines[i] = lines[i].split("  # ")[0] + "\n"  # untag a line
    elif choice == 3:
        lines.insert(i, lines[rng.randrange(len(lines))])  # repeat a line elsewhere
    elif choice == 4:
        lines.append(lines[0])
    elif choice == 5:
        return "".join(lines)[:-1]  # no final newline
    elif choice == 6:
        lines[i] = "-  # " + "ab" * 8 + "\n"
    else:
        rng.shuffle(lines)
    return "".join(lines)


def full_parse(data: bytes):
    log = oplog.read_oplog(data)
    return log.ops, log.problems, log.lines, log.duplicates


def test_tidy_reader_equals_line_reader(monkeypatch):
    rng = random.Random(11)
    tidy_used = 0
    for _ in range(4000 if FULL else 800):
        text = "".join(an_op(rng, c, rng.choice([None, None, "00000000000000ab"]))
                       for c in range(1, rng.randint(1, 6)))
        if rng.random() < 0.6:
            text = mutate(rng, text)
        data = text.encode("utf-8")
        fast = full_parse(data)
        tidy_used += oplog._tidy_blocks(data) is not None
        with monkeypatch.context() as patch:
            patch.setattr(oplog, "_tidy_blocks", lambda _data: None)
            assert full_parse(data) == fast, text
    assert tidy_used > 100  # the whole-text reader really is used
