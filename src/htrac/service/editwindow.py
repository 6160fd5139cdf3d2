"""Edit-mode windows and the message edits they allow, from the writer's side.

A human opens a window with `edit-mode on` (an `edit-mode-on` op, clock 0, in each tier's
edit-mode log — once per log: the reference writes the workspace log twice) and closes it with
`edit-mode off`. While one is open, anyone may tombstone, restore or reword a discussion
message; the fold (`core.editmode`) decides what takes effect, this module only refuses early
what the fold would skip anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from ..core import editmode
from ..core.errors import AuthorityError, InvalidValueError
from ..core.fold import sort_key
from ..core.item import Item
from ..core.oplog import read_oplog
from ..core.ops import MESSAGE_EDIT_TYPES, Op
from ..core.serialize import serialize_op
from ..store.appendlog import FileAppeared, locked
from ..store.layout import TIERS
from .humanops import find_entry
from .tracker import Tracker

TTL_RANGE = (1, 3600)
CAP_RANGE = (1, 500)
REASON_MAX = 100


@dataclass(frozen=True, slots=True)
class Status:
    active: bool
    remaining: int = 0
    used: int = 0
    cap: int = 0


def parse_ttl(text: str) -> int:
    """`30m`, `1h`, `600s` or `600` → seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    text = text.strip().lower()
    scale = units.get(text[-1:], None)
    digits = text[:-1] if scale else text
    if not digits.isdigit():
        raise InvalidValueError(f"--ttl {text!r}: use seconds or a number with s, m or h (30m)")
    return int(digits) * (scale or 1)


def _logs(tracker: Tracker):
    return list(dict.fromkeys(tracker.layout.edit_log(t) for t in TIERS))


def switch(tracker: Tracker, on: bool, ttl: int = 1800, cap: int = 500) -> None:
    if on:
        _bounded("--ttl", ttl, TTL_RANGE)
        _bounded("--cap-max", cap, CAP_RANGE)
    op_type = "edit-mode-on" if on else "edit-mode-off"
    body = {"ttl_seconds": ttl, "cap_max": cap} if on else {}
    op = tracker._new_op(op_type, body)
    reason = tracker.policy.refuse(op, Item(id=""), tracker.actor.by)
    if reason:
        raise AuthorityError(reason)
    if tracker.authority is not None:
        op = tracker.authority.sign(op, "")
    text = serialize_op(op)
    for path in _logs(tracker):
        try:
            with locked(path, create=True) as log:
                log.append(text)
        except FileAppeared:  # another writer created the log meanwhile: append to it
            with locked(path, create=True) as log:
                log.append(text)


def _bounded(flag: str, value: int, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise InvalidValueError(f"{flag} must be between {low} and {high}, not {value}")


def _windows(tracker: Tracker, tier: str) -> list[editmode.Window]:
    try:
        ops = read_oplog(tracker.layout.edit_log(tier).read_bytes()).ops
    except OSError:
        ops = []
    classed = sorted(((op, tracker.policy.actor_class(op, "")) for op in ops),
                     key=lambda pair: sort_key(*pair))
    return editmode.windows(classed)


def _open_window(tracker: Tracker, tier: str) -> editmode.Window | None:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return next((w for w in _windows(tracker, tier) if w.start <= now < w.end), None)


def status(tracker: Tracker) -> Status:
    window = _open_window(tracker, "workspace") or _open_window(tracker, "canonical")
    if window is None:
        return Status(False)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    used = 0
    for tier in TIERS:
        for item_id in tracker.layout.item_ids(tier):
            for op in tracker.store.read_log(tier, item_id).ops:
                if op.type in ("delete-msg", "edit-msg-text") and \
                        window.start <= editmode.parse_at(op.at) < window.end:
                    used += 1
    return Status(True, int((window.end - now).total_seconds()), used, window.cap)


def edit_message(tracker: Tracker, op_type: str, ref: str, nonce: str, reason: str,
                 new_text: str | None = None) -> Op:
    if op_type not in MESSAGE_EDIT_TYPES:
        raise InvalidValueError(f"not a message edit: {op_type}")
    if not reason or len(reason) > REASON_MAX:
        raise InvalidValueError(f"--reason must be 1 to {REASON_MAX} characters")
    tier, item_id = tracker.store.resolve(ref)
    entry = find_entry(tracker.store.load(tier, item_id), nonce)
    if _open_window(tracker, tier) is None:
        raise InvalidValueError("edit mode is not on: a human must run 'htrac edit-mode on' "
                                "before messages can be edited")
    if op_type == "edit-msg-text" and entry.is_tombstoned:
        raise InvalidValueError(f"message {nonce} is deleted; undelete it before editing")
    body = {"item": item_id, "target_nonce": nonce}
    if new_text is not None:
        body["new_text"] = new_text
    body["reason"] = reason
    return tracker._append(tier, item_id, tracker._new_op(op_type, body))
