"""Edit-mode windows: the only time discussion messages may be hidden or reworded.

A human opens a window (`edit-mode-on`, with a time-to-live and a cap on edits) and closes it
(`edit-mode-off`, or the next `edit-mode-on`). While a window is open, `delete-msg` tombstones a
message, `undelete-msg` restores it and `edit-msg-text` replaces its text, keeping the old text
in `edit_history`. Nothing is ever removed from disk. Windows opened by anyone but a human are
ignored. Deletes and edits count against the window's cap, undeletes do not; an edit of a
tombstoned message is skipped.

When is an edit inside a window? A human's edit: when its signed `at` falls inside. An agent's
`at` is whatever the agent wrote, so it only picks the window; what decides is the human's op
that closed it: a closing op that carries `seen:` lists the edits it accepted (the ones present
when the human closed the window), and an agent edit it doesn't list — written after the close
and back-dated into the window — is refused. The time-to-live can only be checked when an edit
is written (by the writer, against the real time); a window without a closing op is judged by
`at` alone, which is why htrac closes an expired window with an `edit-mode-off` at the human's
next write. Closing ops without `seen:` (the reference's, older htrac's) are judged by `at`, as
before.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from .causal import Placed, classic_key, commitment
from .item import Entry, Item
from .ops import HUMAN, Op
from .record import record

TOGGLES = ("edit-mode-on", "edit-mode-off")


@record()
class Window:
    """An edit-mode window: when it runs, how many edits it allows, what it saw."""
    start: datetime
    end: datetime
    cap: int
    used: int = 0
    closed: bool = False
    accepted: frozenset[str] | None = None  # what the closing op saw; None: judge by `at`

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def parse_at(at: str) -> datetime:
    return datetime.fromisoformat(at[:-1] if at.endswith("Z") else at)


def windows(toggles: Iterable[Placed]) -> list[Window]:
    """The windows humans' edit-mode ops opened, in order, each with what closed it."""
    result: list[Window] = []
    for placed in sorted(toggles, key=classic_key):
        op = placed.op
        if placed.who != HUMAN or op.type not in TOGGLES:
            continue
        moment = parse_at(op.at)
        if result and not result[-1].closed and result[-1].start <= moment:
            # The human's next toggle closes the window, even after its time-to-live ran out.
            current = result[-1]
            current.end = min(current.end, moment)
            current.closed = True
            seen = commitment(op)
            current.accepted = frozenset(seen) if seen is not None else None
        if op.type == "edit-mode-on":
            end = moment + timedelta(seconds=op.get("ttl_seconds"))
            result.append(Window(moment, end, op.get("cap_max")))
    return result


class Editor:
    """Applies an item's message edits one by one, each inside its window or not at all."""

    def __init__(self, item: Item, toggles: Iterable[Placed]) -> None:
        self.item = item
        self.windows = windows(toggles)

    def edit(self, placed: Placed) -> str | None:
        """Apply one edit; the reason it was refused, or None."""
        op = placed.op
        if op.get("item") != self.item.id:
            return f"message edit names item {op.get('item')}, not {self.item.id}"
        window = _window_of(placed, self.windows)
        if window is None:
            return "message edit outside an edit-mode window"
        return _edit(self.item, op, window)


def _window_of(placed: Placed, open_windows: list[Window]) -> Window | None:
    moment = parse_at(placed.op.at)
    window = next((w for w in open_windows if w.holds(moment)), None)
    if window is None or placed.who == HUMAN or window.accepted is None:
        return window
    return window if placed.ident in window.accepted else None


def _edit(item: Item, op: Op, window: Window) -> str | None:
    target = _find(item, op.get("target_nonce"))
    if target is None:
        return f"no message with nonce {op.get('target_nonce')}"
    if op.type == "undelete-msg":
        target.is_tombstoned = False
        return None
    if window.used >= window.cap:
        return f"edit-mode window cap of {window.cap} edits reached"
    if op.type == "delete-msg":
        target.is_tombstoned = True
    elif target.is_tombstoned:
        return "cannot edit a deleted message"
    else:
        target.edit_history.append(target.message)
        target.message = op.get("new_text")
    window.used += 1
    return None


def _find(item: Item, nonce: str) -> Entry | None:
    found = None
    for entry in item.discussion:
        if entry.nonce == nonce:
            found = entry  # when nonces repeat, the last entry wins, as in the reference
    return found
