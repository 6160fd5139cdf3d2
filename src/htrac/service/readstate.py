"""The human's read state as the surfaces use it: what they have read, marking read or unread.

Kept per OS user outside the repository (`store.readstate`); the TUI, the web UI and
`check-messages` (run by a human) share it. An item is unread when its discussion holds
something the human hasn't read — by default, when its last entry is not a human's; a mark the
human set holds while the discussion keeps the length it had (`core.predicates`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..core.predicates import ReadMark, unread_for_human
from ..store.readstate import ReadStateFile

if TYPE_CHECKING:
    from ..core.item import Item
    from .tracker import Tracker


def state_file(tracker: Tracker) -> ReadStateFile:
    return ReadStateFile(tracker.layout.root)


def read_marks(tracker: Tracker) -> dict[str, ReadMark]:
    return state_file(tracker).marks()


def is_unread(tracker: Tracker, item: Item, marks: dict[str, ReadMark] | None = None) -> bool:
    return unread_for_human(item, read_marks(tracker) if marks is None else marks)


def mark(tracker: Tracker, items: Iterable[Item], *, read: bool = True) -> None:
    """Mark these items' discussions read (or unread) as they stand now."""
    state_file(tracker).set((i.id, len(i.discussion), read) for i in items)


def mark_ref(tracker: Tracker, ref: str, *, read: bool = True) -> Item:
    item = tracker.show(ref)
    mark(tracker, [item], read=read)
    return item
