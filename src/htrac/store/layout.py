"""Where a tracker keeps its files, and how a command finds the tracker it runs in.

The tracker root is the repository's `.agent/` directory, found by walking up from the working
directory (or named with `--tracker-root`). Items live in three tiers, each a directory of
`.<ID>.ops` files; each tier's edit-mode windows live in a log beside it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..core.errors import TrackerNotFoundError
from ..core.ids import FILE_ID, matches
from ..core.record import record
from .places import TIERS

__all__ = ["TIERS", "COMMITTED_TIERS", "Layout", "find_root", "id_from_filename"]
COMMITTED_TIERS = ("canonical", "workspace")


@record(frozen=True)
class Layout:
    """Where a tracker's files are, from its `.agent` directory."""
    root: Path  # the `.agent` directory

    @property
    def tracker_dir(self) -> Path:
        """The canonical tier's home, where config.yaml lives."""
        return self.root / "tracker"

    @property
    def workspace_dir(self) -> Path:
        return self.root / "tracker-workspace"

    @property
    def repo_root(self) -> Path:
        return self.root.parent

    def ops_dir(self, tier: str) -> Path:
        if tier == "canonical":
            return self.tracker_dir / ".ops"
        if tier == "workspace":
            return self.workspace_dir / ".ops"
        if tier == "stealth":
            return self.workspace_dir / "stealth"
        raise ValueError(f"unknown tier {tier!r}")

    def edit_log(self, tier: str) -> Path:
        """The tier's edit-mode log; workspace and stealth share one, as in the reference."""
        return self.ops_dir(tier).parent / ".edit-mode" / "edit-mode.ops"

    def item_path(self, tier: str, item_id: str) -> Path:
        if not FILE_ID.fullmatch(item_id):
            raise ValueError(f"not an item ID: {item_id!r}")
        return self.ops_dir(tier) / f".{item_id}.ops"

    def item_ids(self, tier: str) -> list[str]:
        """IDs of the tier's items, sorted by file name as the reference lists them. An entry
        that isn't a regular file (a link, a directory, a FIFO) is an item too — one htrac
        can't read, so it is reported damaged instead of silently dropped."""
        ids = []
        try:
            with os.scandir(self.ops_dir(tier)) as entries:
                for entry in entries:
                    item_id = id_from_filename(entry.name)
                    if item_id:
                        ids.append(item_id)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted(ids)

    def item_ids_matching(self, tier: str, ref: str, names: list[str] | None = None) -> list[str]:
        """`[i for i in item_ids(tier) if ids.matches(i, ref)]`, looking closely only at the
        file names that could match (resolving an ID must not cost a parse of every name).
        `names`: the tier directory's listing, when the caller has a current one."""
        if names is None:
            try:
                names = os.listdir(self.ops_dir(tier))
            except (FileNotFoundError, NotADirectoryError):
                return []
        dotted = f".{ref}"
        if "-" in ref:
            maybe = [n for n in names if n.startswith(dotted)]
        else:  # or a prefix of the words after the kind's prefix
            maybe = [n for n in names
                     if n.startswith(dotted) or n.partition("-")[2].startswith(ref)]
        found = []
        for name in maybe:
            item_id = id_from_filename(name)
            if item_id and matches(item_id, ref) and self._exists(tier, name):
                found.append(item_id)
        return sorted(found)

    def _exists(self, tier: str, name: str) -> bool:
        return os.path.lexists(self.ops_dir(tier) / name)

    def tier_problem(self, tier: str) -> str | None:
        """Why the tier's directory can't be trusted to hold its items, or None: it (or the
        directory holding it) is missing, a symbolic link, not a directory, or unreadable.
        Every such tier counts as blocking work: replacing `.ops` with a file or a link to an
        empty directory must never make the stop hook see nothing to do."""
        parent = self.tracker_dir if tier == "canonical" else self.workspace_dir
        for path in (parent, self.ops_dir(tier)):
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                return f"{path} is missing"
            except OSError as exc:
                return f"{path} can't be read ({exc.strerror})"
            if stat.S_ISLNK(info.st_mode):
                return f"{path} is a symbolic link, not the tracker's directory"
            if not stat.S_ISDIR(info.st_mode):
                return f"{path} is not a directory"
        if not os.access(self.ops_dir(tier), os.R_OK | os.X_OK):
            return f"{self.ops_dir(tier)} can't be read (permission denied)"
        return None


def id_from_filename(name: str) -> str | None:
    if not (name.startswith(".") and name.endswith(".ops")):
        return None
    item_id = name[1:-4]
    return item_id if FILE_ID.fullmatch(item_id) else None


def find_root(start: Path, explicit: Path | None = None) -> Layout:
    """The tracker for a command run in `start`, or named explicitly."""
    if explicit is not None:
        root = (start / explicit).resolve() if not explicit.is_absolute() else explicit.resolve()
        if not root.is_dir():
            raise TrackerNotFoundError(f"--tracker-root {explicit}: no such directory")
        if not _holds_tracker(root):
            inside = root / ".agent"
            hint = (f"did you mean --tracker-root {inside}?" if _holds_tracker(inside) else
                    "name a tracker's .agent directory, or run 'htrac init' at the repository "
                    "root")
            raise TrackerNotFoundError(f"--tracker-root {explicit}: no tracker there (no "
                                       f"tracker/ or tracker-workspace/): {hint}")
        return Layout(root)
    here = start.resolve()
    for directory in (here, *here.parents):
        candidate = directory / ".agent"
        if _holds_tracker(candidate):
            return Layout(candidate)
    raise TrackerNotFoundError(
        f"no tracker found in {here} or above: run 'htrac init' at the repository root")


def _holds_tracker(root: Path) -> bool:
    return (root / "tracker").is_dir() or (root / "tracker-workspace").is_dir()
