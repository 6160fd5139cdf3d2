"""The reference's out-of-repository journal, read once by a clone that switched to htrac.

hypergumbo-tracker mirror-appends every op it writes to a journal outside the repository
(`$HYPERGUMBO_TRACKER_JOURNAL_ROOT`, else `~/hypergumbo_lab_notebook/tracker-ops-journal`, then
`<first 12 hex of sha256(repository path)>/<repository-relative ops path>`), because its sync
resets the ops directories to HEAD and a sync that fails half-way leaves ops only there. htrac
keeps no journal — an op is written to its file under a lock and fsynced, and `sync` never
resets an ops file — but a clone that ran the reference may still hold ops in one that never
reached its worktree. `restore` appends those, as the reference's `recover` would, with two
differences: an item that has moved tier since (promote, stealth, reconcile-reset) gets its
missing ops where it is now, never a stale copy in its old tier (the reference's defect 12);
and a block that doesn't read back as exactly one whole op (a torn journal tail) is reported,
not appended.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.blocks import op_blocks
from ..core.errors import WriteError
from ..core.oplog import read_oplog
from ..store.appendlog import FileAppeared, locked
from ..store.layout import TIERS, id_from_filename

if TYPE_CHECKING:
    from .tracker import Tracker


@dataclass
class Restored:
    journal: Path | None = None
    items: dict[str, int] = field(default_factory=dict)  # item ID -> ops appended
    skipped: list[str] = field(default_factory=list)  # what could not be restored, and why
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {"journal": str(self.journal) if self.journal else None, "items": self.items,
                "skipped": self.skipped, "dry_run": self.dry_run}


def journal_dir(repo: Path) -> Path:
    base = os.environ.get("HYPERGUMBO_TRACKER_JOURNAL_ROOT")
    root = Path(base) if base else Path.home() / "hypergumbo_lab_notebook" / "tracker-ops-journal"
    key = hashlib.sha256(str(repo.resolve()).encode("utf-8")).hexdigest()[:12]
    return root / key


def restore(tracker: Tracker, repo: Path, *, dry_run: bool = False) -> Restored:
    """Append the ops the reference's journal holds for this repository and the worktree
    lacks; with `dry_run`, only count them."""
    where = journal_dir(repo)
    report = Restored(journal=where if where.is_dir() else None, dry_run=dry_run)
    if report.journal is None:
        return report
    for path, item_id, tier in _journal_files(tracker, repo, where):
        missing = _missing_blocks(tracker, item_id, path, report)
        if not missing:
            continue
        target = _target(tracker, item_id, tier)
        report.items[item_id] = len(missing)
        if not dry_run:
            _append(target, missing)
    return report


def _journal_files(tracker: Tracker, repo: Path, where: Path) -> Iterator[tuple[Path, str, str]]:
    for tier in TIERS:
        try:
            rel = tracker.layout.ops_dir(tier).resolve().relative_to(repo.resolve())
        except ValueError:
            continue
        directory = where / rel
        if not directory.is_dir() or directory.is_symlink():
            continue
        for path in sorted(directory.iterdir()):
            item_id = id_from_filename(path.name)
            if item_id and path.is_file() and not path.is_symlink():
                yield path, item_id, tier


def _missing_blocks(tracker: Tracker, item_id: str, path: Path, report: Restored) -> list[bytes]:
    """The journal's op blocks for `item_id` that no tier's copy of it holds byte for byte."""
    present = {block.data for tier in tracker.store.tiers_of(item_id)
               for block in op_blocks(_read(tracker.layout.item_path(tier, item_id)))}
    missing = []
    for block in op_blocks(_read(path)):
        if block.data in present or block.data in missing:
            continue
        log = read_oplog(block.data)
        if len(log.ops) != 1 or log.problems:
            report.skipped.append(f"{item_id}: journal line {block.first_line} is not a whole "
                                  "op (a torn write?); left in the journal")
            continue
        missing.append(block.data)
    return missing


def _target(tracker: Tracker, item_id: str, journal_tier: str) -> Path:
    """Where the item is now (its first tier); where the journal had it if it is nowhere."""
    tiers = tracker.store.tiers_of(item_id)
    return tracker.layout.item_path(tiers[0] if tiers else journal_tier, item_id)


def _append(path: Path, blocks: list[bytes]) -> None:
    """Append `blocks` under the file's lock, leaving out any a writer added meanwhile."""
    for _ in range(5):
        try:
            with locked(path, create=True) as log:
                present = {block.data for block in op_blocks(log.read())}
                todo = [block for block in blocks if block not in present]
                if todo:
                    log.append(b"".join(todo).decode("utf-8"))
                return
        except FileAppeared:
            continue  # another writer created the file meanwhile: append to it
    raise WriteError(f"{path.name} keeps appearing and disappearing; nothing was restored")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
