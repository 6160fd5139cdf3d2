"""`:N` aliases: the IDs of the last numbered list this OS user printed in this tracker.

Kept in the user's own cache directory (so one user can't change what `:1` means for another),
under a key derived from the tracker's real path (so two clones never share a stash, and a
repository with no commit works like any other). Only commands that print a numbered list
replace it. An alias is `:` and ASCII digits, nothing else (`int()` would also take `1_0` and
other scripts' digits).
"""

from __future__ import annotations

import os
import re
import time

from ..core.errors import NotFoundError
from . import places
from .private import private_path

TYPE_CHECKING = False  # the hot read path numbers its lists without `pathlib`
if TYPE_CHECKING:
    from pathlib import Path

ALIAS = re.compile(r":([0-9]+)")
RECHECK_S = 2.0
_CHECKED: dict[str, tuple[str, float]] = {}


def cache_dir(tracker_root: Path) -> Path:
    """This user's private cache directory for the tracker at `tracker_root` (index, aliases,
    watcher, stop-hook state): made 0700, or refused when someone else could have written it
    (`store.private`) — with `HTRAC_CACHE_DIR` or `XDG_CACHE_HOME` on a shared path another
    user could make it first and plant a forged index."""
    from pathlib import Path

    return Path(cache_path(str(tracker_root)))


def cache_path(tracker_root: str) -> str:
    """`cache_dir`, as text."""
    path = places.cache_dir(tracker_root)
    checked = _CHECKED.get(path)
    if checked is not None and time.monotonic() - checked[1] < RECHECK_S:
        return checked[0]  # one command asks several times: check once (a server: now and then)
    try:
        real = private_path(path, what="htrac's cache directory",
                            elsewhere="set HTRAC_CACHE_DIR to a directory of your own")
        _CHECKED[path] = (real, time.monotonic())
        return real
    except OSError:
        # Can't be made (read-only, not a directory above it): every use of it fails the same
        # way and falls back (the index folds the files, aliases are not saved).
        return path


class AliasStash:
    def __init__(self, tracker_root: Path | str) -> None:
        self.path = os.path.join(cache_path(str(tracker_root)), "last_list")

    def save(self, ids: list[str]) -> None:
        try:
            tmp = os.path.join(os.path.dirname(self.path), f".last_list.{os.getpid()}")
            with open(tmp, "w", encoding="utf-8") as out:
                out.write("".join(f"{i}\n" for i in ids))
            os.replace(tmp, self.path)
        except OSError:
            pass  # aliases are a convenience; a read-only cache must not fail the listing

    def load(self) -> list[str]:
        try:
            with open(self.path, encoding="utf-8") as stash:
                return stash.read().split()
        except (OSError, UnicodeDecodeError):
            return []

    def lookup(self, ref: str) -> str:
        """The ID that `:N` stands for."""
        match = ALIAS.fullmatch(ref)
        if match is None:
            raise NotFoundError(f"bad alias {ref!r}: use :N with N a number from a list")
        index = int(match.group(1))
        ids = self.load()
        if not 1 <= index <= len(ids):
            raise NotFoundError(f"alias {ref} is out of range (the last list had {len(ids)} "
                                "items): run 'htrac ready' or 'htrac list' first")
        return ids[index - 1]
