"""The hot path: what agents and their stop hooks run all day — `count-todos`, `hash-todos`,
`ready`, `show` — answered from an index found fresh, by a tracker opened from its memo.

The ordinary way opens the tracker (configuration, trust root, actor: `Tracker.open`),
refreshes the index and asks it; each step imports the code that does it, and the imports are
most of such a command. Here the same answer comes from the same SQL (`store.index_queries`)
when two things hold: the open remembered in `openmemo` still matches every file it depends on,
and the index is already as fresh as a refresh would make it (`store.quickindex`). When either
doesn't — or the answer needs something only the ordinary way computes (a damaged item's
problems, a claim whose lease ran out, a claim lost to another session) — `open_hot` or the
question returns a `Miss` or None *before anything was written or printed*, and the caller
takes the ordinary way, which also records a new memo. So both ways print the same bytes
(`tests/cli/test_quick.py` runs them side by side).
"""

from __future__ import annotations

import os
import time

from ..core.errors import HtracError
from ..store import index_queries, places, quickindex
from ..store.aliases import AliasStash
from ..store.private import private_path
from . import openmemo
from .queries import todo_hash_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3

    from ..core.item import Item
    from ..core.summary import Summary

INDEX = "index.sqlite3"
LIVE_MARGIN = 1.0  # seconds a lease must be live by on both sides to be judged here
LOOP_LOOK = 5000  # items a walk for loops through a shown item looks at before leaving it
_RANKS = ", ".join(str(rank) for rank in range(len(places.TIERS)))


class Miss:
    """Why the hot path can't answer, and what the ordinary way should remember."""

    __slots__ = ("root", "cache", "inputs", "memo", "index")

    def __init__(self, root: str | None = None, cache: str = "",
                 inputs: tuple[object, ...] = (), memo: dict[str, object] | None = None,
                 index: object = None) -> None:
        self.root, self.cache, self.inputs, self.memo = root, cache, inputs, memo
        self.index = index  # `quickindex.state` before the ordinary way opens the tracker


class Hot:
    """A tracker opened from its memo, with its index fresh and a read transaction open."""

    __slots__ = ("root", "cache", "config", "db")

    def __init__(self, root: str, cache: str, config: dict[str, object],
                 db: sqlite3.Connection) -> None:
        self.root, self.cache, self.config, self.db = root, cache, config, db

    def close(self) -> None:
        self.db.execute("ROLLBACK")  # it only read
        self.db.close()

    def tuple_of(self, key: str) -> tuple[str, ...]:
        value = self.config[key]
        assert isinstance(value, tuple)
        return value


def open_hot(start: str | None = None) -> Hot | Miss:
    """The tracker the working directory belongs to, if the hot path can answer for it."""
    try:
        root = places.find_root(start or os.getcwd())
    except OSError:
        return Miss()
    if root is None:
        return Miss()
    try:  # what another user could write is not trusted: its index, its memo
        cache = private_path(places.cache_dir(root), what="htrac's cache directory")
    except (OSError, HtracError):
        return Miss()  # the ordinary way says what is wrong, and records nothing there
    now = openmemo.inputs(root)
    memo = openmemo.load(cache)
    try:
        db = quickindex.connect(f"{cache}/{INDEX}")
    except Exception:  # a locked, damaged or foreign database: the ordinary way copes
        return Miss(root, cache, now, memo)
    if db is None:
        return Miss(root, cache, now, memo)
    try:
        hot = _open_from_memo(db, root, cache, now, memo)
    except Exception:
        hot = Miss(root, cache, now, memo)
    if isinstance(hot, Miss):
        db.close()
    return hot


def _open_from_memo(db: sqlite3.Connection, root: str, cache: str, now: tuple[object, ...],
                    memo: dict[str, object] | None) -> Hot | Miss:
    """The memo's open with the index `db`, if the memo holds for both; else the Miss, which
    carries the index's state from before the ordinary way opens the tracker (`remember`)."""
    miss = Miss(root, cache, now, memo, quickindex.state(db))
    if memo is None or memo.get("inputs") != now:
        return miss
    config = memo["outputs"]
    if not isinstance(config, dict):
        return miss
    if not quickindex.fresh(db, root, cache, config["fingerprint"], config["watch"]):
        return miss
    if config.get("keyed") and memo.get("index") != quickindex.state(db, begun=True):
        db.execute("ROLLBACK")  # the open may have missed ops the index holds (`openmemo`)
        return miss
    return Hot(root, cache, config, db)


