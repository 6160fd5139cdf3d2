"""The TUI's one door to the service: every read and every action is a service call, run on one
worker thread (so the screen never waits on a disk, and the tracker's SQLite connection is only
ever used by one thread at a time). Authority is exactly the CLI's: the same service functions,
as the OS user running the TUI."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import HtracError

# what the first frame needs; the actions' modules are imported when first used
from ..service import holdings, readstate, search
from ..service.cycles import graphs
from ..service.neighbours import neighbours, recent, tags
from ..service.tracker import Tracker

if TYPE_CHECKING:
    from ..service.itemops import UpdateRequest

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
    # read without looking at the files: the change-log position the rows are as of (the
    # change feed starts there, so what changed since is shown the moment it looks)
    as_of: tuple[str, int] | None = None
    total: int = 0  # how many items the query keeps (more than `rows` when it was limited)
    ids: list[str] | None = None  # every ID in the tracker, sorted (when asked for)
    before: dict | None = None  # every item's isbefore links: ID -> the IDs it is before


class Backend:
    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="htrac-service")
        self._early: tuple[str, Future[Loaded]] | None = None
        self._counted: Future[dict[str, int]] | None = None
        self.as_of: tuple[str, int] | None = None  # the first rows' position (`Loaded.as_of`)

    def count_items(self, *, look: bool = True) -> None:
        """Start counting the items of each tier (for `startup_line`), on the worker thread."""
        def count() -> dict[str, int]:
            index = self.tracker.store.index
            if index is None:
                return search.tier_counts(self.tracker)
            with index.settled(look=look or not _readable_as_found(index)):
                return search.tier_counts(self.tracker)

        self._counted = self._pool.submit(count)

    def startup_line(self, started: float) -> str:
        """`htrac: 10000 items (1500 canonical, 8500 workspace) loaded in 0.05s`: what the
        tracker holds and how long it took to open it and count it (from `started`)."""
        import time

        try:
            counts = self._counted.result()
        except Exception as error:  # the TUI's own load says it again, on its screen
            return f"htrac: items not counted: {message_of(error)}"
        spent = time.monotonic() - started
        parts = ", ".join(f"{n} {tier}" for tier, n in counts.items())
        return (f"htrac: {sum(counts.values())} items ({parts or 'none'}) "
                f"loaded in {spent:.2f}s")

    def prefetch(self, query: str, *, look: bool = True, limit: int | None = None) -> None:
        """Start reading `query`'s rows now, on the worker thread — while Textual is imported
        and the screen composed — for `first`. `look=False`: from the index as it stands, no
        scan of the files (`Loaded.as_of` says from when; the change feed catches up).
        `limit`: only the first rows (a screenful; the rest are read once they are shown)."""
        self._early = (query, self._pool.submit(self.load, query, look=look, limit=limit,
                                                ids=True))

    async def first(self, query: str) -> Loaded:
        """`load(query)`, answered by the prefetch when it read the same query."""
        early, self._early = self._early, None
        if early is not None and early[0] == query:
            loaded = await asyncio.wrap_future(early[1])
            self.as_of = loaded.as_of
            return loaded
        return await self.call(self.load, query, ids=True)

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

    def load(self, query: str, *, look: bool = True, limit: int | None = None,
             ids: bool = False) -> Loaded:
        """The rows of `query` and what the screen shows with them, from one look at the
        files (`look=False`: none, when the index was folded under today's rules). `limit`:
        the first rows only (`total` still counts them all); `ids`: every ID as well."""
        index = self.tracker.store.index
        as_of = None
        if not look and index is not None:
            as_of = _readable_as_found(index)  # read before the rows: the feed reports from here
        with (index.settled(look=as_of is None) if index is not None else nullcontext()):
            marks = readstate.read_marks(self.tracker)
            facts = search.facts(self.tracker, read_marks=marks)
            found = graphs(self.tracker.store)  # for the deps column, and loops (needs-you)
            facts.extra[search.LINK_GRAPHS] = found
            rows = search.search(self.tracker, query, known=facts, limit=limit)
            total = (search.count(self.tracker, query, known=facts)
                     if limit and len(rows) >= limit else len(rows))
            every = search.all_ids(self.tracker) if ids else None
            before = found["isbefore"]
            held = holdings.of_listed(self.tracker, rows)
            # a lease runs out with no op written, and `is:stale` (so needs-you) changes then
            lefts = [h.lease.seconds_left for h in holdings.holdings(self.tracker) if h.live]
        return Loaded(rows, marks, held, min(lefts, default=None), as_of, total, every, before)

    def all_ids(self) -> list[str]:
        return search.all_ids(self.tracker)

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
        from ..service import editwindow

        return editwindow.status(self.tracker)

    def read_marks(self):
        return readstate.read_marks(self.tracker)

    # -- actions ------------------------------------------------------------------------------

    def discuss(self, item_id: str, message: str):
        from ..service import discussion

        return discussion.post(self.tracker, item_id, message, ack_thread=True)

    def clear_discussion(self, item_id: str, seen: list[str]):
        return self._governing(lambda tracker, ref, seen: tracker.clear_discussion(
            ref, seen=seen), item_id, seen)

    def move(self, item_id: str, op_type: str):
        from ..service import moves

        return moves.move(self.tracker, item_id, op_type)

    def add(self, **data):
        from ..service import itemops

        return itemops.add_item(self.tracker, **data)

    def update(self, item_id: str, request: UpdateRequest, version: str | None = None):
        """`request`, refused (StaleVersionError, nothing written) if the item is no longer at
        `version`, the one the form showed."""
        from ..service import itemops

        request.expected_version = version or None
        return itemops.update_item(self.tracker, item_id, request)

    def set_parent(self, item_id: str, parent: str | None):
        return self.tracker.update(item_id, set_={"parent": parent})

    def lock(self, item_id: str, names: list[str], unlock: bool, seen: list[str]):
        from ..service import humanops

        return self._governing(humanops.lock_fields, item_id, seen, names, unlock=unlock)

    def freeze(self, item_id: str, frozen: bool, seen: list[str]):
        from ..service import humanops

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

    def release_claim(self, item_id: str):
        """Free the item from its claim, whoever holds it (a human may: `claims.release`)."""
        from ..service import claims
        from ..service.sessions import current

        return claims.release(self.tracker, item_id, session=current().name,
                              reason="released from the TUI")

    def repair(self, item_id: str):
        from ..service import humanops

        return humanops.repair_drift(self.tracker, item_id)

    def switch_edit_mode(self, on: bool):
        from ..service import editwindow

        editwindow.switch(self.tracker, on)
        return editwindow.status(self.tracker)

    def mark_read(self, item_id: str, read: bool):
        return readstate.mark_ref(self.tracker, item_id, read=read)


def opening(tracker_root: Path | None = None, start: Path | None = None, *,
            live: bool = True, limit: int | None = None) -> Backend:
    """The backend, already reading what the TUI opens on (needs-you, with the human's
    hidden statuses and tags, and the last filter) while the caller imports Textual — from
    the index as it stands when `live` (the change feed then shows what changed since) —
    the first `limit` rows of it (a screenful by default: the rest once they are drawn)."""
    from .prefs import Preferences
    from .viewquery import view_query

    backend = Backend.open(tracker_root, start)
    backend.count_items(look=not live)
    prefs = Preferences.load(backend.tracker.layout.root)
    # a screenful for the first frame — unless the human's own order may bring a later row up
    limit = None if prefs.display_order else (limit or first_rows())
    backend.prefetch(view_query("needs", prefs, backend.tracker.config.statuses,
                                prefs.last_query), look=not live, limit=limit)
    return backend


def _readable_as_found(index):
    """The change-log position of the index as it stands, or None when it can't be read
    without a look at the files (none built yet, folded under other rules)."""
    from ..store.index_changes import as_found

    try:
        return as_found(index)
    except Exception:
        return None


def first_rows() -> int:
    """Rows enough to fill the terminal the TUI is about to draw in."""
    import shutil

    return max(shutil.get_terminal_size((80, 100)).lines, 24) + 20


def message_of(error: BaseException) -> str:
    if isinstance(error, HtracError):
        return str(error)
    return f"{type(error).__name__}: {error}"
