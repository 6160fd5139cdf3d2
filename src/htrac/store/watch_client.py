"""Asking this user's watcher (`watch`) which ops files changed since the index last looked.

On the read path of every command, so it imports nothing heavier than the C modules of `json`
and `socket` (and those only when a socket is there: `json` itself would bring `re`), and never
waits long: no socket, a refused or slow connection, a peer that is not this OS user, a reply
that can't be read — each is "no watcher", and the index looks at every file instead.
Starting the watcher (`spawn`) detaches it with a double fork, so the command that starts it
goes on at once.

Who starts one: `htrac watch start`, or a read that found none — always under
`index: {watch: true}`, never under `index: {watch: false}`, and by default (`auto_start` a
number) when the tracker holds at least that many ops files, as git's fsmonitor is worth it
only for large worktrees.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False  # nor `typing`
if TYPE_CHECKING:
    import _socket
    from pathlib import Path
    from typing import Any

PROTOCOL = 1            # a watcher of another htrac version answers no request, and exits
TIMEOUT = 0.25          # seconds for a whole exchange; a healthy watcher answers in about 1 ms
TIMEOUT_ENV = "HTRAC_WATCH_TIMEOUT"  # another limit, for tests and very slow machines
SPAWN_BACKOFF = 10.0    # seconds between two automatic starts
AUTO_ITEMS = 2000       # by default, reads start a watcher for trackers with this many files
UNAVAILABLE_BACKOFF = 3600.0  # after the watcher said it can't work here


class Files:
    """Where one tracker's watcher keeps its files, in this user's cache directory. The read
    path asks with the names as strings (`names`); the daemon and `htrac watch` use the paths."""

    def __init__(self, cache: Path | str) -> None:
        base = f"{os.fspath(cache)}/watch"
        # held by the running watcher, holding its pid; why the last watcher could not start;
        # when a command last started one
        self.names = {name: f"{base}/{name}" for name in ("sock", "lock", "cookies",
                                                          "unavailable", "spawned")}
        self.names["dir"] = base

    def _path(self, name: str) -> Path:
        from pathlib import Path

        return Path(self.names[name])

    dir = property(lambda self: self._path("dir"))
    socket = property(lambda self: self._path("sock"))
    lock = property(lambda self: self._path("lock"))
    cookies = property(lambda self: self._path("cookies"))
    unavailable = property(lambda self: self._path("unavailable"))
    spawned = property(lambda self: self._path("spawned"))


class Answer:
    """What changed since a token: `changes` by tier (item IDs), or None when the watcher
    can't say (`reason`), and the token to keep for next time."""

    __slots__ = ("token", "changes", "reason")

    def __init__(self, token: str, changes: dict[str, list[str]] | None, reason: str) -> None:
        self.token = token
        self.changes = changes
        self.reason = reason


class WatchClient:
    def __init__(self, cache: Path | str, root: Path | str, *,
                 auto_start: bool | int = False) -> None:
        """`auto_start`: start a watcher when none answers — True: always; False: never; a
        number: when the tracker holds at least that many files (`after_scan`)."""
        self.files = Files(cache)
        self.root = root
        self.auto_start = auto_start
        self.absent = False  # no watcher answered the last question
        self.spawned = False  # this client started one

    def changes(self, since: str | None) -> Answer | None:
        """The watcher's answer, or None when there is no usable watcher."""
        reply = request(self.files, {"op": "changes", "root": str(self.root), "since": since})
        self.absent = reply is None
        if reply is None:
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

    def after_scan(self, files: int) -> None:
        """A read that found no watcher looked at `files` ops files: start one if wanted."""
        wanted = self.auto_start if isinstance(self.auto_start, bool) \
            else files >= self.auto_start
        if self.absent and wanted:
            self.spawned = maybe_spawn(self.files, self.root)


def request(files: Files, message: dict[str, Any],
            timeout: float | None = None) -> dict[str, Any] | None:
    """One request to the watcher and its reply; None if there is no usable watcher."""
    try:
        os.stat(files.names["sock"])
    except OSError:
        return None  # the common case without a watcher: one stat, nothing imported
    if timeout is None:
        timeout = wait_limit()
    import _socket  # socket.py's wrappers (selectors, enum…) cost more than they give here

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM | _socket.SOCK_CLOEXEC)
    try:
        sock.settimeout(timeout)
        sock.connect(files.names["sock"])
        if peer_uid(sock) != os.getuid():
            return None  # not ours: a watcher that is not this user is never believed
        sock.sendall(_encode({**message, "v": PROTOCOL}) + b"\n")
        deadline = time.monotonic() + timeout
        chunks = []
        while True:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        reply = _decode(b"".join(chunks).decode("utf-8"))
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


def maybe_spawn(files: Files, root: Path | str) -> bool:
    """Start a watcher for a command that found none — unless one was just started, or the
    last one found it could not work here. Whether it started one."""
    if not sys.platform.startswith("linux"):
        return False
    now = time.time()
    for marker, backoff in ((files.names["spawned"], SPAWN_BACKOFF),
                            (files.names["unavailable"], UNAVAILABLE_BACKOFF)):
        try:
            if now - os.stat(marker).st_mtime < backoff:
                return False
        except OSError:
            pass
    try:
        os.makedirs(files.names["dir"], mode=0o700, exist_ok=True)
        os.close(os.open(files.names["spawned"], os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC,
                         0o600))
        os.utime(files.names["spawned"])
    except OSError:
        return False
    spawn(files, root)
    return True


def spawn(files: Files, root: Path | str) -> None:
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


def _exec_daemon(files: Files, root: Path | str) -> None:
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, 1 << 16)  # nothing of the command's (pipes, the database) stays open
        os.chdir("/")
        # -I: `-m` imports nothing from the working directory, PYTHONPATH or the user site.
        os.execv(sys.executable, [sys.executable, "-I", "-m", "htrac.store.watch_daemon", str(root),
                                  os.path.dirname(files.names["dir"])])
    finally:
        os._exit(127)


# -- JSON without the `json` package (which imports `re`: a fifth of a hot command) -----------

def _encode(message: dict[str, object]) -> bytes:
    """A flat request (strings, numbers, None) as JSON."""
    from _json import encode_basestring_ascii as string

    parts = []
    for key, value in message.items():
        if value is None:
            text = "null"
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int):
            text = str(value)
        else:
            text = string(str(value))
        parts.append(f"{string(key)}: {text}")
    return ("{" + ", ".join(parts) + "}").encode("ascii")


class _Strict:
    """What `json`'s C scanner reads its settings from (`json.JSONDecoder`'s defaults)."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float  # NaN, Infinity, -Infinity


def _decode(text: str) -> object:
    """`json.loads(text)`, by the same C scanner (ValueError when `text` is not JSON)."""
    from _json import make_scanner

    start = len(text) - len(text.lstrip(" \t\n\r"))
    try:
        value, end = make_scanner(_Strict())(text, start)  # type: ignore[arg-type]
    except StopIteration as stop:
        raise ValueError(f"not JSON at {stop.value}") from None
    if text[end:].strip(" \t\n\r"):
        raise ValueError("extra data after the JSON value")
    return value
