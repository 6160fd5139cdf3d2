"""An item's one-line summary: what `ready`, `list` and the unread notice print of it.

The index keeps these values as columns, so a listing of thousands of items is printed from
them without decoding a single compiled item; `Summary.of` derives the same tuple from an `Item`
when the index can't be used, so both ways print the same lines.

Both tuples are made with `collections.namedtuple`: `typing` costs a hot command 4 ms to
import, and these are on its path. The type checker reads the `NamedTuple` spelling below,
which `tests/core/test_summary.py` keeps equal to the fields made at run time.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    from .item import Item

    class _Summary(NamedTuple):
        id: str
        tier: str
        status: str
        priority: int
        title: str
        damaged: int  # 1 if the item's state is uncertain (see `Item.damaged`)
        unread: int  # trailing human messages no agent has answered
        created_at: str = ""  # with priority, what ready and list sort by
        claimed: int = 0  # 1 if it has a claim or a lost claim (core.claims): decode to say more

    class _Listing(NamedTuple):
        id: str
        tier: str
        status: str
        priority: int
        title: str
        kind: str
        damaged: int
        unread: int  # trailing human messages no agent has answered
        created_at: str
        updated_at: str
        parent: str | None
        frozen: int
        conflict: int
        locked: int  # number of locked names
        rejected: int  # ops refused by the schema or the policy
        dlen: int  # discussion entries
        dlast_human: int  # 1 if the last entry is a human's
        claimed: int = 0  # 1 if it has a claim or a lost claim (core.claims)
else:
    _Summary = namedtuple("Summary", "id tier status priority title damaged unread created_at "
                          "claimed", defaults=("", 0))
    _Listing = namedtuple("Listing", "id tier status priority title kind damaged unread "
                          "created_at updated_at parent frozen conflict locked rejected dlen "
                          "dlast_human claimed", defaults=(0,))


class Summary(_Summary):
    __slots__ = ()

    @classmethod
    def of(cls, item: Item) -> Summary:
        return cls(item.id, item.tier, item.status, sortable_priority(item.priority),
                   item.title, int(item.damaged), len(item.unread_human()), item.created_at,
                   int(item.claim is not None or bool(item.lost_claims)))


def sortable_priority(priority: object) -> int:
    """The priority the index sorts and prints by (a damaged item's may be missing)."""
    return priority if type(priority) is int else 0


class Listing(_Listing):
    """An item as a surface's list, tree or board shows it — read from the index's columns, so
    a list of 100,000 items is drawn without decoding one (`Listing.of` for a folded item)."""

    __slots__ = ()

    @classmethod
    def of(cls, item: Item) -> Listing:
        from .problems import REJECTED

        last = item.discussion[-1].by if item.discussion else ""
        return cls(item.id, item.tier, item.status, sortable_priority(item.priority),
                   item.title, item.kind, int(item.damaged), len(item.unread_human()),
                   item.created_at, item.updated_at, item.parent, int(item.frozen),
                   int(item.cross_tier_conflict), len(item.locked_fields),
                   sum(p.kind == REJECTED for p in item.problems), len(item.discussion),
                   int(last == "human"), int(item.claim is not None or bool(item.lost_claims)))


LISTING = ", ".join(Listing._fields)
