"""Asking this user's watcher (`watch`) which ops files changed since the index last looked.

On the read path of every command, so it imports nothing heavier than `json` and the C socket
module (and that only when a socket is there), and never waits long: no socket, a refused or
slow connection, a peer that is not this OS user, a reply that can't be read — each is "no
watcher", and the index looks at every file instead.
Starting the watcher (`spawn`) detaches it with a double fork, so the command that starts it
goes on at once.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import _socket

PROTOCOL = 1            # a watcher of another htrac version answers no request, and exits
TIMEOUT = 0.25          # seconds for a whole exchange; a healthy watcher answers in about 1 ms
TIMEOUT_ENV = "HTRAC_WATCH_TIMEOUT"  # another limit, for tests and very slow machines
SPAWN_BACKOFF = 10.0    # seconds between two automatic starts
UNAVAILABLE_BACKOFF = 3600.0  # after the watcher said it can't work here


class Files:
    """Where one tracker's watcher keeps its files, in this user's cache directory."""

    def __init__(self, cache: Path) -> None:
        self.dir = cache / "watch"
        self.socket = self.dir / "sock"
        self.lock = self.dir / "lock"          # held by the running watcher; holds its pid
        self.cookies = self.dir / "cookies"
        self.unavailable = self.dir / "unavailable"  # why the last watcher could not start
        self.spawned = self.dir / "spawned"    # when a command last started one


class Answer:
    """What changed since a token: `changes` by tier (item IDs), or None when the watcher
    can't say (`reason`), and the token to keep for next time."""

    __slots__ = ("token", "changes", "reason")

    def __init__(self, token: str, changes: dict[str, list[str]] | None, reason: str) -> None:
        self.token = token
        self.changes = changes
        self.reason = reason


class WatchClient:
    def __init__(self, cache: Path, root: Path, *, auto_start: bool = False) -> None:
        self.files = Files(cache)
        self.root = root
        self.auto_start = auto_start

    def changes(self, since: str | None) -> Answer | None:
        """The watcher's answer, or None when there is no usable watcher."""
        reply = request(self.files, {"op": "changes", "root": str(self.root), "since": since})
        if reply is None:
            if self.auto_start:
                maybe_spawn(self.files, self.root)
            return None
        token = reply.get("token")
        changes = reply.get("changes")
        if not isinstance(token, str):
            return None
        if not isinstance(changes, dict) or not all(
                isinstance(v, list) and all(isinstance(n, str) for n in v)
                for v in changes.values()):
            return Answer(token, None, str(reply.get("unknown") or "no answer"))
        return Answer(token, changes, "")


def request(files: Files, message: dict[str, Any],
            timeout: float | None = None) -> dict[str, Any] | None:
    """One request to the watcher and its reply; None if there is no usable watcher."""
    try:
        os.stat(files.socket)
    except OSError:
        return None  # the common case without a watcher: one stat, nothing imported
    if timeout is None:
        timeout = wait_limit()
    import _socket  # socket.py's wrappers (selectors, enum…) cost more than they give here

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM | _socket.SOCK_CLOEXEC)
    try:
        sock.settimeout(timeout)
        sock.connect(str(files.socket))
        if peer_uid(sock) != os.getuid():
            return None  # not ours: a watcher that is not this user is never believed
        sock.sendall(json.dumps({**message, "v": PROTOCOL}).encode() + b"\n")
        deadline = time.monotonic() + timeout
        chunks = []
        while True:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        reply = json.loads(b"".join(chunks))
        return reply if isinstance(reply, dict) and "error" not in reply else None
    except (OSError, ValueError):
        return None
    finally:
        sock.close()


def wait_limit(default: float = TIMEOUT) -> float:
    """Seconds to wait for the watcher: `default`, or what HTRAC_WATCH_TIMEOUT says."""
    try:
        return max(float(os.environ.get(TIMEOUT_ENV) or default), 0.001)
    except ValueError:
        return default


def peer_uid(sock: _socket.socket) -> int | None:
    """The uid of the process at the other end of a connected Unix socket (Linux)."""
    import _socket

    option = getattr(_socket, "SO_PEERCRED", None)
    if option is None:
        return None
    creds = sock.getsockopt(_socket.SOL_SOCKET, option, 12)  # struct ucred: pid, uid, gid
    return int.from_bytes(creds[4:8], sys.byteorder)


def maybe_spawn(files: Files, root: Path) -> None:
    """Start a watcher for a command that found none — unless one was just started, or the
    last one found it could not work here."""
    if not sys.platform.startswith("linux"):
        return
    now = time.time()
    for marker, backoff in ((files.spawned, SPAWN_BACKOFF), (files.unavailable,
                                                              UNAVAILABLE_BACKOFF)):
        try:
            if now - os.stat(marker).st_mtime < backoff:
                return
        except OSError:
            pass
    try:
        files.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(files.spawned, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600))
        os.utime(files.spawned)
    except OSError:
        return
    spawn(files, root)


def spawn(files: Files, root: Path) -> None:
    """Start the watcher daemon, detached (its own session, no terminal, stdio on /dev/null);
    returns as soon as the intermediate process has exited."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.setsid()
            if os.fork() == 0:
                _exec_daemon(files, root)
        except BaseException:
            code = 1
        os._exit(code)
    os.waitpid(pid, 0)


def _exec_daemon(files: Files, root: Path) -> None:
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, 1 << 16)  # nothing of the command's (pipes, the database) stays open
        os.chdir("/")
        # -I: `-m` imports nothing from the working directory, PYTHONPATH or the user site.
        os.execv(sys.executable, [sys.executable, "-I", "-m", "htrac.store.watch", str(root),
                                  str(files.dir.parent)])
    finally:
        os._exit(127)
