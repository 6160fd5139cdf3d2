"""The board: tracker-wide messages between agents and humans, kept as an op-log like an item's.

Its ops are discussion ops (`discuss`, `discuss_summarize`, `discuss_clear`) and the human's
`lock`/`unlock` (a lock of `discussion` closes the board to agents; locking every lockable name
freezes it). It is folded by the item fold itself, from a fixed initial state, so the same
policy governs it: an agent's op on a locked board, an agent's clear, a forged human op are
rejected and listed. Human ops are signed with the context `htrac:board` (not an item ID, so a
signed board op copied into an item's log doesn't verify there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .fold import fold
from .item import Item
from .ops import Op
from .policy import PERMISSIVE, Policy
from .problems import REJECTED, Problem
from .schema import Vocabulary

CONTEXT = "htrac:board"
TYPES = frozenset({"discuss", "discuss_summarize", "discuss_clear", "lock", "unlock"})
FILE_NAME = "board.log"
# The board's initial state: never written, the same on every clone.
_START = Op("create", "1970-01-01T00:00:00Z", "agent", None, 0, "0" * 16, {"data": {
    "kind": "board", "title": "Board", "status": "", "priority": 2, "parent": None, "tags": [],
    "isbefore": [], "duplicate_of": [], "not_duplicate_of": [], "pr_ref": None,
    "description": "", "fields": {}}})


def fold_board(ops: Iterable[Op], vocab: Vocabulary, *, policy: Policy = PERMISSIVE,
               lines: Mapping[str, int] | None = None,
               read_problems: Iterable[Problem] = ()) -> Item:
    """The board's messages (`discussion`), locks and problems."""
    lines = lines or {}
    kept: list[Op] = []
    refused: list[Op] = []
    for op in ops:
        (kept if op.type in TYPES else refused).append(op)
    problems = [*read_problems, *(
        Problem(REJECTED, f"a {op.type} op has no place on the board", lines.get(op.nonce, 0),
                op.nonce, op.type) for op in refused)]
    board = fold(CONTEXT, [_START, *kept], vocab, policy=policy, lines=lines,
                 read_problems=problems)
    board.status = ""
    board.problems = [p for p in board.problems if p.nonce != _START.nonce]
    board.op_count -= 1
    return board
