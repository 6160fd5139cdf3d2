"""Server-side login sessions: an opaque ID in an HttpOnly cookie, and a second secret — the
session token — that the page keeps in its origin's storage and sends with every request.

Cookies are not isolated by port: a server an agent runs on another localhost port receives the
human's cookies. The token is: only a page of this server's origin can read it. So a request
needs both, and neither alone is enough. Sessions end after `idle` without use, after
`absolute` whatever happens, and at logout; they live in this process only, so a restart ends
them all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

COOKIE = "htrac_session"
TOKEN_HEADER = "x-htrac-token"


def _key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class Session:
    user: str
    method: str  # password | webauthn
    token: str
    created: float
    last_seen: float
    pending: dict[str, Any] = field(default_factory=dict)  # e.g. a registration challenge


class SessionStore:
    def __init__(self, idle: float, absolute: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.idle = idle
        self.absolute = absolute
        self.clock = clock
        self._sessions: dict[str, Session] = {}

    def create(self, user: str, method: str) -> tuple[str, Session]:
        """A new session; returns (the cookie's ID, the session with its token)."""
        self._sweep()
        sid = secrets.token_urlsafe(32)
        now = self.clock()
        session = Session(user, method, secrets.token_urlsafe(32), now, now)
        self._sessions[_key(sid)] = session
        return sid, session

    def get(self, sid: str | None) -> Session | None:
        """The live session `sid` names, without touching it (the token check comes first)."""
        if not sid:
            return None
        key = _key(sid)
        session = self._sessions.get(key)
        if session is None:
            return None
        now = self.clock()
        if now - session.last_seen > self.idle or now - session.created > self.absolute:
            del self._sessions[key]
            return None
        return session

    def authenticate(self, sid: str | None, token: str | None) -> Session | None:
        """The session when both the cookie's ID and the page's token match; marks it used."""
        session = self.get(sid)
        if session is None or not token or not hmac.compare_digest(session.token.encode(),
                                                                      token.encode()):
            return None
        session.last_seen = self.clock()
        return session

    def revoke(self, sid: str | None) -> bool:
        return bool(sid) and self._sessions.pop(_key(sid), None) is not None

    def revoke_all(self) -> int:
        count = len(self._sessions)
        self._sessions.clear()
        return count

    def __len__(self) -> int:
        self._sweep()
        return len(self._sessions)

    def _sweep(self) -> None:
        now = self.clock()
        dead = [k for k, s in self._sessions.items()
                if now - s.last_seen > self.idle or now - s.created > self.absolute]
        for key in dead:
            del self._sessions[key]
