"""The watcher: a per-user, per-tracker daemon that knows which ops files changed, so that a
command need not stat every file before it answers. This module is its inotify side (`Watcher`);
the process — the socket, the lock, requests and lifetime — is `watch_daemon`:

    python -m htrac.store.watch_daemon TRACKER_ROOT CACHE_DIR   (`htrac watch start` runs this)

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
How long it lives, and what a watcher killed outright leaves behind: `watch_daemon`.
"""

from __future__ import annotations

import errno
import os
import select
import time
from pathlib import Path
from typing import Any

from . import watch_inotify as ino
from .layout import TIERS, Layout
from .watch_client import Files, wait_limit
from .watch_fs import remote_reason
from .watch_journal import Journal

SYNC_TIMEOUT = 2.0      # seconds to wait for a cookie's event

OPS, CHAIN, COOKIES, FILE = "ops", "chain", "cookies", "file"


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
            unlink_quietly(path)

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


def unlink_quietly(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
