"""The watcher's process (`watch.Watcher` is what it watches with): one per OS user and
tracker, made so by a lock; a socket in a 0700 directory of the user's cache that answers only
this user; requests (`changes`, `status`, `stop`) and its lifetime.

    python -I -m htrac.store.watch_daemon TRACKER_ROOT CACHE_DIR   (`watch_client.start`)

It exits after `IDLE_TIMEOUT` without a request, when its tracker is gone, or on request; a
watcher killed outright leaves a socket nobody listens on, which clients treat as no watcher.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import socket
import stat
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from .watch import Watcher, unlink_quietly
from .watch_client import PROTOCOL, Files, peer_uid

IDLE_TIMEOUT = 1800.0   # seconds without a request before the watcher exits
ROOT_CHECK = 60.0       # seconds between checks that the tracker still exists


class Unavailable(Exception):
    """The watcher can't work here; clients look at every file, as without one."""


class AlreadyRunning(Exception):
    pass


class Daemon:
    """The socket side: the lock that makes one watcher per tracker, requests, lifetime."""

    def __init__(self, root: Path, cache: Path, idle_timeout: float = IDLE_TIMEOUT) -> None:
        self.root = root
        self.files = Files(cache)
        self.idle_timeout = idle_timeout
        self.watcher: Watcher | None = None
        self.listener: socket.socket | None = None
        self._lock_fd = -1
        self._socket_id: tuple[int, int] | None = None
        self.started = datetime.now(UTC)
        self.requests = 0
        self.stopping = False
        self._last_request = time.monotonic()

    def start(self) -> None:
        if not sys.platform.startswith("linux"):
            raise Unavailable("the watcher needs Linux inotify")
        self._private_dir()
        self._lock()
        try:
            self.watcher = Watcher(self.root, self.files)
        except OSError as exc:
            raise Unavailable(f"inotify: {exc.strerror or exc}") from None
        if not self.watcher.alive:
            raise Unavailable(f"no tracker at {self.root}")
        self._listen()
        unlink_quietly(self.files.unavailable)

    def _private_dir(self) -> None:
        try:
            self.files.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            st = os.lstat(self.files.dir)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
                raise Unavailable(f"{self.files.dir} is not a directory of this user")
            if st.st_mode & 0o077:
                os.chmod(self.files.dir, 0o700)
            self.files.cookies.mkdir(mode=0o700, exist_ok=True)
            for leftover in os.listdir(self.files.cookies):
                unlink_quietly(self.files.cookies / leftover)
        except OSError as exc:
            raise Unavailable(f"{self.files.dir}: {exc.strerror or exc}") from None

    def _lock(self) -> None:
        fd = os.open(self.files.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        for attempt in range(3):  # `htrac watch status` may hold it shared for a moment
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if attempt == 2:
                    os.close(fd)
                    raise AlreadyRunning from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd

    def _listen(self) -> None:
        unlink_quietly(self.files.socket)  # we hold the lock: whatever is there is stale
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        old = os.umask(0o077)
        try:
            listener.bind(str(self.files.socket))
        except OSError as exc:
            listener.close()
            why = exc.strerror or exc
            raise Unavailable(f"cannot listen on {self.files.socket}: {why}") from None
        finally:
            os.umask(old)
        listener.listen(64)
        listener.setblocking(False)
        st = os.stat(self.files.socket)
        self._socket_id = (st.st_dev, st.st_ino)
        self.listener = listener

    def serve(self) -> None:
        assert self.watcher is not None and self.listener is not None
        poll = select.poll()
        poll.register(self.listener.fileno(), select.POLLIN)
        poll.register(self.watcher.inotify.fileno(), select.POLLIN)
        self._last_request = time.monotonic()  # idle from now, not from before start-up
        next_check = self._last_request + ROOT_CHECK
        while not self.stopping:
            now = time.monotonic()
            wait = min(next_check, self._last_request + self.idle_timeout) - now
            for fd, _ in poll.poll(max(wait, 0) * 1000):
                if fd == self.listener.fileno():
                    self._accept()
                else:
                    self.watcher.drain()
            now = time.monotonic()
            if now >= self._last_request + self.idle_timeout or not self.watcher.alive:
                break
            if now >= next_check:
                next_check = now + ROOT_CHECK
                if not self.watcher.paths_unchanged():
                    self.watcher.rewatch("a watched directory was replaced")

    def _accept(self) -> None:
        assert self.listener is not None
        try:
            conn, _ = self.listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        with conn:
            try:
                conn.settimeout(1.0)
                if peer_uid(conn) != os.getuid():
                    return
                data = b""
                while b"\n" not in data and len(data) < 1 << 16:
                    chunk = conn.recv(1 << 12)
                    if not chunk:
                        break
                    data += chunk
                reply = self._dispatch(json.loads(data))
                conn.sendall(json.dumps(reply).encode() + b"\n")
            except (OSError, ValueError):
                pass

    def _dispatch(self, message: object) -> dict[str, Any]:
        assert self.watcher is not None
        if not isinstance(message, dict):
            return {"error": "a request is a JSON object"}
        if message.get("v") != PROTOCOL:
            self.stopping = True  # an htrac upgraded under us: make way for a current watcher
            return {"error": f"this watcher speaks protocol {PROTOCOL}"}
        op = message.get("op")
        self._last_request = time.monotonic()
        if op == "changes":
            self.requests += 1
            return self.watcher.changes(message.get("root"), message.get("since"))
        if op == "status":
            return self.status()
        if op == "stop":
            self.stopping = True
            return {"ok": True, "pid": os.getpid()}
        return {"error": f"unknown request {op!r}"}

    def status(self) -> dict[str, Any]:
        assert self.watcher is not None
        journal = self.watcher.journal
        return {"running": True, "pid": os.getpid(), "root": str(self.root),
                "instance": journal.instance, "seq": journal.seq,
                "started": self.started.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "requests": self.requests, "resets": journal.resets,
                "last_reset": journal.reset_reason, "watching": self.watcher.watched(),
                "missing": self.watcher.missing, "blind": self.watcher.blind,
                "idle_timeout": self.idle_timeout,
                "idle_for": round(time.monotonic() - self._last_request, 1)}

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()
            try:
                st = os.stat(self.files.socket)
                if (st.st_dev, st.st_ino) == self._socket_id:
                    unlink_quietly(self.files.socket)
            except OSError:
                pass
        if self.watcher is not None:
            self.watcher.close()
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def mark_unavailable(self, reason: str) -> None:
        try:
            self.files.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.files.unavailable.write_text(reason + "\n", encoding="utf-8")
        except OSError:
            pass


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m htrac.store.watch_daemon TRACKER_ROOT CACHE_DIR", file=sys.stderr)
        return 2
    idle = float(os.environ.get("HTRAC_WATCH_IDLE_TIMEOUT") or IDLE_TIMEOUT)
    daemon = Daemon(Path(args[0]).resolve(), Path(args[1]), idle)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        daemon.start()
        daemon.serve()
    except AlreadyRunning:
        return 0
    except Unavailable as exc:
        daemon.mark_unavailable(str(exc))
        return 1
    finally:
        daemon.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
