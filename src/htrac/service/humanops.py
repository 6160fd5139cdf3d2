"""What a human does to govern items: freeze, unfreeze, repair drift, delete.

Freeze is recorded in the op-log as a `lock` of every lockable name not already locked (the
reference understands that op and enforces it too); an item whose every lockable name is
locked is frozen, and the policy then refuses every agent op on it, in the writer and in the
fold. Unfreeze unlocks what the freeze locked, so locks the human set one by one before stay.
For the reference's tools the `.<ID>.frozen` sentinel is written as well (a byte copy of the
log, 0444); htrac never reads it to decide anything — deleting it unfreezes nothing. It serves
one more purpose: `repair-drift` puts back any op the sentinel holds that the log has lost (an
op deleted or rewritten in place by hand), appending it again, never removing a later op.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import AuthorityError, InvalidValueError, NotFoundError
from ..core.fold import order
from ..core.item import Item
from ..core.oplog import read_oplog
from ..core.ops import HUMAN, LOCKABLE, canonical_key
from ..core.serialize import serialize_op
from ..policy.rules import FREEZE, is_frozen
from ..store.appendlog import locked
from .tracker import Tracker


def require_human(tracker: Tracker, command: str) -> None:
    if not tracker.actor.is_human:
        raise AuthorityError(f"'{command}' requires human authority "
                             f"({tracker.actor.name} is an agent user)")


def sentinel_path(tracker: Tracker, tier: str, item_id: str) -> Path:
    return tracker.layout.ops_dir(tier) / f".{item_id}.frozen"


def freeze(tracker: Tracker, ref: str, *, seen: Collection[str] | None = None) -> Item:
    """Freeze the item; `seen` as for `Tracker.lock` (what the human had on screen)."""
    require_human(tracker, "freeze")
    tier, item_id = tracker.store.resolve(ref)
    item = tracker.store.load(tier, item_id)
    if not item.frozen:
        names = [n for n in LOCKABLE if n not in item.locked_fields]
        item = tracker.lock(item_id, names, seen=seen)
    _write_sentinel(sentinel_path(tracker, tier, item_id),
                    tracker.layout.item_path(tier, item_id).read_bytes())
    return item


def unfreeze(tracker: Tracker, ref: str, *, seen: Collection[str] | None = None) -> Item:
    require_human(tracker, "unfreeze")
    tier, item_id = tracker.store.resolve(ref)
    item = tracker.store.load(tier, item_id)
    if item.frozen:
        names = _frozen_by(tracker, tier, item_id) or sorted(FREEZE)
        item = tracker.lock(item_id, names, unlock=True, seen=seen)
    try:
        sentinel_path(tracker, tier, item_id).unlink()
    except FileNotFoundError:
        pass
    return item


def _frozen_by(tracker: Tracker, tier: str, item_id: str) -> list[str]:
    """The names the lock that froze the item added (so unfreeze keeps earlier locks)."""
    ops = tracker.store.read_log(tier, item_id).ops
    current: set[str] = set()
    added: list[str] = []
    for op, who, _ident in order(item_id, ops, tracker.policy):
        if who != HUMAN or op.type not in ("lock", "unlock"):
            continue
        names = {canonical_key(str(n).lower()) for n in op.get(op.type) or []}
        before = set(current)
        current = current | names if op.type == "lock" else current - names
        if is_frozen(current) and not is_frozen(before):
            added = sorted(current - before)
    return added


@dataclass(frozen=True, slots=True)
class Repair:
    restored: int
    has_sentinel: bool


def repair_drift(tracker: Tracker, ref: str) -> Repair:
    """Append again every op the freeze sentinel holds that the log has lost."""
    require_human(tracker, "repair-drift")
    tier, item_id = tracker.store.resolve(ref)
    sentinel = sentinel_path(tracker, tier, item_id)
    try:
        kept = read_oplog(sentinel.read_bytes()).ops
    except FileNotFoundError:
        return Repair(0, False)
    path = tracker.layout.item_path(tier, item_id)
    with locked(path) as log:
        present = {serialize_op(op) for op in read_oplog(log.read()).ops}
        missing = [op for op in kept if serialize_op(op) not in present]
        if missing:
            log.append("".join(serialize_op(op) for op in missing))
            tracker.wrote = True
    return Repair(len(missing), True)


def drift(tracker: Tracker, tier: str, item_id: str) -> int:
    """How many ops the freeze sentinel holds that the log no longer does."""
    try:
        kept = read_oplog(sentinel_path(tracker, tier, item_id).read_bytes()).ops
    except OSError:
        return 0
    present = {serialize_op(op) for op in tracker.store.read_log(tier, item_id).ops}
    return sum(1 for op in kept if serialize_op(op) not in present)


def _write_sentinel(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.unlink()
    except FileNotFoundError:
        pass
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o444)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def delete(tracker: Tracker, ref: str) -> tuple[Item, int]:
    """Set the item's status to `deleted`, clear its `isbefore`, and drop inbound references.

    Returns the item and how many inbound `isbefore` references were removed.
    """
    tier, item_id = tracker.store.resolve(ref)
    item = tracker.store.load(tier, item_id)
    status = "deleted" if "deleted" in tracker.config.statuses else None
    if status is None:
        raise InvalidValueError("this tracker's config has no 'deleted' status")
    set_: dict = {"status": status}
    if item.isbefore:
        set_["isbefore"] = []
    tracker.update(item_id, set_=set_)
    cleared = 0
    for other in tracker.items():
        if other.id != item_id and item_id in other.isbefore:
            tracker.update(other.id, remove={"isbefore": [item_id]})
            cleared += 1
    return tracker.store.load(tier, item_id), cleared


def find_entry(item: Item, nonce: str):
    for entry in item.discussion:
        if entry.nonce == nonce:
            return entry
    raise NotFoundError(f"no message with nonce {nonce} on {item.id}: see 'htrac --json show "
                        f"{item.id}' for message nonces")


def lock_fields(tracker: Tracker, ref: str, names: list[str], *, unlock: bool = False,
                seen: Collection[str] | None = None) -> Item:
    command = "unlock" if unlock else "lock"
    require_human(tracker, command)
    cleaned = [n.strip().lower() for n in names]
    for name in cleaned:
        if canonical_key(name) not in LOCKABLE and not _custom_field(name):
            raise InvalidValueError(f"cannot {command} {name!r}: lockable names are "
                                    f"{', '.join(LOCKABLE)} and fields.<key>")
    return tracker.lock(ref, cleaned, unlock=unlock, seen=seen)


def _custom_field(name: str) -> bool:
    prefix, _, key = name.partition(".")
    return prefix == "fields" and bool(key)
