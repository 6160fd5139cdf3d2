"""The write path: one op appended per mutation, whole or not at all.

An append opens the ops file with O_APPEND, takes an exclusive `flock`, reads what is there
(the caller computes the Lamport clock from it while holding the lock), and writes the
serialized op with one `write`, then fsyncs. Concurrent writers queue on the lock, so none can
tear or interleave another's op. If a crash left the file without a final newline, the append
starts with one, fencing the torn tail off as its own (reported) block so the new op reads
cleanly. If the disk refuses the write, the file is truncated back to its old length: a failed
append leaves no partial op behind. Symlinked ops files are refused, so an item can't be made to
write outside the tracker.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import WriteError

FILE_MODE = 0o664  # group-writable: the reference's mode, for shared-worktree setups


class LockedLog:
    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    def read(self) -> bytes:
        size = os.fstat(self._fd).st_size
        chunks, offset = [], 0
        while offset < size:
            chunk = os.pread(self._fd, size - offset, offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
        return b"".join(chunks)

    def append(self, text: str) -> None:
        data = text.encode("utf-8")
        size = os.fstat(self._fd).st_size
        if size and os.pread(self._fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            os.fsync(self._fd)
        except OSError as exc:
            _rollback(self._fd, size)
            raise WriteError(f"could not write {self.path}: {exc.strerror or exc}; "
                             "nothing was written") from None


def _rollback(fd: int, size: int) -> None:
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    except OSError:
        pass


@contextmanager
def locked(path: Path, *, create: bool = False) -> Iterator[LockedLog]:
    """Hold `path` under an exclusive lock; creates it (and its directory) if asked."""
    if create:
        _make_dirs(path.parent)
    flags = os.O_RDWR | os.O_APPEND | os.O_CLOEXEC | os.O_NOFOLLOW | (os.O_CREAT if create else 0)
    while True:
        fd = _open(path, flags)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if _same_file(fd, path):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # replaced while we waited (a tier move, a rewrite): lock the new file
    try:
        if create and os.fstat(fd).st_size == 0:
            _set_mode(fd)
        yield LockedLog(path, fd)
    finally:
        os.close(fd)


def _open(path: Path, flags: int) -> int:
    try:
        return os.open(path, flags, FILE_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise WriteError(f"{path} is a symbolic link; htrac will not write through it") from None
        if exc.errno == errno.ENOENT:
            raise WriteError(f"{path} does not exist") from None
        raise WriteError(f"cannot open {path}: {exc.strerror}") from None


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _set_mode(fd: int) -> None:
    try:
        os.fchmod(fd, FILE_MODE)
    except OSError:
        pass  # not our file to chmod (shared worktree): its mode is the owner's business


def _make_dirs(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create {directory}: {exc.strerror}") from None
