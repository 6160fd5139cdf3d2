"""Sessions end when idle, when old, at logout; both secrets are needed."""

from __future__ import annotations

from htrac.server.sessions import SessionStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_session_needs_the_cookie_and_the_token():
    store = SessionStore(idle=60, absolute=3600, clock=Clock())
    sid, session = store.create("human", "password")
    assert store.authenticate(sid, session.token) is session
    assert store.authenticate(sid, None) is None
    other = ("y" if session.token[0] == "x" else "x") + session.token[1:]
    assert store.authenticate(sid, other) is None
    assert store.authenticate(None, session.token) is None
    assert store.authenticate(session.token, sid) is None


def test_session_ends_when_idle_and_when_old():
    clock = Clock()
    store = SessionStore(idle=60, absolute=300, clock=clock)
    sid, session = store.create("human", "password")
    for _ in range(4):
        clock.now += 59
        assert store.authenticate(sid, session.token) is session  # use keeps it alive
    clock.now += 61
    assert store.authenticate(sid, session.token) is None  # idle
    sid, session = store.create("human", "password")
    for _ in range(5):
        clock.now += 59
        store.authenticate(sid, session.token)
    clock.now += 59
    assert store.authenticate(sid, session.token) is None  # 354 s after login
    assert len(store) == 0


def test_logout_revokes_only_that_session():
    store = SessionStore(idle=60, absolute=300, clock=Clock())
    one, first = store.create("human", "password")
    two, second = store.create("human", "webauthn")
    assert store.revoke(one)
    assert store.authenticate(one, first.token) is None
    assert store.authenticate(two, second.token) is second
    assert not store.revoke(one)

