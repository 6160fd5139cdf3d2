"""This user's watcher for a tracker, as something to start, stop and ask about (`htrac watch`).

The watcher itself is `store.watch`; reads use it without being asked (see `store.index`).
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys
import time

from ..core.errors import WriteError
from ..store.aliases import cache_dir
from ..store.watch_client import AUTO_ITEMS, Files, request, spawn, wait_limit
from .tracker import Tracker

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


def _files(tracker: Tracker) -> Files:
    return Files(cache_dir(tracker.layout.root))


def auto_start(tracker: Tracker) -> str:
    """Do reads start a watcher: "on" (`index: {watch: true}`), "off" (false), or "auto" (the
    default: for trackers of `AUTO_ITEMS` ops files or more)?"""
    return {True: "on", False: "off", None: "auto"}[tracker.config.index_watch]


def watch_status(tracker: Tracker) -> dict:
    """What the watcher says of itself, or why there is none."""
    files = _files(tracker)
    state = request(files, {"op": "status"}) or {"running": False}
    state["auto_start"] = auto_start(tracker)
    state["auto_items"] = AUTO_ITEMS
    state["socket"] = str(files.socket)
    if not state.get("running"):
        state["unavailable"] = _unavailable(files)
    return state


def start_watcher(tracker: Tracker) -> dict:
    """Start the watcher (if none runs) and wait until it answers."""
    files = _files(tracker)
    state = request(files, {"op": "status"})
    if state and state.get("running"):
        return {**state, "started": False}
    if not sys.platform.startswith("linux"):
        raise WriteError("the watcher needs Linux inotify; reads look at every file instead")
    try:
        files.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        files.unavailable.unlink(missing_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot use {files.dir}: {exc.strerror or exc}") from None
    spawn(files, tracker.layout.root)
    limit = max(START_TIMEOUT, wait_limit(0))
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        state = request(files, {"op": "status"})
        if state and state.get("running"):
            return {**state, "started": True}
        reason = _unavailable(files)
        if reason:
            raise WriteError(f"the watcher can't run here: {reason}")
        time.sleep(0.02)
    raise WriteError(f"the watcher did not answer within {limit:.0f} s")


def stop_watcher(tracker: Tracker) -> dict:
    """Ask the watcher to exit (or end it, if it no longer answers) and wait until it has."""
    files = _files(tracker)
    reply = request(files, {"op": "stop"}, timeout=1.0)
    pid = reply.get("pid") if reply else _holder(files)
    if pid is None:
        files.socket.unlink(missing_ok=True)  # a killed watcher's socket, if any
        return {"stopped": False, "pid": None}
    if reply is None:
        os.kill(pid, signal.SIGTERM)  # ours (see _holder), but deaf
    deadline = time.monotonic() + STOP_TIMEOUT
    while _holder(files) == pid:
        if time.monotonic() > deadline:
            raise WriteError(f"the watcher (pid {pid}) did not exit within {STOP_TIMEOUT:.0f} s")
        time.sleep(0.02)
    return {"stopped": True, "pid": pid}


def _holder(files: Files) -> int | None:
    """The pid of the watcher holding this tracker's lock, if one does."""
    try:
        fd = os.open(files.lock, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            return int(text) if text.isdigit() else None
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _unavailable(files: Files) -> str | None:
    try:
        return files.unavailable.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
