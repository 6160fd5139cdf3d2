"""Claims as one reader sees them now: who holds what, with how much lease left.

The fold records claims (core.claims); whether a lease is still live is decided here with this
reader's clock (`tracker.clock`, injectable), never stored. Every surface shows holders through
`holding` and `describe`, so the CLI, the TUI, the web and MCP say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.lease import Lease, describe_left, lease
from ..store.layout import TIERS

if TYPE_CHECKING:
    from ..core.claims import Claim
    from ..core.item import Item
    from .tracker import Tracker


@dataclass(frozen=True, slots=True)
class Holding:
    item: Item
    claim: Claim
    lease: Lease

    @property
    def holder(self) -> str:
        return self.claim.holder

    @property
    def live(self) -> bool:
        return self.lease.live

    def held_by(self, actor: str, session: str) -> bool:
        return self.claim.held_by(actor, session)

    def as_dict(self) -> dict[str, object]:
        return {**self.claim.as_dict(), "lease": self.lease.as_dict()}


def holding(tracker: Tracker, item: Item) -> Holding | None:
    """The item's claim with its lease as of now, or None."""
    if item.claim is None:
        return None
    skew = tracker.config.claims.clock_skew_seconds
    return Holding(item, item.claim, lease(item.claim, tracker.clock(), skew))


def claimed_items(tracker: Tracker, tiers: tuple[str, ...] = TIERS) -> list[Item]:
    """Items with a claim or a lost claim (few: the index keeps them apart), by tier then ID."""
    found = tracker.store.query("claimed", tiers)
    if found is not None:
        return found
    return [i for i in tracker.items(tiers) if i.claim is not None or i.lost_claims]


def holdings(tracker: Tracker, tiers: tuple[str, ...] = TIERS,
             items: list[Item] | None = None) -> list[Holding]:
    """Every claim in `tiers` (or among `items`, the claimed items a caller already read),
    live or not."""
    found = items if items is not None else claimed_items(tracker, tiers)
    return [h for i in found if (h := holding(tracker, i)) is not None]


def of_listed(tracker: Tracker, listed: list) -> dict[str, Holding]:
    """The holdings of the items of a listing (`Item`s, or `Summary` rows: only the rows marked
    `claimed` are decoded, each with a one-file look), by item ID."""
    found = {}
    for row in listed:
        item = row if hasattr(row, "claim") else (
            tracker.store.load(row.tier, row.id) if getattr(row, "claimed", 0) else None)
        h = holding(tracker, item) if item is not None else None
        if h is not None:
            found[item.id] = h
    return found


def describe(h: Holding) -> str:
    """`held by bob_agent/s1 (14m left)`, `lease of bob_agent/s1 expired` …"""
    if h.lease.live:
        text = f"held by {h.holder} ({describe_left(h.lease.seconds_left)} left)"
    else:
        text = f"lease of {h.holder} expired"
        if h.lease.expires_at is not None:
            text += f" at {h.lease.as_dict()['expires_at']}"
    if h.lease.suspect:
        text += " [renewal dated in the future: not trusted]"
    return text


def expired_offers(tracker: Tracker, claimed: list[Item],
                   blocked: frozenset[str]) -> list[Holding]:
    """Of the `claimed` items (`blocked`: those an unresolved item must finish before), the
    ones whose lease expired while they are still in a working status: `ready` offers them
    again (they meet every other condition of `queries.ready`)."""
    working = set(tracker.config.claims.working_statuses)
    offers = []
    for item in claimed:
        h = holding(tracker, item)
        if (h is None or h.live or item.status not in working or item.damaged
                or item.duplicate_of or item.cross_tier_conflict or item.id in blocked):
            continue
        offers.append(h)
    return offers
