"""Moving items between tiers, and merging an item's copies when it ended up in several.

A move (`promote` workspace→canonical, `demote` canonical→workspace, `stealth` workspace→stealth,
`unstealth` stealth→workspace) appends an audit op to the item's file with a normal Lamport
clock and moves the file, both under the file's append lock: a writer that was waiting finds
the file gone from its old place and fails with a clear error instead of writing there.

The same item can still end up in two tiers (a move on one branch and appends on another). The
copies are merged by a human with `reconcile-reset`: every distinct op block of every copy is
kept (byte-identical blocks count once — never deduplicated by nonce alone, as distinct ops can
share a short nonce), written as one file in the highest tier, and a `reconcile` op records it.
"""

from __future__ import annotations

import errno
import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

from ..core.blocks import distinct_blocks
from ..core.errors import AuthorityError, InvalidValueError, NotFoundError, WriteError
from ..core.ids import FULL_ID
from ..store.appendlog import file_mode, locked

MOVES = {
    "promote": ("workspace", "canonical"),
    "demote": ("canonical", "workspace"),
    "stealth": ("workspace", "stealth"),
    "unstealth": ("stealth", "workspace"),
}


def move_to(tracker, ref: str, target: str, *,
            expected_version: str | None = None) -> tuple[str, str]:
    """Move the item `ref` names into the tier `target`, with whichever move leads there."""
    tier, _ = tracker.store.resolve(ref)
    for op_type, (source, dest) in MOVES.items():
        if (source, dest) == (tier, target):
            return move(tracker, ref, op_type, expected_version=expected_version)
    if tier == target:
        raise InvalidValueError(f"the item is already in {target}")
    raise InvalidValueError(f"no move leads from {tier} to {target}: items move workspace ↔ "
                            "canonical and workspace ↔ stealth")


def move(tracker, ref: str, op_type: str, *,
         expected_version: str | None = None) -> tuple[str, str]:
    """Move the item `ref` names; returns (ID, the tier it is in now). With
    `expected_version`, nothing moves if the item changed since that version."""
    source, target = MOVES[op_type]
    tier, item_id = tracker.store.resolve(ref)
    tiers = tracker.store.tiers_of(item_id)
    if len(tiers) > 1:
        raise InvalidValueError(f"{item_id} has copies in {', '.join(tiers)}; a human merges "
                                f"them first with: htrac reconcile-reset {item_id}")
    if tier != source:
        raise InvalidValueError(f"can only {op_type} from {source}, but {item_id} is in {tier}")
    _keep_in_scope(tracker, item_id, source, target)
    dest = tracker.layout.item_path(target, item_id)
    if dest.exists():
        raise InvalidValueError(f"{item_id} already has a copy in {target}; a human merges the "
                                f"copies with: htrac reconcile-reset {item_id}")
    tracker._append(source, item_id, tracker._new_op(op_type, {}),
                    then=lambda path: _relocate(path, dest), expected_version=expected_version)
    return item_id, target


def _keep_in_scope(tracker, item_id: str, source: str, target: str) -> None:
    """An agent may not take blocking or human-locked work out of the stop hook's scope (a
    `promote` under `scope: workspace`): the move would end its stop hook's count of it."""
    from . import queries

    if tracker.actor.is_human:
        return
    scope = queries.scope_tiers(tracker.config)
    if source not in scope or target in scope:
        return
    item = tracker.store.load(source, item_id)
    if item.locked_fields or queries.is_blocking(item, tracker.config):
        why = "a human locked it" if item.locked_fields else f"it is {item.status or 'damaged'}"
        raise AuthorityError(f"{item_id} can't leave the stop hook's scope ({source} → "
                             f"{target}): {why}; only a human may move it")


def _relocate(path: Path, dest: Path) -> None:
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, dest)  # fails rather than replace a copy that appeared meanwhile
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                raise WriteError(f"{dest} appeared during the move; the item stays in "
                                 f"{path.parent} with its audit op") from None
            os.rename(path, dest)  # a file system without hard links
            return
        os.unlink(path)
    except OSError as exc:
        raise WriteError(f"could not move {path} to {dest}: {exc.strerror}; the item stays "
                         "where it was") from None


def reconcile_reset(tracker, item_id: str) -> tuple[str, list[str], int]:
    """Merge every tier's copy of `item_id` into the highest tier; returns (tier, the tiers
    merged away, ops blocks kept)."""
    if not FULL_ID.fullmatch(item_id):
        raise InvalidValueError(f"reconcile-reset needs the full ID, not {item_id!r} "
                                "(see 'htrac validate' for the duplicate IDs)")
    tiers = tracker.store.tiers_of(item_id)
    if not tiers:
        raise NotFoundError(f"no item {item_id} in any tier")
    if len(tiers) < 2:
        raise InvalidValueError(f"{item_id} is only in {tiers[0]}: nothing to reconcile")
    winner, losers = tiers[0], tiers[1:]
    op = tracker._new_op("reconcile", {"from_tier": ",".join(losers), "reason": "manual-reset"})
    tracker._check(op, winner, item_id, tracker.store.read_log(winner, item_id))
    paths = [tracker.layout.item_path(t, item_id) for t in tiers]
    with ExitStack() as stack:
        logs = [stack.enter_context(locked(path)) for path in paths]
        blocks = distinct_blocks(*(log.read() for log in logs))
        _replace(paths[0], b"".join(block.data for block in blocks))
        for path in paths[1:]:
            path.unlink()
    tracker._append(winner, item_id, op)
    return winner, losers, len(blocks)


def _replace(path: Path, data: bytes) -> None:
    """Write `data` as `path` in one rename: readers see the old file or the new, never half."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".htrac-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, file_mode(path.parent))
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise WriteError(f"could not write {path}: {exc.strerror}; nothing changed") from None

