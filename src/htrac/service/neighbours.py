"""What a detail view shows around an item, and what happened lately: answered from the index
(the same answers `listing.deps` and a look at every log give, without decoding every item)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.summary import Listing
from ..store.layout import TIERS

if TYPE_CHECKING:
    from ..core.item import Item
    from ..core.ops import Op
    from .tracker import Tracker


@dataclass
class Neighbours:
    parent: list[Listing] = field(default_factory=list)
    children: list[Listing] = field(default_factory=list)
    blocks: list[Listing] = field(default_factory=list)
    blocked_by: list[Listing] = field(default_factory=list)


def neighbours(tracker: Tracker, item: Item) -> Neighbours:
    from ..store.index_neighbours import neighbours as indexed

    found = tracker.store.indexed(lambda index: indexed(index, item.id, item.isbefore,
                                                        item.parent))
    if found is not None:
        return Neighbours(**found)
    from .listing import deps

    found = deps(tracker, item.id)
    return Neighbours([Listing.of(found.parent)] if found.parent else [],
                      [Listing.of(i) for i in sorted(found.children, key=lambda i: i.id)],
                      [Listing.of(i) for i in found.blocks],
                      [Listing.of(i) for i in sorted(found.blocked_by, key=lambda i: i.id)])


@dataclass(frozen=True)
class Activity:
    tier: str
    item_id: str
    op: Op


def recent(tracker: Tracker, limit: int = 100) -> list[Activity]:
    """The latest ops across the tracker, newest first: who did what, where."""
    from ..store.index_neighbours import recent_ops

    latest = tracker.store.indexed(lambda index: recent_ops(index, limit))
    if latest is not None:
        return [Activity(*entry) for entry in latest]
    found = []
    for tier in TIERS:
        for item_id in tracker.layout.item_ids(tier):
            found.extend(Activity(tier, item_id, op)
                         for op in tracker.store.read_log(tier, item_id).ops)
    found.sort(key=lambda a: (a.op.at if isinstance(a.op.at, str) else "",
                              a.op.clock if isinstance(a.op.clock, int) else 0), reverse=True)
    return found[:limit]


def tags(tracker: Tracker) -> list[str]:
    """Every tag some item carries."""
    from ..store.index_neighbours import all_tags

    found = tracker.store.indexed(all_tags)
    if found is not None:
        return found
    return sorted({t for item in tracker.items(TIERS) for t in item.tags})
