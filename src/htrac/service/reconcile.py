"""`reconcile` and `recover`: the reference's way back from a sync that failed half-way.

The reference's sync resets the ops directories to HEAD before it fast-forwards, so a failure in
between leaves ops only in its journal; its `reconcile` then (1) flushes local ops through a
pull request, (2) pulls with `--ff-only` and (3) restores the journal, and `recover` (deprecated)
does step 3 alone. In htrac, `sync` commits local ops first, merges the upstream where
`merge=union` runs and never resets an ops file, so steps 1 and 2 are one `sync`, and step 3
matters only for ops the reference left in its journal before this clone switched
(`service.journal`). `reconcile` does all of it; `recover` only the journal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import InvalidValueError
from . import journal
from .sync import Syncer, SyncReport

if TYPE_CHECKING:
    from .tracker import Tracker


@dataclass
class Reconciled:
    restored: journal.Restored
    sync: SyncReport

    def as_dict(self) -> dict:
        return {"restored": self.restored.as_dict(), "sync": self.sync.as_dict()}


def reconcile(tracker: Tracker, *, dry_run: bool = False,
              base_branch: str | None = None) -> Reconciled:
    """Restore what the reference's journal holds, then sync (commit, merge, push) — the
    restored ops travel with this sync."""
    syncer = Syncer(tracker)
    if base_branch is not None:
        _check_base(syncer.repo, base_branch)
    restored = journal.restore(tracker, syncer.repo, dry_run=dry_run)
    return Reconciled(restored, syncer.run(dry_run=dry_run))


def recover(tracker: Tracker, *, dry_run: bool = False) -> journal.Restored:
    """Only the journal step (the reference's deprecated `recover`)."""
    return journal.restore(tracker, Syncer(tracker).repo, dry_run=dry_run)


def _check_base(repo: Path, base: str) -> None:
    """The reference syncs into `--base-branch`; htrac syncs the current branch with its
    upstream, so the two must be the same branch for the flag to mean what it says."""
    from ..gitio import sync as gsync

    up = gsync.upstream(repo)
    if up is None or up.branch != base:
        now = f"the current branch's upstream is {up}" if up else \
            "the current branch has no upstream"
        raise InvalidValueError(f"--base-branch {base}: htrac syncs the current branch with its "
                                f"upstream, and {now}; check out {base} (or set its upstream: "
                                f"git branch -u <remote>/{base}) and run reconcile again")
