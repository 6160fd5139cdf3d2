"""An item's neighbours and the tracker's latest ops, from the index: what a detail view and an
activity pane ask every time the cursor moves, answered without decoding every item."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.summary import LISTING, Listing
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
    """The latest `limit` ops (by their `at`) of the most recently updated items, as
    (tier, item ID, op)."""
    from .index_codec import decode_log

    db = index.refresh()
    found: list[tuple[str, str, Op]] = []
    tiers = {rank: tier for tier, rank in RANK.items()}
    for rank, item_id, blob in db.execute(
            "SELECT i.rank, i.id, b.log FROM items AS i JOIN blobs AS b "
            "ON b.rank = i.rank AND b.id = i.id ORDER BY i.updated_at DESC LIMIT ?", (limit,)):
        found.extend((tiers[rank], item_id, op) for op in decode_log(blob).ops)
    found.sort(key=lambda entry: (entry[2].at if isinstance(entry[2].at, str) else "",
                                  entry[2].clock if isinstance(entry[2].clock, int) else 0),
               reverse=True)
    return found[:limit]


def all_tags(index: Index) -> list[str]:
    db = index.refresh()
    return [tag for tag, in db.execute("SELECT DISTINCT tag FROM tags ORDER BY tag")]
