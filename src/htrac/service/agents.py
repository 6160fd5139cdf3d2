"""`htrac agents`: who holds what, derived from the ops (no registry of its own).

One row per (actor, session) that holds or held a claim: its live claims with the lease left,
its expired ones, and its last heartbeat — the latest renewal of any of its claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from .holdings import Holding, holdings

if TYPE_CHECKING:
    from .tracker import Tracker


@dataclass
class Agent:
    actor: str
    session: str
    by: str
    live: list[Holding] = field(default_factory=list)
    expired: list[Holding] = field(default_factory=list)
    last_heartbeat: datetime | None = None

    @property
    def holder(self) -> str:
        return f"{self.actor}/{self.session}"

    def as_dict(self) -> dict[str, object]:
        return {"actor": self.actor, "session": self.session, "by": self.by,
                "last_heartbeat": (self.last_heartbeat.strftime("%Y-%m-%dT%H:%M:%SZ")
                                   if self.last_heartbeat else None),
                "live": [{"id": h.item.id, "title": h.item.title,
                          "seconds_left": h.lease.seconds_left, "paths": list(h.claim.paths)}
                         for h in self.live],
                "expired": [{"id": h.item.id, "title": h.item.title} for h in self.expired]}


def agents(tracker: Tracker) -> list[Agent]:
    """Every holder, the most recently heard-from first."""
    found: dict[tuple[str, str], Agent] = {}
    for h in holdings(tracker):
        key = (h.claim.actor, h.claim.session)
        agent = found.setdefault(key, Agent(h.claim.actor, h.claim.session, h.claim.by))
        (agent.live if h.live else agent.expired).append(h)
        beat = h.lease.last_renewed
        if beat is not None and (agent.last_heartbeat is None or beat > agent.last_heartbeat):
            agent.last_heartbeat = beat
    return sorted(found.values(), key=lambda a: (a.last_heartbeat is None,
                                                 -(a.last_heartbeat.timestamp()
                                                   if a.last_heartbeat else 0), a.holder))
