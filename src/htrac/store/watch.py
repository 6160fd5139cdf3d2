"""The watcher: a per-user, per-tracker daemon that knows which ops files changed, so that a
command need not stat every file before it answers.

    python -m htrac.store.watch TRACKER_ROOT CACHE_DIR     (`htrac watch start` runs this)

One inotify instance watches each tier's ops directory, the directories above them up to the
tracker's `.agent` (so a tier directory that appears, disappears or is replaced is noticed), and
a cookie directory of the watcher's own in the user's cache. A client sends its token and gets
back the IDs changed since (see `watch_journal`) — or "unknown", and then looks at every file.

Why the answer is exact: the kernel queues an instance's events in the order they happen, from
inside the system call that caused them. Before answering, the watcher creates a cookie file and
reads the queue up to that cookie's event, so every change that finished before the client asked
has been read. A queue overflow, a watched directory created, removed, moved or replaced, a
tracker root that is no longer the one watched: the journal resets and older tokens get
"unknown". Only this OS user may ask (the socket is in a 0700 directory, and both ends check the
peer's uid).

A directory watch sees only what is done through its own names: a write through a hard link
made in another directory sends it nothing. Whoever may write an ops file may link it anywhere
on the file system, so each ops file that someone other than this user may write (another
owner, or group- or world-writable: the shared-worktree layout) is also watched on its own, and
any change to it, by whatever name, is noted. If the kernel won't give that many watches
(`fs.inotify.max_user_watches`), the watcher can't vouch for the tier and reads look at every
file. (The index also looks again, on every read, at any file it found with several links.)
The watcher exits after `IDLE_TIMEOUT` without a request, when its tracker is gone, or on request;
a watcher killed outright leaves a socket nobody listens on, which clients treat as no watcher.
"""

from __future__ import annotations

import errno
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

from . import watch_inotify as ino
from .layout import TIERS, Layout
from .watch_client import PROTOCOL, Files, peer_uid, wait_limit
from .watch_fs import remote_reason
from .watch_journal import Journal

IDLE_TIMEOUT = 1800.0   # seconds without a request before the watcher exits
SYNC_TIMEOUT = 2.0      # seconds to wait for a cookie's event
ROOT_CHECK = 60.0       # seconds between checks that the tracker still exists

OPS, CHAIN, COOKIES, FILE = "ops", "chain", "cookies", "file"


class Unavailable(Exception):
    """The watcher can't work here; clients look at every file, as without one."""


class AlreadyRunning(Exception):
    pass


