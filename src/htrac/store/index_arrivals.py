"""When this clone first saw each op: the order the activity view lists ops in.

An op's `at` is whatever its writer put there, so an agent can date an op a year ahead and keep
it at the top of a list ordered by `at` (docs/design/causality.md, limits). What the writer
can't choose is when this clone's index first read the op. Each refresh that finds new ops in
an item's file — appended, merged in by a pull, or a new file — records them here in the order
it read them, and the activity view lists the newest arrivals first. Ops that were already there
when the index was built have no arrival; they follow, by `at`.

Only the latest `KEEP` arrivals are kept (the activity view shows at most 1,000 ops), and a
refresh that reads more than `FRESH_MAX` new files (a first build, a pull of a whole tracker)
records none of theirs: they all arrived at once, and their order among themselves is `at`'s.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..core.oplog import OpLog
    from ..core.ops import Op

KEEP = 5000
FRESH_MAX = 2000


def key(op: Op) -> str:
    """What tells an op from the others in its file (a nonce alone may repeat in a bad file)."""
    return "\x1f".join(map(str, (op.type, op.at, op.nonce, op.clock)))


def record(db: sqlite3.Connection, rank: int, item_id: str, before: OpLog | None,
           after: OpLog) -> None:
    """Record the ops of `after` that `before` (the item's log as last indexed) did not have."""
    known = {key(op) for op in before.ops} if before is not None else set()
    new = [key(op) for op in after.ops if key(op) not in known]
    if new:
        db.executemany("INSERT INTO arrivals (rank, id, op) VALUES (?, ?, ?)",
                       [(rank, item_id, k) for k in new])


def record_new_files(db: sqlite3.Connection, keys: Iterable[tuple[int, str]]) -> None:
    """Every op of files the index had no row for (each read from its stored log)."""
    from .index_codec import decode_log

    keys = list(keys)
    if len(keys) > FRESH_MAX:
        return
    for rank, item_id in keys:
        row = db.execute("SELECT log FROM blobs WHERE rank = ? AND id = ?",
                         (rank, item_id)).fetchone()
        if row is not None:
            record(db, rank, item_id, None, decode_log(row[0]))


def trim(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM arrivals WHERE seq <= (SELECT max(seq) FROM arrivals) - ?", (KEEP,))


def latest(db: sqlite3.Connection, limit: int) -> list[tuple[int, str, str]]:
    """The latest `limit` arrivals, newest first: (rank, item ID, op key)."""
    return db.execute("SELECT rank, id, op FROM arrivals ORDER BY seq DESC LIMIT ?",
                      (limit,)).fetchall()
