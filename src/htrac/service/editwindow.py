"""Edit-mode windows and the message edits they allow, from the writer's side.

A human opens a window with `edit-mode on` (an `edit-mode-on` op, clock 0, in each tier's
edit-mode log — once per log: the reference writes the workspace log twice) and closes it with
`edit-mode off`. While one is open, anyone may tombstone, restore or reword a discussion
message; the fold (`core.editmode`) decides what takes effect, this module only refuses early
what the fold would skip anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..core import editmode
from ..core.causal import Placed, seen_for
from ..core.errors import AuthorityError, InvalidValueError
from ..core.fold import order
from ..core.identity import op_id
from ..core.item import Item
from ..core.oplog import read_oplog
from ..core.ops import HUMAN, MESSAGE_EDIT_TYPES, SEEN, Op
from ..core.serialize import serialize_op
from ..store.appendlog import FileAppeared, locked
from ..store.index_files import read_snapshot
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


def _logs(tracker: Tracker) -> dict[Path, list[str]]:
    """Each edit-mode log and the tiers it governs (workspace and stealth share one)."""
    logs: dict[Path, list[str]] = {}
    for tier in TIERS:
        logs.setdefault(tracker.layout.edit_log(tier), []).append(tier)
    return logs


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
    for path, tiers in _logs(tracker).items():
        _append_toggle(tracker, path, tiers, op)


def close_expired(tracker: Tracker, tier: str) -> None:
    """Close the tier's edit-mode window if its time ran out without an `edit-mode-off`."""
    path = tracker.layout.edit_log(tier)
    try:
        ops = read_oplog(path.read_bytes()).ops
    except OSError:
        return
    found = editmode.windows(order("", ops, tracker.policy))
    if found and not found[-1].closed and found[-1].end <= _now():
        tiers = _logs(tracker)[path]
        _append_toggle(tracker, path, tiers, tracker._new_op("edit-mode-off", {}))


def _append_toggle(tracker: Tracker, path: Path, tiers: list[str], op: Op) -> None:
    for _ in range(2):
        try:
            with locked(path, create=True) as log:
                written = op
                if tracker.signs:
                    present = order("", read_oplog(log.read()).ops, tracker.policy)
                    written = _committed(tracker, tiers, present, op)
                    written = tracker.authority.sign(written, "")
                log.append(serialize_op(written))
                tracker.wrote = True
            return
        except FileAppeared:  # another writer created the log meanwhile: append to it
            continue


def _committed(tracker: Tracker, tiers: list[str], present: list[Placed], op: Op) -> Op:
    """A toggle's `seen:`: the edit-mode log's ops since the human's last toggle and, when it
    closes a window, every agent message edit made in that window — the edits it accepts."""
    seen = seen_for(present)
    found = editmode.windows(present)
    if found and not found[-1].closed:
        seen += _edits_in(tracker, tiers, found[-1])
    return Op(op.type, op.at, op.by, op.actor, op.clock, op.nonce, {**op.body, SEEN: seen})


def _edits_in(tracker: Tracker, tiers: list[str], window: editmode.Window) -> list[str]:
    """The identities of agents' message edits whose `at` falls in `window` (up to now)."""
    end = min(window.end, _now())
    found: list[str] = []
    for tier in tiers:
        for item_id in tracker.layout.item_ids(tier):
            try:
                # never through a link, never blocked on a FIFO in an ops file's place
                data = read_snapshot(tracker.layout.item_path(tier, item_id)).data
            except OSError:
                continue
            if b"-msg" not in data:
                continue  # the op names all end in -msg: most files hold none
            for op in read_oplog(data).ops:
                if (op.type in MESSAGE_EDIT_TYPES
                        and tracker.policy.actor_class(op, item_id) != HUMAN
                        and window.start <= editmode.parse_at(op.at) < end):
                    found.append(op_id(op, item_id))
    return found


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _bounded(flag: str, value: int, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise InvalidValueError(f"{flag} must be between {low} and {high}, not {value}")


def _windows(tracker: Tracker, tier: str) -> list[editmode.Window]:
    try:
        ops = read_oplog(tracker.layout.edit_log(tier).read_bytes()).ops
    except OSError:
        ops = []
    return editmode.windows(order("", ops, tracker.policy))


def _open_window(tracker: Tracker, tier: str) -> editmode.Window | None:
    now = _now()
    return next((w for w in _windows(tracker, tier) if w.holds(now)), None)


def status(tracker: Tracker) -> Status:
    window = _open_window(tracker, "workspace") or _open_window(tracker, "canonical")
    if window is None:
        return Status(False)
    now = datetime.now(UTC).replace(tzinfo=None)
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
