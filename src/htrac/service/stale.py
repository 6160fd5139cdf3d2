"""Stale claims: leases that expired (a crashed agent, a forgotten session) or that carry a
renewal dated in this reader's future, and releasing them with the reason left in the log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.errors import AuthorityError
from .claims import Released, release
from .holdings import Holding, holdings

if TYPE_CHECKING:
    from .tracker import Tracker


@dataclass(frozen=True, slots=True)
class Stale:
    holding: Holding
    why: str


def stale(tracker: Tracker) -> list[Stale]:
    """Expired claims, and claims with a renewal from the future (flagged: not trusted)."""
    found = []
    for h in holdings(tracker):
        expires = h.lease.as_dict()["expires_at"]
        if not h.live:
            why = f"lease expired at {expires}" if expires else "no trustworthy renewal"
        elif h.lease.suspect:
            why = "a renewal is dated in the future (not trusted to extend the lease)"
        else:
            continue
        if h.lease.suspect and not h.live:
            why += "; a renewal is dated in the future"
        found.append(Stale(h, why))
    return found


def may_reclaim(tracker: Tracker) -> bool:
    return tracker.actor.is_human or tracker.config.claims.reclaim == "anyone"


def reclaim(tracker: Tracker, *, session: str) -> list[Released]:
    """Release every expired claim, saying why in each op's reason."""
    if not may_reclaim(tracker):
        raise AuthorityError("stale --reclaim requires a human (claims.reclaim: human in "
                             "the config lets only humans release others' expired claims)")
    done = []
    for entry in stale(tracker):
        if entry.holding.live:
            continue  # only flagged: its trusted renewals still hold it
        reason = f"stale --reclaim: {entry.why}"[:100]
        done.append(release(tracker, entry.holding.item.id, session=session, reason=reason))
    return done
