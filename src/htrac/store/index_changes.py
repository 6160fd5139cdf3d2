"""Which items changed since a reader last looked, as the index records it.

Every refresh that changes rows appends their keys to `changelog` in the same transaction,
whichever process refreshed — so a reader (the service's change feed) that remembers a position
learns exactly what changed since, even when a CLI command run meanwhile did the refresh. A
position is (epoch, sequence number); a new epoch (the database rebuilt) or a position older
than what the log still keeps means "everything may have changed".
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .index import Index
from .layout import TIERS

Position = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Logged:
    position: Position
    keys: frozenset[tuple[str, str]] | None  # (tier, ID); None: look at everything again


def position(index: Index) -> Position:
    """Where the log ends now (after a refresh)."""
    db = index.refresh()
    return _position(db)


def as_found(index: Index) -> Position | None:
    """Where the log ends now, without looking at the files — for a reader that shows the
    index as it stands and then asks what changed since (None: the index was folded under
    other rules, or never: it must be refreshed first)."""
    if not index.folded_as_now():
        return None
    return _position(index._connect())


def _position(db: sqlite3.Connection) -> Position:
    epoch = db.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
    last = db.execute("SELECT max(seq) FROM changelog").fetchone()[0]
    return (epoch[0] if epoch else "", last or 0)


def changes_since(index: Index, since: Position, *, refreshed: bool = False) -> Logged:
    """What changed after `since`; refreshes the index first unless `refreshed`."""
    db = index._connect() if refreshed else index.refresh()
    now = _position(db)
    if now[0] != since[0] or now[1] < since[1]:
        return Logged(now, None)
    if now[1] == since[1]:
        return Logged(now, frozenset())
    oldest = db.execute("SELECT min(seq) FROM changelog").fetchone()[0]
    if oldest is None or oldest > since[1] + 1:
        return Logged(now, None)  # the log no longer reaches back that far
    keys = set()
    for rank, item_id in db.execute("SELECT rank, id FROM changelog WHERE seq > ? AND seq <= ?",
                                    (since[1], now[1])):
        if item_id == "*":
            return Logged(now, None)
        keys.add((TIERS[rank], item_id))
    return Logged(now, frozenset(keys))
