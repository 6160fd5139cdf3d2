"""The stamps the index last recorded, one compact blob per tier, so the common refresh —
nothing changed — is one dictionary comparison instead of a row-by-row walk.

Each tier's blob holds `{item ID: stamp}` for every indexed file (None for a file that could not
be read, which therefore never matches) and the set of IDs recorded as racy. Rewriting a blob of
100,000 stamps costs a tenth of a second, too much for every `update`; so small changes go to
`stampdelta`, one row per changed ID, and are folded into the blob once they are many (`MERGE`).
Both are changed in the same transaction as the rows they describe, so they never disagree.
"""

from __future__ import annotations

import marshal

from .index_files import Stamp

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3

MERGE = 2048  # delta rows of one tier before they are folded into its blob

Change = tuple[Stamp | None, bool] | None  # (stamp, racy), or None: forgotten


class StampDirectory:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._pending: dict[int, dict[str, Change]] = {}

    def load(self, rank: int) -> tuple[dict[str, Stamp | None], set[str]]:
        row = self.db.execute("SELECT blob FROM stamps WHERE rank = ?", (rank,)).fetchone()
        stamps, racy = marshal.loads(row[0]) if row else ({}, set())
        for item_id, change in self.db.execute(
                "SELECT id, change FROM stampdelta WHERE rank = ?", (rank,)):
            _apply(stamps, racy, item_id, marshal.loads(change))
        return stamps, racy

    def record(self, rank: int, item_id: str, stamp: Stamp | None, racy: bool) -> None:
        self._pending.setdefault(rank, {})[item_id] = (stamp, racy)

    def forget(self, rank: int, item_id: str) -> None:
        self._pending.setdefault(rank, {})[item_id] = None

    def flush(self) -> None:
        """Write the recorded changes (inside the caller's transaction)."""
        for rank, changes in self._pending.items():
            waiting = self.db.execute("SELECT count(*) FROM stampdelta WHERE rank = ?",
                                      (rank,)).fetchone()[0]
            if waiting + len(changes) <= MERGE:
                self.db.executemany("INSERT OR REPLACE INTO stampdelta VALUES (?, ?, ?)",
                                    [(rank, item_id, marshal.dumps(change))
                                     for item_id, change in changes.items()])
                continue
            stamps, racy = self.load(rank)
            for item_id, change in changes.items():
                _apply(stamps, racy, item_id, change)
            self.db.execute("INSERT OR REPLACE INTO stamps VALUES (?, ?)",
                            (rank, marshal.dumps((stamps, racy))))
            self.db.execute("DELETE FROM stampdelta WHERE rank = ?", (rank,))
        self._pending.clear()

    def discard(self) -> None:
        self._pending.clear()


def _apply(stamps: dict[str, Stamp | None], racy: set[str], item_id: str,
           change: Change) -> None:
    racy.discard(item_id)
    if change is None:
        stamps.pop(item_id, None)
        return
    stamps[item_id] = change[0]
    if change[1]:
        racy.add(item_id)