class Watcher:
    """The inotify side: watches, events, the journal, and the cookie handshake."""

    def __init__(self, root: Path, files: Files) -> None:
        self.root = root
        self.files = files
        self.journal = Journal(os.urandom(8).hex())
        self.inotify = ino.Inotify()
        self._wds: dict[int, list[tuple[str, str, str]]] = {}  # wd -> (role, tier, path)
        self._children = _children(Layout(root))  # directory -> names leading to a tier
        self.blind: dict[str, str] = {}   # directories that exist but can't be watched
        self.missing: list[str] = []
        self.root_id: tuple[int, int] | None = None
        self._ids: dict[str, tuple[int, int] | None] = {}  # each wanted path's identity
        self._rewatch_reason = ""
        self._waiting: str | None = None
        self._arrived = False
        self._cookie = 0
        self._overflows = 0
        self._poll = select.poll()
        self._poll.register(self.inotify.fileno(), select.POLLIN)
        self.rewatch("the watcher has just started")

    # -- watches -------------------------------------------------------------------------------

    def rewatch(self, reason: str) -> None:
        """(Re)establish every watch from the paths as they are now, drop the others, reset."""
        layout = Layout(self.root)
        # Parents before children: a directory created before its parent was watched would
        # otherwise go unseen until the next reset.
        wanted = [(path, CHAIN, "") for path in sorted(self._children, key=_depth)]
        wanted += [(str(layout.ops_dir(tier)), OPS, tier) for tier in TIERS]
        wanted.append((str(self.files.cookies), COOKIES, ""))
        wds: dict[int, list[tuple[str, str, str]]] = {}
        self.blind, self.missing, self._ids = {}, [], {}
        for path, role, tier in wanted:
            # Identity before the watch: if the path changes in between, the two disagree and
            # the next request watches again.
            self._ids[path] = _identity(path)
            try:
                wd = self.inotify.add(path)
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                    self.missing.append(path)
                else:
                    self.blind[path] = exc.strerror or str(exc)
                continue
            wds.setdefault(wd, []).append((role, tier, path))
            remote = remote_reason(path)
            if remote:
                self.blind[path] = remote
        for tier in TIERS:
            self._watch_files(wds, tier, str(layout.ops_dir(tier)))
        for wd in self._wds.keys() - wds.keys():
            self.inotify.remove(wd)
        self._wds = wds
        self.root_id = self._ids[str(self.root)]
        self._rewatch_reason = ""
        self.journal.reset(reason)

    def _watch_files(self, wds: dict[int, list[tuple[str, str, str]]], tier: str, directory: str,
                     names: list[str] | None = None) -> None:
        """Watch each of the tier's ops files (or `names`) that another user may write."""
        if names is None:
            try:
                names = os.listdir(directory)
            except OSError:
                return  # the directory's own watch reports what happens to it
        uid = os.getuid()
        for name in names:
            if not (name.startswith(".") and name.endswith(".ops") and len(name) > 5):
                continue
            path = os.path.join(directory, name)
            try:
                info = os.lstat(path)
                if info.st_uid == uid and not info.st_mode & 0o022:
                    continue  # only this user may write it: no one else can link and write
                wd = self.inotify.add(path, ino.FILE_MASK)
            except OSError as exc:
                if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
                    self.blind[path] = (f"{exc.strerror or exc}: another user may write its "
                                        "ops files, and each needs a watch of its own")
                continue
            targets = wds.setdefault(wd, [])
            if (FILE, tier, path) not in targets:
                targets.append((FILE, tier, path))

    def paths_unchanged(self) -> bool:
        """Does each watched path still lead to the directory watched (and each missing one
        still to nothing)? Some changes send no event: a directory above the root moved, a
        mount over a tier directory."""
        return all(_identity(path) == known for path, known in self._ids.items())

    @property
    def alive(self) -> bool:
        return self.root_id is not None

    # -- events --------------------------------------------------------------------------------

    def drain(self) -> None:
        """Read and note every event queued now."""
        while True:
            events = self.inotify.read()
            if not events:
                break
            self.journal.begin()
            for event in events:
                self._event(event)
        if self._rewatch_reason:
            self.rewatch(self._rewatch_reason)

    def _event(self, event: ino.Event) -> None:
        if event.mask & ino.IN_Q_OVERFLOW:
            self._overflows += 1
            self.journal.reset("the kernel's event queue overflowed")
            return
        for role, tier, path in list(self._wds.get(event.wd, ())):
            if role == FILE:  # a change to the file by any of its names, or its end
                self.journal.note(tier, os.path.basename(path)[1:-4])
                if event.mask & ino.IN_IGNORED:
                    self._wds.pop(event.wd, None)
                continue
            if not event.name:
                if event.mask & ino.SELF:
                    self._rewatch_reason = f"{path} was moved, removed or replaced"
            elif role == OPS:
                name = event.name
                if name.startswith(".") and name.endswith(".ops") and len(name) > 5:
                    self.journal.note(tier, name[1:-4])
                    if event.mask & (ino.IN_CREATE | ino.IN_MOVED_TO | ino.IN_ATTRIB):
                        self._watch_files(self._wds, tier, path, [name])
            elif role == CHAIN:
                if event.name in self._children.get(path, ()) and event.mask & ino.NAMES:
                    self._rewatch_reason = f"{path}/{event.name} appeared or went away"
            elif event.name == self._waiting and event.mask & ino.IN_CREATE:
                self._arrived = True

    def sync(self) -> bool:
        """Read every event queued before now: create a cookie and read up to its event.
        False if it did not come in time (the caller then can't vouch for anything)."""
        self._cookie += 1
        name = str(self._cookie)
        path = os.path.join(self.files.cookies, name)
        self._waiting, self._arrived = name, False
        overflows = self._overflows
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600))
        except OSError:
            self._recreate_cookies()
            return False
        try:
            deadline = time.monotonic() + max(SYNC_TIMEOUT, wait_limit(0))
            while not self._arrived and self._overflows == overflows:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                if self._poll.poll(left * 1000):
                    self.drain()
            return True
        finally:
            self._waiting = None
            _unlink(path)

    def _recreate_cookies(self) -> None:
        try:
            self.files.cookies.mkdir(mode=0o700, exist_ok=True)
        except OSError:
            pass
        self.rewatch("the cookie directory was replaced")

    # -- answers -------------------------------------------------------------------------------

    def changes(self, root: object, since: object) -> dict[str, Any]:
        """The reply to "what changed since `since`?" for the tracker at `root`."""
        if not self.paths_unchanged():
            self.rewatch("a watched directory was replaced")
        if not self._same_tracker(root):
            return {"token": self.journal.token, "unknown": "another tracker"}
        synced = self.sync()
        token = self.journal.token
        if not synced:
            return {"token": token, "unknown": "the watcher could not catch up with the queue"}
        if self.blind:
            path, why = next(iter(self.blind.items()))
            return {"token": token, "unknown": f"cannot watch {path}: {why}"}
        answer = self.journal.since(since)
        if isinstance(answer, str):
            return {"token": token, "unknown": answer}
        return {"token": token, "changes": answer}

    def _same_tracker(self, root: object) -> bool:
        if not isinstance(root, str):
            return False
        try:
            st = os.stat(root)
        except OSError:
            return False
        return (st.st_dev, st.st_ino) == self.root_id

    def watched(self) -> list[str]:
        """The directories watched (ops files watched one by one are not listed)."""
        return sorted({path for targets in self._wds.values() for role, _, path in targets
                       if role != FILE})

    def close(self) -> None:
        self.inotify.close()


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
        _unlink(self.files.unavailable)

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
                _unlink(self.files.cookies / leftover)
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
        _unlink(self.files.socket)  # we hold the lock: whatever is there is stale
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
                    _unlink(self.files.socket)
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


def _children(layout: Layout) -> dict[str, set[str]]:
    """Each directory from the tracker root down to the tier directories, with the names in
    it that lead to a tier directory."""
    children: dict[str, set[str]] = {}
    for tier in TIERS:
        path = layout.ops_dir(tier)
        while path != layout.root and layout.root in path.parents:
            children.setdefault(str(path.parent), set()).add(path.name)
            path = path.parent
    return children


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _depth(path: str) -> int:
    return path.count(os.sep)


def _unlink(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m htrac.store.watch TRACKER_ROOT CACHE_DIR", file=sys.stderr)
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
