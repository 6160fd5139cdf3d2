"""How the index stores what it derives: parsed op-logs and compiled items as compact blobs.

Both are written with `marshal` (C speed both ways, no code run on load) as plain tuples built
from the dataclasses' own field lists. Those lists are part of the index's format key through
`index_db.SHAPE`, a hash recorded there so that opening the index needs none of these classes;
a test checks it against `shape()`, so a field added to `Item`, `Entry`, `Problem` or `Op` can't
ship without a new key: an index written for another shape is rebuilt, never misread. The blobs
live only in this user's own cache directory.
"""

from __future__ import annotations

import hashlib
import marshal
from operator import attrgetter

from ..core.claims import Claim, LostClaim
from ..core.item import Entry, Item, Memo
from ..core.problems import Problem
from ..core.record import fields

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ..core.oplog import OpLog

_ITEM = fields(Item)
_ENTRY = fields(Entry)
_PROBLEM = fields(Problem)
_CLAIM = fields(Claim)
_LOST = fields(LostClaim)
_DISCUSSION = _ITEM.index("discussion")
_PROBLEMS = _ITEM.index("problems")
_CLAIM_AT = _ITEM.index("claim")
_LOST_AT = _ITEM.index("lost_claims")
_MEMO = fields(Memo)
_MEMORY = _ITEM.index("memory")


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A record's values as a tuple, in field order, read in C (a cold build encodes every
    item and every op)."""
    get = attrgetter(*names)
    return get if len(names) > 1 else lambda record: (get(record),)


_ITEM_VALUES = _getter(_ITEM)
_ENTRY_VALUES = _getter(_ENTRY)
_PROBLEM_VALUES = _getter(_PROBLEM)
_OP_VALUES: Callable[[Any], tuple[Any, ...]] | None = None  # made by the first encode_log


def shape() -> str:
    """A hash of the stored field lists (what `index_db.SHAPE` must say)."""
    shapes = (_ITEM, _ENTRY, _PROBLEM, _op_fields(), _CLAIM, _LOST, _MEMO)
    return hashlib.sha256(repr(shapes).encode()).hexdigest()[:16]


def encode_item(item: Item) -> bytes:
    values = list(_ITEM_VALUES(item))
    values[_DISCUSSION] = [_ENTRY_VALUES(e) for e in item.discussion]
    values[_PROBLEMS] = [_PROBLEM_VALUES(p) for p in item.problems]
    values[_CLAIM_AT] = item.claim.as_tuple() if item.claim is not None else None
    values[_LOST_AT] = [tuple(getattr(c, n) for n in _LOST) for c in item.lost_claims]
    values[_MEMORY] = [tuple(getattr(m, n) for n in _MEMO) for m in item.memory]
    return marshal.dumps(tuple(values))


def decode_item(blob: bytes) -> Item:
    values = list(marshal.loads(blob))
    values[_DISCUSSION] = [Entry(*e) for e in values[_DISCUSSION]]
    values[_PROBLEMS] = [Problem(*p) for p in values[_PROBLEMS]]
    claim = values[_CLAIM_AT]
    values[_CLAIM_AT] = Claim.from_tuple(claim) if claim is not None else None
    values[_LOST_AT] = [LostClaim(*c) for c in values[_LOST_AT]]
    values[_MEMORY] = [Memo(*m) for m in values[_MEMORY]]
    return Item(*values)


def _op_fields() -> tuple[str, ...]:
    """`Op`'s field names: loaded only by what re-folds (`show` decodes items, never logs)."""
    from ..core.ops import Op

    return fields(Op)


def encode_log(log: OpLog) -> bytes:
    global _OP_VALUES
    if _OP_VALUES is None:
        _OP_VALUES = _getter(_op_fields())
    ops = [_OP_VALUES(op) for op in log.ops]
    problems = [_PROBLEM_VALUES(p) for p in log.problems]
    return marshal.dumps((ops, problems, log.lines, log.duplicates))


def decode_log(blob: bytes) -> OpLog:
    from ..core.oplog import OpLog
    from ..core.ops import Op

    ops, problems, lines, duplicates = marshal.loads(blob)
    return OpLog(ops=[Op(*o) for o in ops], problems=[Problem(*p) for p in problems],
                 lines=lines, duplicates=duplicates)