# -- the questions ------------------------------------------------------------------------------

def todo_rows(hot: Hot) -> list[tuple[str, str, str]]:
    """`queries.todo_rows` for the stop hook's scope."""
    return index_queries._blocking_rows(hot.db, hot.tuple_of("scope"),
                                        sorted(frozenset(hot.tuple_of("blocking"))))


def count_todos(hot: Hot) -> int:
    return index_queries._blocking_count(hot.db, hot.tuple_of("scope"),
                                         sorted(frozenset(hot.tuple_of("blocking"))))


def hash_todos(hot: Hot) -> str:
    return todo_hash_of(todo_rows(hot))


def listed(hot: Hot, statuses: tuple[str, ...]) -> list[Summary] | None:
    """`listing.list_items(ListFilter(statuses), summary=True)` — numbered for `:N` — or None
    when the ordinary way must answer: a status the configuration doesn't have (its error), or
    a listed item with a claim (the claim is described beside it)."""
    known = hot.tuple_of("statuses")
    if any(status not in known for status in statuses):
        return None
    rows = index_queries._matching(hot.db, places.TIERS,
                                   sorted(set(statuses)) if statuses else None, None, True)
    if any(row.claimed for row in rows):  # type: ignore[union-attr]
        return None
    AliasStash(hot.root).save([i.id for i in rows])
    return rows  # type: ignore[return-value]


class View:
    """`listing.ReadyView` as the hot path has it: nothing damaged, no lease to offer again."""

    __slots__ = ("ready", "unread", "damaged", "notes", "broken")

    def __init__(self, ready: list[Summary], unread: list[Summary]) -> None:
        self.ready, self.unread = ready, unread
        self.damaged: list[object] = []
        self.broken: list[tuple[str, str]] = []  # `quickindex` found every tier sound
        self.notes: dict[str, str] = {}


def ready_view(hot: Hot) -> View | None:
    """`listing.ready_view(summary=True)` — numbered for `:N` — or None when the ordinary way
    must answer: a damaged item (its problems are shown), or a claim the ordinary way would
    report on (a lease that ran out in a working status, a lost claim)."""
    db = hot.db
    tiers = places.TIERS
    if db.execute(f"SELECT 1 FROM items WHERE {index_queries._in_tiers(tiers)} "
                  "AND damaged = 1 LIMIT 1").fetchone():
        return None
    if not _claims_quiet(hot):
        return None
    ready = index_queries._ready(db, tiers, hot.tuple_of("blocking"), hot.tuple_of("resolved"),
                                 True)
    unread = index_queries._with_unread(db, hot.tuple_of("scope"), True)
    AliasStash(hot.root).save([i.id for i in ready])
    return View(ready, unread)  # type: ignore[arg-type]


def _claims_quiet(hot: Hot) -> bool:
    """Is there nothing about claims `ready` would say: no claim lost to another session
    (`claimnotices.untold`), and no lease ended on an item in a working status
    (`holdings.expired_offers`) — leases judged with a margin, the rest left to the ordinary
    way?"""
    from ..store.index_peek import lost_claims_of

    working = hot.tuple_of("working")
    now = time.time()
    skew = float(hot.config["skew"])  # type: ignore[arg-type]
    rows = hot.db.execute(
        "SELECT items.status, items.renewals, blobs.item FROM items JOIN blobs USING (rank, id) "
        f"WHERE {index_queries._in_tiers(places.TIERS)} AND claimed = 1").fetchall()
    for status, renewals, blob in rows:
        if lost_claims_of(blob):
            return False
        if renewals and status in working and not _surely_live(hot.db, renewals, now, skew):
            return False
    return True


