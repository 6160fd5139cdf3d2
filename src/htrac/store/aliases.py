"""`:N` aliases: the IDs of the last numbered list this OS user printed in this tracker.

Kept in the user's own cache directory (so one user can't change what `:1` means for another),
under a key derived from the tracker's real path (so two clones never share a stash, and a
repository with no commit works like any other). Only commands that print a numbered list
replace it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..core.errors import NotFoundError


def cache_dir(tracker_root: Path) -> Path:
    """This user's cache directory for the tracker at `tracker_root`."""
    base = os.environ.get("HTRAC_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = os.path.join(xdg, "htrac") if xdg else os.path.expanduser("~/.cache/htrac")
    key = hashlib.sha256(str(tracker_root.resolve()).encode()).hexdigest()[:16]
    return Path(base) / key


class AliasStash:
    def __init__(self, tracker_root: Path) -> None:
        self.path = cache_dir(tracker_root) / "last_list"

    def save(self, ids: list[str]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self.path.with_name(f".last_list.{os.getpid()}")
            tmp.write_text("".join(f"{i}\n" for i in ids), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # aliases are a convenience; a read-only cache must not fail the listing

    def load(self) -> list[str]:
        try:
            return self.path.read_text(encoding="utf-8").split()
        except (OSError, UnicodeDecodeError):
            return []

    def lookup(self, ref: str) -> str:
        """The ID that `:N` stands for."""
        try:
            index = int(ref[1:])
        except ValueError:
            raise NotFoundError(f"bad alias {ref!r}: use :N with N a number from a list") from None
        ids = self.load()
        if not 1 <= index <= len(ids):
            raise NotFoundError(f"alias {ref} is out of range (the last list had {len(ids)} "
                                "items): run 'htrac ready' or 'htrac list' first")
        return ids[index - 1]
