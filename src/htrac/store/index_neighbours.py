"""An item's neighbours and the tracker's latest ops, from the index: what a detail view and an
activity pane ask every time the cursor moves, answered without decoding every item."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.summary import LISTING, Listing
from . import index_arrivals
from .index import RANK, Index

if TYPE_CHECKING:
    from ..core.ops import Op

COLUMNS = ", ".join(f"i.{c}" for c in LISTING.split(", "))


def neighbours(index: Index, item_id: str, isbefore: list[str],
               parent: str | None) -> dict[str, list[Listing]]:
    """Rows of the parent, children, the items this one must finish before (`blocks`) and the
    ones that must finish before it (`blocked_by`). One ID in several tiers counts once
    (canonical first, as resolution does)."""
    db = index.refresh()

    def rows(where: str, args: Sequence[object]) -> list[Listing]:
        found = db.execute(f"SELECT {COLUMNS} FROM items AS i WHERE {where} "
                           "ORDER BY i.id, i.rank", args)
        seen, out = set(), []
        for row in map(Listing._make, found):
            if row.id not in seen:
                seen.add(row.id)
                out.append(row)
        return out

    wanted = list(dict.fromkeys(isbefore))
    blocks = {r.id: r for r in rows(f"i.id IN ({','.join('?' * len(wanted)) or 'NULL'})",
                                    wanted)}
    return {
        "parent": rows("i.id = ?", (parent,)) if parent else [],
        "children": rows("i.parent = ?", (item_id,)),
        "blocks": [blocks[i] for i in wanted if i in blocks],
        "blocked_by": rows("(i.rank, i.id) IN (SELECT rank, id FROM links WHERE target = ?)",
                           (item_id,)),
    }


def recent_ops(index: Index, limit: int) -> list[tuple[str, str, Op]]:
    """The latest `limit` ops as (tier, item ID, op): first those this index saw arrive, the
    newest arrival first (`index_arrivals`: not the `at` their writer chose); then, if that is
    fewer than `limit`, the ops that were there when the index was built, by their `at`, from
    the most recently updated items."""
    from .index_codec import decode_log

    db = index.refresh()
    tiers = {rank: tier for tier, rank in RANK.items()}
    logs: dict[tuple[int, str], dict[str, Op]] = {}

    def ops_of(rank: int, item_id: str) -> dict[str, Op]:
        if (rank, item_id) not in logs:
            row = db.execute("SELECT log FROM blobs WHERE rank = ? AND id = ?",
                             (rank, item_id)).fetchone()
            logs[rank, item_id] = ({index_arrivals.key(op): op for op in decode_log(row[0]).ops}
                                   if row else {})
        return logs[rank, item_id]

    found: list[tuple[str, str, Op]] = []
    listed: set[tuple[int, str, str]] = set()
    for rank, item_id, key in index_arrivals.latest(db, limit):
        op = ops_of(rank, item_id).get(key)
        if op is not None and (rank, item_id, key) not in listed:
            listed.add((rank, item_id, key))
            found.append((tiers[rank], item_id, op))
    if len(found) >= limit:
        return found
    before: list[tuple[str, str, Op]] = []
    for rank, item_id, blob in db.execute(
            "SELECT i.rank, i.id, b.log FROM items AS i JOIN blobs AS b "
            "ON b.rank = i.rank AND b.id = i.id ORDER BY i.updated_at DESC LIMIT ?", (limit,)):
        before.extend((tiers[rank], item_id, op) for op in decode_log(blob).ops
                      if (rank, item_id, index_arrivals.key(op)) not in listed)
    before.sort(key=lambda entry: (entry[2].at if isinstance(entry[2].at, str) else "",
                                   entry[2].clock if isinstance(entry[2].clock, int) else 0),
                reverse=True)
    return found + before[:limit - len(found)]


def all_tags(index: Index) -> list[str]:
    db = index.refresh()
    return [tag for tag, in db.execute("SELECT DISTINCT tag FROM tags ORDER BY tag")]