def _surely_live(db: sqlite3.Connection, renewals: str, now: float, skew: float) -> bool:
    """Is a claim with these renewal spans (the index's JSON, `core.claims.spans`) live now by
    `LIVE_MARGIN` either way (`core.claims.live_at`)?"""
    row = db.execute("SELECT EXISTS (SELECT 1 FROM json_each(?) AS r "
                     "WHERE json_extract(r.value, '$[0]') <= ? "
                     "AND ? < json_extract(r.value, '$[1]'))",
                     (renewals, now + skew - LIVE_MARGIN, now + LIVE_MARGIN)).fetchone()
    return bool(row[0])


# -- show ---------------------------------------------------------------------------------------

def shown(hot: Hot, ref: str) -> Item | None:
    """`Tracker.show(ref)`, or None when the ordinary way must answer: a reference that names
    no item or several (its error), an item with a claim or a lost claim (described beside
    it, with notices), or one on a loop of links (the loop is among its problems)."""
    found = _resolve(hot, ref)
    if found is None:
        return None
    row = hot.db.execute("SELECT item FROM blobs WHERE rank = ? AND id = ?", found).fetchone()
    if row is None:
        return None
    from ..store.index_codec import decode_item

    item = decode_item(row[0])
    if item.claim is not None or item.lost_claims:
        return None
    if (item.isbefore or item.parent) and not _off_loops(hot.db, item):
        return None
    return item


def _resolve(hot: Hot, ref: str) -> tuple[int, str] | None:
    """(rank, ID) of the one item `ref` names, as `Store.resolve` finds it — from the rows of
    an index found fresh, which are the tier directories' item files — or None."""
    if ref.startswith(":"):
        try:
            ref = AliasStash(hot.root).lookup(ref)
        except HtracError:
            return None
    from ..core.ids import REFERENCE, matches

    if not REFERENCE.fullmatch(ref):
        return None
    found: dict[str, list[int]] = {}
    for rank in range(len(places.TIERS)):
        candidates = [i for i in _maybe(hot.db, rank, ref) if matches(i, ref)]
        if ref in candidates:
            found.setdefault(ref, []).append(rank)
            continue
        if len(candidates) > 1:
            return None
        for candidate in candidates:
            found.setdefault(candidate, []).append(rank)
    if len(found) != 1:
        return None
    (item_id, ranks), = found.items()
    return ranks[0], item_id


def _maybe(db: sqlite3.Connection, rank: int, ref: str) -> list[str]:
    """The IDs of tier `rank` that could match `ref` (`Layout.item_ids_matching`'s sieve)."""
    if "-" in ref:  # a prefix of the ID: a range of the primary key (IDs are ASCII)
        rows = db.execute("SELECT id FROM items WHERE rank = ? AND id >= ? AND id < ?",
                          (rank, ref, ref + "\x7f")).fetchall()
    else:  # or a prefix of the words after the kind's
        rows = db.execute("SELECT id FROM items WHERE rank = ? AND instr(id, ?) > 0",
                          (rank, ref)).fetchall()
    return [row[0] for row in rows]


def _off_loops(db: sqlite3.Connection, item: Item) -> bool:
    """Does no loop of links pass through `item` (`cycles.loops_through` finds none)? Each
    item reached is the one of the first tier holding its ID, as there; a walk longer than
    `LOOP_LOOK` items is left to the ordinary way."""
    for link, targets in (("isbefore", list(item.isbefore)),
                          ("parent", [item.parent] if item.parent else [])):
        seen: set[str] = set()
        todo = targets
        while todo:
            node = todo.pop()
            if node == item.id:
                return False
            if node in seen:
                continue
            seen.add(node)
            if len(seen) > LOOP_LOOK:
                return False
            todo.extend(_links_of(db, link, node))
    return True


def _links_of(db: sqlite3.Connection, link: str, item_id: str) -> list[str]:
    first = db.execute(f"SELECT rank FROM items WHERE rank IN ({_RANKS}) AND id = ? "
                       "ORDER BY rank LIMIT 1", (item_id,)).fetchone()
    if first is None:
        return []
    query = ("SELECT target FROM links WHERE rank = ? AND id = ?" if link == "isbefore"
             else "SELECT parent FROM parents WHERE rank = ? AND id = ?")
    return [row[0] for row in db.execute(query, (first[0], item_id)).fetchall()]
