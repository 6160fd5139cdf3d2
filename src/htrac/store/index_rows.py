"""What the index keeps of one compiled item: the `items` columns the queries filter, sort and
print, the rows of the tables derived from it (links, parents, tags, actors) and its
full-text document — computed without the database, so the build's workers call it too."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import index_fts

if TYPE_CHECKING:
    from ..core.item import Item
    from ..core.oplog import OpLog

# The columns of `items` computed from the compiled item, in `derived`'s order.
COLUMNS = ("status", "priority", "created_at", "title", "kind", "damaged", "duplicate",
           "conflict", "unread", "updated_at", "parent", "rejected", "frozen", "locked", "dlen",
           "dlast_human", "claimed", "renewals")
# Tables of rows derived from one item, replaced with it.
DERIVED = ("links", "parents", "tags", "actors")


def _renewals(item: Item) -> str:
    """The claim's renewal spans as JSON (`core.claims.spans`), '' without a claim: what the
    `is:claimed` and `is:stale` predicates read (core.claimterms)."""
    if item.claim is None:
        return ""
    import json

    from ..core.claims import spans

    return json.dumps(spans(item.claim))


def derived(item: Item, log: OpLog) -> tuple[Any, ...]:
    """(compiled item blob, `COLUMNS` values, isbefore links, parent (none or one), tags,
    actors, full-text document)."""
    from ..core.problems import REJECTED
    from ..core.summary import sortable_priority
    from .index_codec import encode_item

    last = item.discussion[-1].by if item.discussion else ""
    columns = (item.status, sortable_priority(item.priority), item.created_at, item.title,
               item.kind, int(item.damaged), int(bool(item.duplicate_of)),
               int(item.cross_tier_conflict), len(item.unread_human()), item.updated_at,
               item.parent, sum(p.kind == REJECTED for p in item.problems), int(item.frozen),
               len(item.locked_fields), len(item.discussion), int(last == "human"),
               int(item.claim is not None or bool(item.lost_claims)), _renewals(item))
    actors = sorted({op.actor for op in log.ops if isinstance(op.actor, str) and op.actor})
    parent = (item.parent,) if item.parent else ()
    return (encode_item(item), columns, tuple(item.isbefore), parent, tuple(item.tags),
            tuple(actors), index_fts.document(item))
