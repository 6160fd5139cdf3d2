"""Real watcher daemons in tests: start one, find them, end every one a test started.

A watcher is detached (double fork), so it is nobody's child here: it is ended by pid, and
"gone" means no such process or a zombie waiting for its reaper.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest


def wait_until(predicate, timeout: float = 20.0, what: str = "condition") -> None:
    """Poll `predicate` until true; fail after `timeout` seconds (a deadline, not a sleep
    that synchronizes)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def is_watcher(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return b"htrac.store.watch" in cmdline and state not in ("Z", "X")


def watcher_pids(cache: Path) -> list[int]:
    """Pids of the watchers running for any tracker under the cache directory `cache`."""
    pids = []
    for lock in cache.glob("*/watch/lock"):
        text = lock.read_text(encoding="ascii", errors="replace").strip()
        if text.isdigit() and is_watcher(int(text)):
            pids.append(int(text))
    return pids


def end(pid: int) -> None:
    if is_watcher(pid):
        os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not is_watcher(pid), what=f"watcher {pid} to end")


def start(tracker, env: dict[str, str] | None = None) -> int:
    state = json.loads(tracker.ok("--json", "watch", "start", env=env))
    assert state["running"] and state["started"], state
    return state["pid"]


@pytest.fixture
def watchers(monkeypatch):
    """Ends, after the test, every watcher running under this test's cache directory. Clients
    wait for a watcher's answer as long as a loaded test machine may need, so that a test that
    expects the watcher to be used is not failed by a slow scheduler (the 0.25 s fallback is
    for people)."""
    monkeypatch.setenv("HTRAC_WATCH_TIMEOUT", "30")
    cache = Path(os.environ["HTRAC_CACHE_DIR"])
    yield cache
    for pid in watcher_pids(cache):
        end(pid)
