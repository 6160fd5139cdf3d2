"""The stamps the index last recorded, one compact blob per tier, so the common refresh —
nothing changed — is one dictionary comparison instead of a row-by-row walk.

Each tier's blob holds `{item ID: stamp}` for every indexed file (None for a file that could not
be read, which therefore never matches) and the set of IDs recorded as racy. The blob is changed
in the same transaction as the rows it describes, so the two never disagree.
"""

from __future__ import annotations

import marshal
import sqlite3

from .index_files import Stamp


class StampDirectory:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._pending: dict[int, dict[str, tuple[Stamp | None, bool] | None]] = {}

    def load(self, rank: int) -> tuple[dict[str, Stamp | None], set[str]]:
        row = self.db.execute("SELECT blob FROM stamps WHERE rank = ?", (rank,)).fetchone()
        if row is None:
            return {}, set()
        stamps, racy = marshal.loads(row[0])
        return stamps, racy

    def record(self, rank: int, item_id: str, stamp: Stamp | None, racy: bool) -> None:
        self._pending.setdefault(rank, {})[item_id] = (stamp, racy)

    def forget(self, rank: int, item_id: str) -> None:
        self._pending.setdefault(rank, {})[item_id] = None

    def flush(self) -> None:
        """Write the recorded changes (inside the caller's transaction)."""
        for rank, changes in self._pending.items():
            stamps, racy = self.load(rank)
            for item_id, change in changes.items():
                racy.discard(item_id)
                if change is None:
                    stamps.pop(item_id, None)
                    continue
                stamps[item_id] = change[0]
                if change[1]:
                    racy.add(item_id)
            self.db.execute("INSERT OR REPLACE INTO stamps VALUES (?, ?)",
                            (rank, marshal.dumps((stamps, racy))))
        self._pending.clear()

    def discard(self) -> None:
        self._pending.clear()
