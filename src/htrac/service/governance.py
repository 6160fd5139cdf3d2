"""Authority for an open tracker: which trust root governs it, and the locks on other refs.

A trust root names the worktrees it governs, but a tracker can be copied, cloned or checked
out as a linked worktree anywhere. So the lookup goes on where the paths give out:

1. the nominal worktree and the real worktrees of the tier directories (a decoy `.agent`
   whose tiers link into a governed clone is governed by it);
2. for a linked worktree (`git worktree add`), its main worktree;
3. the tracker's content: **a tracker holding an op signed by a key a trust root lists is
   governed by that trust root, wherever it is.** The signatures aren't verified for this:
   being governed only ever takes authority away, so a forged `sig` gains nothing. Once found,
   the answer is kept in the user's cache (`governed-by`); losing it only costs a scan.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.config import Config
from ..core.errors import ConfigError
from ..policy import trustroot
from ..policy.authority import Authority, govern
from ..store.layout import TIERS, Layout

if TYPE_CHECKING:
    from ..policy.rules import Rules

_SIGNER = re.compile(rb"\n  sig: ed25519:([0-9a-f]{16}):")
CACHE_NAME = "governed-by"


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
    main = main_worktree(layout.repo_root)
    if main is not None:
        found.append(main)
    return list(dict.fromkeys(found))


def main_worktree(repo: Path) -> Path | None:
    """The main worktree of the linked worktree `repo` (its `.git` is a file naming
    `<main>/.git/worktrees/<name>`), read without running git; None otherwise."""
    try:
        text = (repo / ".git").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None  # a directory (a main worktree) or nothing
    if not text.startswith("gitdir: "):
        return None
    gitdir = (repo / text[len("gitdir: "):].strip()).resolve()
    try:
        common = (gitdir / (gitdir / "commondir").read_text(encoding="utf-8").strip()).resolve()
    except OSError:
        return None
    return common.parent if common.name == ".git" else None


def open_authority(layout: Layout, config: Config) -> Authority:
    from ..policy.trustroot import SeveralTrustRoots
    try:
        root = trustroot.find(worktrees(layout))
    except SeveralTrustRoots:
        escaped = replaced_tiers(layout)
        if not escaped:
            raise
        # The trust roots are fine: a tier directory leads into another governed repository.
        raise TierReplacedError(escaped[0]) from None
    if root is None:
        root = governed_by_content(layout)
    return govern(root, config)


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


def governed_by_content(layout: Layout,
                        trust_dir: Path = trustroot.TRUST_DIR) -> trustroot.TrustRoot | None:
    """The trust root one of whose keys signed an op in this tracker, or None."""
    keyed = trustroot.by_key(trust_dir)
    if not keyed:
        return None  # no keys on this machine: nothing to look for (the common case)
    path = _remembered(layout, keyed)
    if path is None:
        found = _signed_by(layout, set(keyed))
        if found is None:
            return None
        _remember(layout, found)
        path = keyed[found]
    return trustroot.checked(trustroot.load(path))


def _signed_by(layout: Layout, wanted: set[str]) -> str | None:
    """A key ID from `wanted` that signs an op in any of the tracker's files."""
    from ..store.index_files import read_snapshot

    paths = [layout.edit_log(t) for t in ("canonical", "workspace")]
    for tier in TIERS:
        paths.extend(layout.item_path(tier, i) for i in layout.item_ids(tier))
    for path in paths:
        try:
            data = read_snapshot(path).data
        except OSError:
            continue
        if b"sig: ed25519:" not in data:
            continue
        for match in _SIGNER.finditer(data):
            if match.group(1).decode() in wanted:
                return match.group(1).decode()
    return None


def _remembered(layout: Layout, keyed: dict) -> Path | None:
    from ..store.aliases import cache_dir

    try:
        key = (cache_dir(layout.root) / CACHE_NAME).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return keyed.get(key)


def _remember(layout: Layout, key: str) -> None:
    from ..store.aliases import cache_dir

    path = cache_dir(layout.root) / CACHE_NAME
    try:
        tmp = path.with_name(f".{CACHE_NAME}.{os.getpid()}")
        tmp.write_text(key + "\n", encoding="ascii")
        os.replace(tmp, path)
    except OSError:
        pass  # only an optimisation: the next command scans again


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
