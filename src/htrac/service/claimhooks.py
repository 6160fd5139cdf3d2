"""What the agent runtime's hooks do about claims (docs/guide/agents.md).

- session start: remember the runtime's session (service.sessions), renew that session's due
  claims (a resumed session keeps its work), and tell it what it lost while away;
- stop: renew the session's due claims, and tell it — once, by blocking the stop — about claims
  it lost to another session after a merge, so it stops working on them.

Renewal is throttled (a third of the TTL), so hooks that fire often write little.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.errors import HtracError
from . import claimnotices, sessions
from .claims import heartbeat

if TYPE_CHECKING:
    from .tracker import Tracker


@dataclass
class HookClaims:
    session: str
    renewed: list[str] = field(default_factory=list)  # item IDs whose lease was renewed
    lost: list[str] = field(default_factory=list)  # what to tell the session, once
    errors: list[str] = field(default_factory=list)  # a renewal that failed (frozen item…)

    @property
    def reason(self) -> str:
        return "\n".join(self.lost)


def session_for_hook(event_session: str | None) -> str:
    """The runtime's session id when its hook input names a valid one, else the usual order."""
    if event_session and sessions.SESSION.fullmatch(event_session):
        return event_session
    return sessions.current().name


def on_session_start(tracker: Tracker, event_session: str | None) -> HookClaims:
    session = session_for_hook(event_session)
    if event_session and session == event_session:
        sessions.record(session)
    return _renew_and_tell(tracker, session)


def on_stop(tracker: Tracker, event_session: str | None) -> HookClaims:
    return _renew_and_tell(tracker, session_for_hook(event_session))


def _renew_and_tell(tracker: Tracker, session: str) -> HookClaims:
    result = HookClaims(session)
    try:
        for beat in heartbeat(tracker, session=session):
            if beat.renewed:
                result.renewed.append(beat.item.id)
    except HtracError as exc:  # a hook must never fail the agent's turn over a renewal
        result.errors.append(str(exc))
    notices = claimnotices.untold(tracker, session)
    result.lost = [n.text for n in notices]
    claimnotices.mark_told(tracker, notices)
    return result
