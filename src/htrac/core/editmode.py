"""Edit-mode windows: the only time discussion messages may be hidden or reworded.

A human opens a window (`edit-mode-on`, with a time-to-live and a cap on edits) and may close it
early (`edit-mode-off`). While a window is open, `delete-msg` tombstones a message,
`undelete-msg` restores it and `edit-msg-text` replaces its text, keeping the old text in
`edit_history`. Nothing is ever removed from disk. Windows opened by anyone but a human are
ignored. A new `on` pre-empts an open window at its own time; deletes and edits count against the
window's cap, undeletes do not; an edit of a tombstoned message is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .item import Item
from .ops import HUMAN, Op


@dataclass(slots=True)
class Window:
    start: datetime
    end: datetime
    cap: int
    used: int = 0


def parse_at(at: str) -> datetime:
    return datetime.fromisoformat(at[:-1] if at.endswith("Z") else at)


def windows(ops: list[tuple[Op, str]]) -> list[Window]:
    """The windows opened by humans' edit-mode ops, in order."""
    result: list[Window] = []
    for op, who in ops:
        if who != HUMAN or op.type not in ("edit-mode-on", "edit-mode-off"):
            continue
        moment = parse_at(op.at)
        current = result[-1] if result and result[-1].start <= moment < result[-1].end else None
        if current is not None:
            current.end = moment  # an `on` pre-empts, an `off` closes
        if op.type == "edit-mode-on":
            end = moment + timedelta(seconds=op.get("ttl_seconds"))
            result.append(Window(moment, end, op.get("cap_max")))
    return result


def apply(item: Item, ops: list[tuple[Op, str]]) -> list[tuple[Op, str]]:
    """Apply the message edits that fall in a window; return the others with the reason."""
    refused: list[tuple[Op, str]] = []
    open_windows = windows(ops)
    for op, _who in ops:
        if op.type in ("edit-mode-on", "edit-mode-off"):
            continue
        if op.get("item") != item.id:
            refused.append((op, f"message edit names item {op.get('item')}, not {item.id}"))
            continue
        moment = parse_at(op.at)
        window = next((w for w in open_windows if w.start <= moment < w.end), None)
        if window is None:
            refused.append((op, "message edit outside an edit-mode window"))
            continue
        target = _find(item, op.get("target_nonce"))
        if target is None:
            refused.append((op, f"no message with nonce {op.get('target_nonce')}"))
            continue
        if op.type == "undelete-msg":
            target.is_tombstoned = False
            continue
        if window.used >= window.cap:
            refused.append((op, f"edit-mode window cap of {window.cap} edits reached"))
            continue
        if op.type == "delete-msg":
            target.is_tombstoned = True
        elif target.is_tombstoned:
            refused.append((op, "cannot edit a deleted message"))
            continue
        else:
            target.edit_history.append(target.message)
            target.message = op.get("new_text")
        window.used += 1
    return refused


def _find(item: Item, nonce: str):
    found = None
    for entry in item.discussion:
        if entry.nonce == nonce:
            found = entry  # when nonces repeat, the last entry wins, as in the reference
    return found
