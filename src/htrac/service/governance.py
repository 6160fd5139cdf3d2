"""Authority for an open tracker: which trust root governs it, and the locks on other refs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..core.config import Config
from ..core.errors import ConfigError
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
    from ..policy.trustroot import SeveralTrustRoots
    try:
        return resolve(worktrees(layout), config)
    except SeveralTrustRoots:
        escaped = replaced_tiers(layout)
        if not escaped:
            raise
        # The trust roots are fine: a tier directory leads into another governed repository.
        raise TierReplacedError(escaped[0]) from None


def replaced_tiers(layout: Layout) -> list[str]:
    """One line per tier directory that is not a real directory inside this tracker (a symlink,
    or a directory whose real path is elsewhere), saying how to put it back."""
    import os
    import stat
    found = []
    for tier in TIERS:
        path = layout.ops_dir(tier)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        real = path.resolve()
        if stat.S_ISDIR(info.st_mode) and real.parent == layout.ops_dir(tier).parent.resolve():
            continue
        what = f"a symbolic link to {os.readlink(path)}" if stat.S_ISLNK(info.st_mode) \
            else f"not a directory of this tracker (it leads to {real})"
        rel = path.relative_to(layout.repo_root)
        restore = "" if tier == "stealth" else f" && git checkout -- {rel}"
        found.append(f"the {tier} tier directory {path} is {what}: someone replaced it, so "
                     f"htrac would read and write another repository's items. Put it back (the "
                     f"trust roots are fine; leave them): cd {layout.repo_root} && mv {rel} "
                     f"{rel}.replaced && mkdir {rel}{restore}")
    return found


class TierReplacedError(ConfigError):
    """A tier directory was swapped for a link into another repository."""


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
