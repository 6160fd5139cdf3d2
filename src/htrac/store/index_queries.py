"""The hot questions answered in SQL, so an agent's `ready` or stop hook decodes only what it
must: a text listing is printed from the indexed columns alone (`summary=True` gives `Summary`
tuples), and only a `--json` answer decodes whole items.

Each function mirrors one definition in `service.queries` exactly (the tests compare them on
generated trackers): same filter, same order — the fold order of tiers then file names breaks
every tie, as Python's stable sort does there. All run on a freshly refreshed index.

The hot read path (`service.quick`) asks the same questions of a database it found fresh
itself, through the functions that take a database: so this module imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..core.summary import Summary
from .places import RANK

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3
    from typing import Any

    from ..core.item import Item
    from .index import Index

_make = tuple.__new__
SUMMARY = "id, tier, status, priority, title, damaged, unread, created_at, claimed"


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _ranks(tiers: Sequence[str]) -> str:
    return ",".join(str(RANK[t]) for t in tiers)


def _in_tiers(tiers: Sequence[str]) -> str:
    """The tier filter for queries that must not search by tier: the unary `+` keeps SQLite
    from choosing the primary key over the (partial or covering) index the query is for."""
    return f"+rank IN ({_ranks(tiers)})"


def _select(db: sqlite3.Connection, where: str, order: str, args: Sequence[object],
            summary: bool) -> list[Item] | list[Summary]:
    """The items (or their summaries) of `items` rows matching `where`, in `order`."""
    if summary:
        rows = db.execute(f"SELECT {SUMMARY} FROM items WHERE {where} ORDER BY {order}", args)
        return list(map(Summary._make, rows))
    return _whole(db, where, order, args)


def _whole(db: sqlite3.Connection, where: str, order: str,
           args: Sequence[object]) -> list[Item]:
    rows = db.execute(f"SELECT item FROM items JOIN blobs USING (rank, id) WHERE {where} "
                      f"ORDER BY {order}", args).fetchall()
    if not rows:
        return []  # and the item model need not be loaded
    from .index_codec import decode_item

    return [decode_item(blob) for blob, in rows]


def _ready(db: sqlite3.Connection, tiers: Sequence[str], blocking: Sequence[str],
           resolved: Sequence[str], summary: bool) -> list[Item] | list[Summary]:
    """`queries.ready` over `tiers`: blocking status, no duplicate_of, no cross-tier conflict,
    not damaged, not the target of an unresolved item's isbefore; by (priority, created_at).

    At 100,000 items this is 20,000 rows, so it is done the cheap way round: one search of
    the covering index per status, each already in order (SQLite would sort them all again),
    merged by one sort here (of sorted runs: a merge), and the blocked targets as a set."""
    ranks = _ranks(tiers)
    blocked = {target for target, in db.execute(
        "SELECT links.target FROM links JOIN items AS source "
        "ON source.rank = links.rank AND source.id = links.id "
        f"WHERE source.rank IN ({ranks}) AND source.status NOT IN ({_marks(resolved)})",
        tuple(resolved))}
    rows: list[tuple[Any, ...]] = []
    for status in sorted(set(blocking)):
        rows += db.execute(
            f"SELECT priority, created_at, rank, {SUMMARY} FROM items WHERE status = ? "
            f"AND damaged = 0 AND duplicate = 0 AND conflict = 0 AND rank IN ({ranks}) "
            "ORDER BY priority, created_at, rank, id", (status,))
    rows.sort()  # (priority, created_at, rank, id) is unique: the rest never decides
    if summary:  # `tuple.__new__`: `Summary._make` without its Python-level call per row
        return [_make(Summary, row[3:]) for row in rows if row[3] not in blocked]
    keys = [(row[2], row[3]) for row in rows if row[3] not in blocked]
    if not keys:
        return []  # and the item model need not be loaded
    from .index_codec import decode_item

    marks = _marks(blocking)
    blobs = {(rank, item_id): blob for rank, item_id, blob in db.execute(
        f"SELECT rank, id, item FROM items JOIN blobs USING (rank, id) WHERE status IN ({marks}) "
        f"AND damaged = 0 AND duplicate = 0 AND conflict = 0 AND rank IN ({ranks})",
        tuple(blocking))}
    return [decode_item(blobs[key]) for key in keys]


def decoded(index: Index, keys: Sequence[tuple[str, str]]) -> Iterator[Item]:
    """The compiled items of `keys` (tier, ID) as the index holds them now, decoded one at a
    time — a listing's rows, right after the listing refreshed the index (an item gone since
    is skipped)."""
    db = index._connect()  # here, not at the first item: `Store.indexed` sees its failure
    return _decoded(db, keys)


def _decoded(db: sqlite3.Connection, keys: Sequence[tuple[str, str]]) -> Iterator[Item]:
    from .index_codec import decode_item

    for tier, item_id in keys:
        row = db.execute("SELECT item FROM blobs WHERE rank = ? AND id = ?",
                         (RANK[tier], item_id)).fetchone()
        if row is not None:
            yield decode_item(row[0])


def blocking_rows(index: Index, tiers: Sequence[str],
                  statuses: Sequence[str]) -> list[tuple[str, str, str]]:
    """(id, status, title) of the items `queries.blocking` keeps: a blocking status, or
    damaged."""
    return _blocking_rows(index.refresh(), tiers, statuses)


def _blocking_rows(db: sqlite3.Connection, tiers: Sequence[str],
                   statuses: Sequence[str]) -> list[tuple[str, str, str]]:
    # Two searches of partial and covering indexes, then file order in Python: one walk of
    # every row in file order costs ten times as much.
    rows = db.execute(f"SELECT rank, id, status, title {_blocking_from(tiers, statuses)}",
                      (*statuses, *statuses)).fetchall()
    rows.sort()
    return [row[1:] for row in rows]


def blocking_count(index: Index, tiers: Sequence[str], statuses: Sequence[str]) -> int:
    """How many rows `blocking_rows` has."""
    return _blocking_count(index.refresh(), tiers, statuses)


def _blocking_count(db: sqlite3.Connection, tiers: Sequence[str],
                    statuses: Sequence[str]) -> int:
    marks = _marks(statuses)
    count: int = db.execute(
        f"SELECT (SELECT count(*) FROM items WHERE {_in_tiers(tiers)} AND status IN ({marks})) "
        f"+ (SELECT count(*) FROM items WHERE {_in_tiers(tiers)} AND damaged = 1 "
        f"AND status NOT IN ({marks}))", (*statuses, *statuses)).fetchone()[0]
    return count


def _blocking_from(tiers: Sequence[str], statuses: Sequence[str]) -> str:
    """FROM … of the rows with one of `statuses` and the damaged rows with none of them
    (a status is never NULL), as `status IN (…)` arguments twice."""
    marks = _marks(statuses)
    return (f"FROM items WHERE {_in_tiers(tiers)} AND status IN ({marks}) UNION ALL "
            f"SELECT rank, id, status, title FROM items WHERE {_in_tiers(tiers)} "
            f"AND damaged = 1 AND status NOT IN ({marks})")


def with_unread(index: Index, tiers: Sequence[str], *,
                summary: bool = False) -> list[Item] | list[Summary]:
    """`queries.with_unread`: items whose discussion ends in human messages, by (priority, id)."""
    return _with_unread(index.refresh(), tiers, summary)


def _with_unread(db: sqlite3.Connection, tiers: Sequence[str],
                 summary: bool) -> list[Item] | list[Summary]:
    return _select(db, f"{_in_tiers(tiers)} AND unread > 0", "priority, id, rank", (), summary)


def matching(index: Index, tiers: Sequence[str], statuses: Sequence[str] | None,
             kind: str | None, *, summary: bool = False) -> list[Item] | list[Summary]:
    """Items of `tiers` with one of `statuses` (or damaged; all when None) and of `kind`,
    by (priority, created_at)."""
    return _matching(index.refresh(), tiers, statuses, kind, summary)


def _matching(db: sqlite3.Connection, tiers: Sequence[str], statuses: Sequence[str] | None,
              kind: str | None, summary: bool) -> list[Item] | list[Summary]:
    where = [_in_tiers(tiers)]
    args: list[object] = []
    if statuses is not None:
        where.append(f"(damaged = 1 OR status IN ({_marks(list(statuses))}))")
        args.extend(statuses)
    if kind is not None:
        where.append("kind = ?")
        args.append(kind)
    return _select(db, " AND ".join(where), "priority, created_at, rank, id", args, summary)


def ready_unread_damaged(index: Index, tiers: Sequence[str], blocking: Sequence[str],
                         resolved: Sequence[str], scope: Sequence[str], *,
                         summary: bool = False) -> tuple[list[Item] | list[Summary],
                                                         list[Item] | list[Summary],
                                                         list[Item], list[Item],
                                                         frozenset[str]]:
    """Everything `htrac ready` prints, from one refresh: the ready items and the items of
    `scope` with unread human messages (or their summaries), the damaged items of `tiers`
    (by tier, then ID; whole: their problems are shown), the items with claims (whole: their
    leases are judged by the reader) and which of those an unresolved item blocks."""
    db = index.refresh()
    claimed_items = _claimed(db, tiers)
    return (_ready(db, tiers, blocking, resolved, summary), _with_unread(db, scope, summary),
            _whole(db, f"{_in_tiers(tiers)} AND damaged = 1", "rank, id", ()),
            claimed_items, _blocked_among(db, tiers, [i.id for i in claimed_items], resolved))


def _claimed(db: sqlite3.Connection, tiers: Sequence[str]) -> list[Item]:
    return _whole(db, f"{_in_tiers(tiers)} AND claimed = 1", "rank, id", ())


def _blocked_among(db: sqlite3.Connection, tiers: Sequence[str], ids: Sequence[str],
                   resolved: Sequence[str]) -> frozenset[str]:
    """Which of `ids` an unresolved item of `tiers` must finish before."""
    if not ids:
        return frozenset()
    rows = db.execute(
        "SELECT DISTINCT links.target FROM links JOIN items AS source "
        "ON source.rank = links.rank AND source.id = links.id "
        f"WHERE source.rank IN ({_ranks(tiers)}) AND source.status NOT IN ({_marks(resolved)}) "
        f"AND links.target IN ({_marks(ids)})", (*resolved, *ids))
    return frozenset(target for target, in rows)


def link_edges(index: Index, tiers: Sequence[str]) -> tuple[list[tuple[str, str]],
                                                           list[tuple[str, str]]]:
    """`cycles.edges`: the (item, target) pairs of the isbefore links and of the parent links
    of `tiers`' items, without decoding an item."""
    db = index.refresh()
    ranks = _ranks(tiers)
    isbefore = db.execute(f"SELECT id, target FROM links WHERE rank IN ({ranks})").fetchall()
    parents = db.execute(f"SELECT id, parent FROM parents WHERE rank IN ({ranks})").fetchall()
    return isbefore, parents


def claimed(index: Index, tiers: Sequence[str]) -> list[Item]:
    """Items of `tiers` with a claim or a lost claim (core.claims), by tier then ID: the few
    items whose lease a reader must judge with its own clock."""
    return _claimed(index.refresh(), tiers)


def blockers(index: Index, item_id: str, resolved: Sequence[str]) -> list[tuple[str, str]]:
    """(id, status) of the unresolved items that must finish before `item_id` (its isbefore
    sources), by tier then ID."""
    db = index.refresh()
    return db.execute(
        "SELECT items.id, items.status FROM links JOIN items USING (rank, id) "
        f"WHERE links.target = ? AND items.status NOT IN ({_marks(resolved)}) "
        "ORDER BY items.rank, items.id", (item_id, *resolved)).fetchall()


def digests(index: Index, tiers: Sequence[str]) -> dict[str, str]:
    """`tier/ID` → a digest of the item's file, for every item of `tiers`: what the session
    brief's cursor compares to say what changed."""
    db = index.refresh()
    rows = db.execute(f"SELECT tier, id, digest FROM items WHERE {_in_tiers(tiers)}")
    return {f"{tier}/{item_id}": (digest.hex()[:16] if digest else "")
            for tier, item_id, digest in rows}
