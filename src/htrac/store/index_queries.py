"""The hot questions answered in SQL, so an agent's `ready` or stop hook decodes only the items
it prints.

Each function mirrors one definition in `service.queries` exactly (the tests compare them on
generated trackers): same filter, same order — the fold order of tiers then file names breaks
every tie, as Python's stable sort does there. All run on a freshly refreshed index.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.item import Item
from .index import RANK, Index
from .index_codec import decode_item


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _ranks(tiers: Sequence[str]) -> str:
    return ",".join(str(RANK[t]) for t in tiers)


def ready(index: Index, tiers: Sequence[str], blocking: Sequence[str],
          resolved: Sequence[str]) -> list[Item]:
    """`queries.ready` over `tiers`: blocking status, no duplicate_of, no cross-tier conflict,
    not damaged, not the target of an unresolved item's isbefore; by (priority, created_at)."""
    return _ready(index.refresh(), tiers, blocking, resolved)


def ready_and_unread(index: Index, tiers: Sequence[str], blocking: Sequence[str],
                     resolved: Sequence[str],
                     scope: Sequence[str]) -> tuple[list[Item], list[Item]]:
    """`ready` and `with_unread(scope)` from one refresh (what `htrac ready` prints)."""
    db = index.refresh()
    return _ready(db, tiers, blocking, resolved), _with_unread(db, scope)


def _ready(db, tiers: Sequence[str], blocking: Sequence[str],
           resolved: Sequence[str]) -> list[Item]:
    ranks = _ranks(tiers)
    rows = db.execute(
        f"SELECT item FROM items JOIN blobs USING (rank, id) WHERE rank IN ({ranks}) AND status IN ({_marks(blocking)}) "
        "AND duplicate = 0 AND conflict = 0 AND damaged = 0 AND id NOT IN ("
        "  SELECT links.target FROM links JOIN items AS source"
        "  ON source.rank = links.rank AND source.id = links.id"
        f"  WHERE source.rank IN ({ranks}) AND source.status NOT IN ({_marks(resolved)}))"
        " ORDER BY priority, created_at, rank, id", (*blocking, *resolved))
    return [decode_item(blob) for blob, in rows]


def blocking_rows(index: Index, tiers: Sequence[str],
                  statuses: Sequence[str]) -> list[tuple[str, str, str]]:
    """(id, status, title) of the items `queries.blocking` keeps: a blocking status, or
    damaged."""
    db = index.refresh()
    return db.execute(
        f"SELECT id, status, title FROM items WHERE rank IN ({_ranks(tiers)}) "
        f"AND (damaged = 1 OR status IN ({_marks(statuses)})) ORDER BY rank, id",
        tuple(statuses)).fetchall()


def with_unread(index: Index, tiers: Sequence[str]) -> list[Item]:
    """`queries.with_unread`: items whose discussion ends in human messages, by (priority, id)."""
    return _with_unread(index.refresh(), tiers)


def _with_unread(db, tiers: Sequence[str]) -> list[Item]:
    rows = db.execute(f"SELECT item FROM items JOIN blobs USING (rank, id) WHERE rank IN ({_ranks(tiers)}) AND unread > 0 "
                      "ORDER BY priority, id, rank")
    return [decode_item(blob) for blob, in rows]


def matching(index: Index, tiers: Sequence[str], statuses: Sequence[str] | None,
             kind: str | None) -> list[Item]:
    """Items of `tiers` with one of `statuses` (or damaged; all when None) and of `kind`,
    by (priority, created_at)."""
    db = index.refresh()
    where = [f"rank IN ({_ranks(tiers)})"]
    args: list[object] = []
    if statuses is not None:
        where.append(f"(damaged = 1 OR status IN ({_marks(list(statuses))}))")
        args.extend(statuses)
    if kind is not None:
        where.append("kind = ?")
        args.append(kind)
    rows = db.execute(f"SELECT item FROM items JOIN blobs USING (rank, id) WHERE {' AND '.join(where)} "
                      "ORDER BY priority, created_at, rank, id", args)
    return [decode_item(blob) for blob, in rows]


def ready_unread_damaged(index: Index, tiers: Sequence[str], blocking: Sequence[str],
                         resolved: Sequence[str], scope: Sequence[str]
                         ) -> tuple[list[Item], list[Item], list[Item]]:
    """`ready_and_unread` plus the damaged items of `tiers` (by tier, then ID), from one refresh:
    everything `htrac ready` prints."""
    db = index.refresh()
    damaged = db.execute(f"SELECT item FROM items JOIN blobs USING (rank, id) WHERE rank IN ({_ranks(tiers)}) "
                         "AND damaged = 1 ORDER BY rank, id")
    return (_ready(db, tiers, blocking, resolved), _with_unread(db, scope),
            [decode_item(blob) for blob, in damaged])
