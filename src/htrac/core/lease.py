"""A claim's lease as one reader sees it, with its own clock.

The fold records a claim's renewals and TTL but never "now": the ops' `at`s are written by
whoever wrote them. A reader compares them with its own clock. A renewal from the reader's
future (more than the allowed skew) is flagged and not trusted to extend the lease — an agent
can't hold an item forever by writing a far-future `at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .claims import Claim, live_until, parse_at

LIVE = "live"
EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Lease:
    state: str  # LIVE or EXPIRED
    expires_at: datetime | None  # end of the latest trusted renewal; None: no trusted renewal
    seconds_left: int  # 0 when expired
    last_renewed: datetime | None  # latest trusted renewal
    suspect: bool  # some renewal is from the reader's future: flagged, not trusted

    @property
    def live(self) -> bool:
        return self.state == LIVE

    def as_dict(self) -> dict[str, object]:
        return {"state": self.state, "seconds_left": self.seconds_left,
                "expires_at": _text(self.expires_at), "last_renewed": _text(self.last_renewed),
                "suspect": self.suspect}


def lease(claim: Claim, now: datetime, skew_seconds: int) -> Lease:
    horizon = now + timedelta(seconds=skew_seconds)
    moments = [parse_at(at) for at in claim.renewals]
    trusted = [m for m in moments if m <= horizon]
    suspect = len(trusted) < len(moments)
    if not trusted:
        return Lease(EXPIRED, None, 0, None, suspect)
    end = max(trusted) + timedelta(seconds=claim.ttl_seconds)
    until = live_until(claim, now, skew_seconds)
    if until is None:
        return Lease(EXPIRED, end, 0, max(trusted), suspect)
    left = int((until - now).total_seconds())
    return Lease(LIVE, until, max(left, 1), max(trusted), suspect)


def due_for_renewal(claim: Claim, now: datetime, skew_seconds: int) -> bool:
    """Has a third of the TTL passed since the last trusted renewal? (Heartbeats and hooks
    renew only then, so they don't flood the op-log.)"""
    state = lease(claim, now, skew_seconds)
    if state.last_renewed is None:
        return True
    return now - state.last_renewed >= timedelta(seconds=claim.ttl_seconds / 3)


def describe_left(seconds: int) -> str:
    """`15m`, `2h05m`, `40s` (minutes rounded up: a lease just taken shows its full TTL)."""
    if seconds >= 3600:
        minutes = (seconds + 59) // 60
        return f"{minutes // 60}h{minutes % 60:02d}m"
    if seconds >= 60:
        return f"{(seconds + 59) // 60}m"
    return f"{seconds}s"


def _text(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None
