"""Authority for an open tracker: which trust root governs it, and the locks on other refs."""

from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

from ..core.config import Config
from ..policy.authority import Authority, resolve
from ..store.layout import TIERS, Layout

if TYPE_CHECKING:
    from ..policy.rules import Rules


def worktrees(layout: Layout) -> list[Path]:
    """Every worktree the tracker's files may belong to: the nominal one and the real ones.

    A decoy `.agent` whose tier directories are symlinks into a real repository is that
    repository's tracker as far as authority goes.
    """
    found = [layout.repo_root.resolve()]
    for tier in TIERS:
        real = layout.ops_dir(tier).resolve()
        for parent in real.parents:
            if parent.name == ".agent":
                found.append(parent.parent)
                break
    return list(dict.fromkeys(found))


def open_authority(layout: Layout, config: Config) -> Authority:
    return resolve(worktrees(layout), config)


def refs_view(repo: Path, rel_path: str, item_id: str, config: Config, rules: Rules,
              *, want_locks: bool) -> tuple[int, set[str]]:
    """(highest clock, locks in force) of the item's file on the Lamport branches and HEAD."""
    from ..core.fold import fold
    from ..core.oplog import read_oplog
    from ..gitio.clocks import logs_on_refs

    blobs = logs_on_refs(repo, rel_path, config.lamport_branches)
    floor, locks = 0, set()
    vocab = config.vocabulary() if want_locks else None
    for blob in blobs:
        log = read_oplog(blob)
        floor = max(floor, log.max_clock)
        if want_locks and log.ops:
            locks |= fold(item_id, log.ops, vocab, policy=rules).locked_fields
    return floor, locks
