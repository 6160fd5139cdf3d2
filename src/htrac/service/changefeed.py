"""The change feed: the items that changed, as they change, for the surfaces that show them live
(the TUI, the web server's WebSocket).

File-system events (watchfiles, on the tracker's `.agent` directory, which holds the tier
directories and the config, and on the trust root's directory) only say *when to look*. What
changed is decided by the index, the one source of truth: the feed refreshes it (just the named
files when the events name a few ops files, every file otherwise) and reads the index's change
log since the feed's last position — so a change is reported exactly once whoever refreshed the
index (a CLI command run meanwhile included), and nothing is re-folded that didn't change.
No loop polls the tree: without events the feed sleeps.

    feed = ChangeFeed(tracker)
    async for changes in feed:        # debounced batches
        changes.items    # the changed items, folded, with their new version
        changes.removed  # (tier, ID) of files that went away
        changes.reset    # too much changed to list (config, trust root, a rebuild): reload

The feed keeps its own `Tracker` (its own index connection), so it can refresh in a worker
thread while the surface uses its tracker elsewhere. A change to the config or the trust root
reopens it (new statuses, new policy) and reports a reset with the new tracker.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..store.index_db import IndexUnavailable
from ..store.layout import TIERS

if TYPE_CHECKING:
    from ..core.item import Item
    from .tracker import Tracker

DEBOUNCE_MS = 150  # a batch closes this long after it began…
STEP_MS = 25       # …or this long after the last event, whichever comes first
TARGETED_MAX = 256  # more named files than this: refresh by looking at every file
CONFIG_NAMES = ("config.yaml", "config.yaml.template")
DIRECTORY_NAMES = (".ops", "stealth", "tracker", "tracker-workspace", ".edit-mode", ".agent")


@dataclass
class Changes:
    items: list[Item] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    reset: bool = False
    tracker: Tracker | None = None  # the feed's tracker, reopened when governance changed

    def __bool__(self) -> bool:
        return bool(self.items or self.removed or self.reset)


class ChangeFeed:
    def __init__(self, tracker: Tracker, *, trust_dir: Path | None = None,
                 since: tuple[str, int] | None = None) -> None:
        """`since`: the change-log position of what the caller shows (`index_changes.as_found`,
        read before it read the index without looking at the files); the feed's first batch is
        then everything that changed after it, the files looked at once."""
        from ..policy.trustroot import TRUST_DIR

        self.root = tracker.layout.root
        self.trust_dir = trust_dir if trust_dir is not None else TRUST_DIR
        self.tracker = self._open()
        self._catch_up = since is not None
        self._position = since if since is not None else self._start()
        self._stop = threading.Event()
        self._astop: asyncio.Event | None = None

    def _open(self) -> Tracker:
        from .tracker import Tracker

        return Tracker.open(tracker_root=self.root)

    def _start(self):
        from ..store.index_changes import position

        index = self.tracker.store.index
        try:
            return position(index) if index is not None else None
        except (IndexUnavailable, sqlite3.Error):
            return None

    # -- one look ------------------------------------------------------------------------------

    def poll(self, paths: Iterable[str] | None = None) -> Changes:
        """Look now: refresh the index (for `paths`, the files events named, when they are few
        ops files; else every file) and return what changed since the last look."""
        paths = list(paths) if paths is not None else None
        if paths is None or any(self._is_governance(p) for p in paths):
            reopened = paths is not None
            if reopened:
                self.tracker.store.index and self.tracker.store.index.close()
                self.tracker = self._open()
            changes = self._since(None)
            if reopened:
                changes.reset = True
                changes.tracker = self.tracker
            return changes
        return self._since(self._keys(paths))

    def _since(self, keys: set[tuple[str, str]] | None) -> Changes:
        from ..store.index_changes import changes_since

        store = self.tracker.store
        index = store.index
        if index is None or self._position is None:
            return Changes(reset=True)
        try:
            if keys is None:
                index.refresh()
            else:
                for tier, item_id in sorted(keys):
                    index.refresh(only=(tier, item_id))
            logged = changes_since(index, self._position, refreshed=True)
        except (IndexUnavailable, sqlite3.Error):
            store.index = None
            return Changes(reset=True)
        self._position = logged.position
        if logged.keys is None:
            return Changes(reset=True)
        changes = Changes()
        for tier, item_id in sorted(logged.keys, key=lambda k: (TIERS.index(k[0]), k[1])):
            item = index.item(tier, item_id)
            if item is None:
                changes.removed.append((tier, item_id))
            else:
                changes.items.append(item)
        return changes

    def _keys(self, paths: list[str]) -> set[tuple[str, str]] | None:
        """(tier, ID) of the ops files `paths` name; None when they name anything else (a
        directory, the edit-mode log) or too many: then every file is looked at."""
        layout = self.tracker.layout
        dirs = {str(layout.ops_dir(t)): t for t in TIERS}
        keys = set()
        for path in paths:
            p = Path(path)
            tier = dirs.get(str(p.parent))
            name = p.name
            if tier is None or not (name.startswith(".") and name.endswith(".ops")):
                return None
            keys.add((tier, name[1:-4]))
        return keys if len(keys) <= TARGETED_MAX else None

    def _is_governance(self, path: str) -> bool:
        p = Path(path)
        return p.name in CONFIG_NAMES or self.trust_dir in p.parents or p == self.trust_dir

    # -- the live feed -------------------------------------------------------------------------

    def watched(self) -> list[Path]:
        paths = [self.root]
        if self.trust_dir.is_dir():
            paths.append(self.trust_dir)
        return paths

    def relevant(self, change, path: str) -> bool:
        """Only what can change an item: ops files, edit-mode logs, the config, the trust root,
        and the directories that hold them (a checkout can remove and recreate them)."""
        name = Path(path).name
        return (name.endswith(".ops") or name in CONFIG_NAMES or name in DIRECTORY_NAMES
                or self._is_governance(path))

    def stop(self) -> None:
        self._stop.set()
        if self._astop is not None:
            self._astop.set()

    async def __aiter__(self) -> AsyncIterator[Changes]:
        from watchfiles import awatch

        self._astop = asyncio.Event()
        if self._catch_up:  # what the caller showed is as the index stood: look now
            self._catch_up = False
            changes = await asyncio.to_thread(self._since, None)
            if changes:
                yield changes
        async for events in awatch(*self.watched(), watch_filter=self.relevant,
                                   debounce=DEBOUNCE_MS, step=STEP_MS, stop_event=self._astop,
                                   recursive=True, yield_on_timeout=False):
            paths = sorted({path for _change, path in events})
            changes = await asyncio.to_thread(self.poll, paths)
            if changes:
                yield changes

    def close(self) -> None:
        self.stop()
        index = self.tracker.store.index
        if index is not None:
            index.close()
