"""The TUI's one door to the service: every read and every action is a service call, run on one
worker thread (so the screen never waits on a disk, and the tracker's SQLite connection is only
ever used by one thread at a time). Authority is exactly the CLI's: the same service functions,
as the OS user running the TUI."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import HtracError
from ..service import (
    discussion,
    editwindow,
    holdings,
    humanops,
    itemops,
    moves,
    readstate,
    search,
)
from ..service.neighbours import neighbours, recent, tags
from ..service.tracker import Tracker

# tier -> the moves that are legal from it (verb, op type)
MOVES = {"canonical": (("demote to workspace", "demote"),),
         "workspace": (("promote to canonical", "promote"), ("stealth (this clone only)",
                                                              "stealth")),
         "stealth": (("unstealth to workspace", "unstealth"),)}


@dataclass
class Loaded:
    """What the main screen shows: the current query's rows, the human's read marks, and the
    claims on those rows as of now (`service.holdings`: holder and lease, by item ID)."""

    rows: list
    marks: dict
    holds: dict
    expiry: int | None = None  # seconds until the first live lease anywhere runs out


class Backend:
    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="htrac-service")

    @classmethod
    def open(cls, tracker_root: Path | None = None, start: Path | None = None) -> Backend:
        return cls(Tracker.open(start=start, tracker_root=tracker_root))

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: fn(*args, **kwargs))

    def close(self) -> None:
        index = self.tracker.store.index
        if index is not None:
            self._pool.submit(index.close)
        self._pool.shutdown(wait=False, cancel_futures=False)

    # -- reads (run on the worker thread through `call`) ----------------------------------------

    @property
    def actor(self):
        return self.tracker.actor

    def rows(self, query: str) -> list:
        return search.search(self.tracker, query)

    def load(self, query: str) -> Loaded:
        """The rows of `query` and what the screen shows with them, from one look at the
        files."""
        index = self.tracker.store.index
        with index.settled() if index is not None else nullcontext():
            marks = readstate.read_marks(self.tracker)
            facts = search.facts(self.tracker, read_marks=marks)
            rows = search.search(self.tracker, query, known=facts)
            held = holdings.of_listed(self.tracker, rows)
            # a lease runs out with no op written, and `is:stale` (so needs-you) changes then
            lefts = [h.lease.seconds_left for h in holdings.holdings(self.tracker) if h.live]
        return Loaded(rows, marks, held, min(lefts, default=None))

    def rejudge(self, holds: dict) -> dict:
        """The same claims' leases as of now (a lease runs out with no op written)."""
        judged = {}
        for item_id, held in holds.items():
            now = holdings.holding(self.tracker, held.item)
            if now is not None:
                judged[item_id] = now
        return judged

    def search_rows(self, text: str, limit: int = 50):
        return search.search(self.tracker, text, limit=limit)

    def replace_tracker(self, root: Path) -> None:
        """Open the tracker again (its config or trust root changed)."""
        old = self.tracker.store.index
        self.tracker = Tracker.open(tracker_root=root)
        if old is not None:
            old.close()

    def item(self, item_id: str):
        return self.tracker.show(item_id)

    def detail(self, item_id: str):
        """The item, its neighbours, whether the human has read it, the identities of its ops
        as the fold judged them (what a governance write commits to having seen), and its
        claim as of now (None when nobody holds it)."""
        from ..service.history import trace

        _folded, steps = trace(self.tracker, item_id)
        item = self.tracker.show(item_id)
        return (item, neighbours(self.tracker, item), readstate.is_unread(self.tracker, item),
                [step.ident for step in steps], holdings.holding(self.tracker, item))

    def activity(self, limit: int = 200):
        return recent(self.tracker, limit)

    def tags(self):
        return tags(self.tracker)

    def history(self, item_id: str):
        from ..service.history import history

        return history(self.tracker, item_id)

    def edit_mode(self):
        return editwindow.status(self.tracker)

    def read_marks(self):
        return readstate.read_marks(self.tracker)

    # -- actions ------------------------------------------------------------------------------

    def discuss(self, item_id: str, message: str):
        return discussion.post(self.tracker, item_id, message, ack_thread=True)

    def clear_discussion(self, item_id: str, seen: list[str]):
        return self._governing(lambda tracker, ref, seen: tracker.clear_discussion(
            ref, seen=seen), item_id, seen)

    def move(self, item_id: str, op_type: str):
        return moves.move(self.tracker, item_id, op_type)

    def add(self, **data):
        return itemops.add_item(self.tracker, **data)

    def update(self, item_id: str, request: itemops.UpdateRequest, version: str | None = None):
        """`request`, refused (StaleVersionError, nothing written) if the item is no longer at
        `version`, the one the form showed."""
        request.expected_version = version or None
        return itemops.update_item(self.tracker, item_id, request)

    def set_parent(self, item_id: str, parent: str | None):
        return self.tracker.update(item_id, set_={"parent": parent})

    def lock(self, item_id: str, names: list[str], unlock: bool, seen: list[str]):
        return self._governing(humanops.lock_fields, item_id, seen, names, unlock=unlock)

    def freeze(self, item_id: str, frozen: bool, seen: list[str]):
        return self._governing(humanops.unfreeze if frozen else humanops.freeze, item_id, seen)

    def _governing(self, fn, item_id: str, seen: list[str], *args, **kwargs) -> int:
        """A governance write that commits to the ops on screen (`seen`); never refused as
        stale. Returns how many ops it now binds that were not on screen."""
        from ..service.history import trace

        fn(self.tracker, item_id, *args, seen=seen, **kwargs)
        _item, steps = trace(self.tracker, item_id)
        known = set(seen)
        me = self.tracker.actor.name
        return sum(1 for s in steps if s.ident not in known and not (
            s.op.actor == me and s.op.type in ("lock", "unlock", "discuss_clear")))

    def repair(self, item_id: str):
        return humanops.repair_drift(self.tracker, item_id)

    def switch_edit_mode(self, on: bool):
        editwindow.switch(self.tracker, on)
        return editwindow.status(self.tracker)

    def mark_read(self, item_id: str, read: bool):
        return readstate.mark_ref(self.tracker, item_id, read=read)


def message_of(error: BaseException) -> str:
    if isinstance(error, HtracError):
        return str(error)
    return f"{type(error).__name__}: {error}"
