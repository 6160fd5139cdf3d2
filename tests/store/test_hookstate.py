from __future__ import annotations

import os
import time

from htrac.store.hookstate import STALE_AFTER, BreakerState


def test_breaker_state_round_trips_per_session(tmp_path):
    a, b = BreakerState(tmp_path, "session-a"), BreakerState(tmp_path, "session-b")
    assert a.load() == ("", 0)
    a.save("k1", 2)
    assert a.load() == ("k1", 2) and b.load() == ("", 0)
    a.clear()
    assert a.load() == ("", 0)


def test_breaker_state_ignores_garbage(tmp_path):
    state = BreakerState(tmp_path, "s")
    state.save("k", 1)
    for garbage in ("{not json", "[]", '{"key": 1, "count": 2}', '{"key": "k", "count": -1}'):
        state.path.write_text(garbage)
        assert state.load() == ("", 0)


def test_breaker_state_forgets_stale_sessions(tmp_path):
    old, new = BreakerState(tmp_path, "old"), BreakerState(tmp_path, "new")
    old.save("k", 1)
    past = time.time() - STALE_AFTER - 60
    os.utime(old.path, (past, past))
    new.save("k", 1)
    assert not old.path.exists() and new.path.exists()


def test_breaker_state_file_names_never_carry_the_session_text(tmp_path):
    state = BreakerState(tmp_path, "../../etc/passwd")
    assert state.path.parent == state.directory and ".." not in state.path.name
