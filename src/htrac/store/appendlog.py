"""The write path: one op appended per mutation, whole or not at all.

An append opens the ops file with O_APPEND, takes an exclusive `flock`, reads what is there
(the caller computes the Lamport clock from it while holding the lock), and writes the
serialized op with one `write`, then fsyncs. Concurrent writers queue on the lock, so none can
tear or interleave another's op. If a crash left the file without a final newline, the append
starts with one, fencing the torn tail off as its own (reported) block so the new op reads
cleanly. If the disk refuses the write, the file is truncated back to its old length: a failed
append leaves no partial op behind. Symlinked ops files are refused, so an item can't be made to
write outside the tracker.

A file that doesn't exist yet is never created empty: its first op is written to an unnamed
file that is then linked into place whole (`NewLog`), so a reader never sees an item file with
nothing in it (which would read as a damaged item). If another writer created the file first,
the link fails and `FileAppeared` tells the caller to write again, against what that file holds.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import WriteError

SHARED_MODE = 0o664  # the reference's mode: the agent's group appends in a shared worktree
PRIVATE_MODE = 0o644  # any other clone: nobody else needs to write its ops


def file_mode(directory: Path) -> int:
    """The mode of a new ops file in `directory`: group-writable only where the directory is
    (the shared-worktree layout `setup` makes, 2775), so a private clone never hands its
    group write access to the ops."""
    try:
        shared = os.stat(directory).st_mode & stat.S_IWGRP
    except OSError:
        shared = 0
    return SHARED_MODE if shared else PRIVATE_MODE


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
        _write_all(self.path, self._fd, data, size)


class FileAppeared(Exception):
    """Another writer created the file this `NewLog` was creating: nothing was written; read
    the file and write again."""


class NewLog:
    """The first op of a file that does not exist yet, written before the file has a name.

    On Linux the op goes into an unnamed file (`O_TMPFILE`) in the tier directory, which is then
    linked into place: a reader sees no file or the whole op, and a crash leaves nothing behind.
    Where the file system can't do that, the file is created exclusively and written at once."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> bytes:
        return b""

    def append(self, text: str) -> None:
        data = text.encode("utf-8")
        fd = self._unnamed()
        if fd is None:
            return self._create_exclusively(data)
        try:
            _write_all(self.path, fd, data, 0)
            linked = self._link(fd)
        finally:
            os.close(fd)
        if not linked:
            return self._create_exclusively(data)
        _sync_directory(self.path.parent)  # the new name is durable before the op is acknowledged

    def _link(self, fd: int) -> bool:
        """Give the unnamed file `fd` its name; False when this system can't."""
        try:
            directory = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            return False
        try:
            # linkat(…, AT_SYMLINK_FOLLOW): what os.link does when given a directory fd
            os.link(f"/proc/self/fd/{fd}", self.path.name, dst_dir_fd=directory,
                    follow_symlinks=True)
            return True
        except FileExistsError:
            raise FileAppeared(str(self.path)) from None
        except OSError:
            return False  # no /proc, or a kernel that won't link it: the plain way
        finally:
            os.close(directory)

    def _unnamed(self) -> int | None:
        if not hasattr(os, "O_TMPFILE") or not os.path.isdir("/proc/self/fd"):
            return None
        try:
            fd = os.open(self.path.parent, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC,
                         file_mode(self.path.parent))
        except OSError as exc:
            if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
                return None  # this file system (or kernel) has no unnamed files
            raise WriteError(f"cannot create {self.path}: {exc.strerror}") from None
        _set_mode(fd, self.path.parent)
        return fd

    def _create_exclusively(self, data: bytes) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | os.O_APPEND | os.O_CLOEXEC, file_mode(self.path.parent))
        except FileExistsError:
            raise FileAppeared(str(self.path)) from None
        except OSError as exc:
            raise WriteError(f"cannot create {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # a writer that finds the file waits for its op
            _set_mode(fd, self.path.parent)
            _write_all(self.path, fd, data, 0)
        except (OSError, WriteError):
            try:
                os.unlink(self.path)  # ours, still locked and empty: a failed create leaves none
            except OSError:
                pass
            raise
        finally:
            os.close(fd)
        _sync_directory(self.path.parent)


def _write_all(path: Path, fd: int, data: bytes, size: int) -> None:
    """Write `data` at the end of `fd` (which held `size` bytes) and fsync; on failure, cut the
    file back to `size` and raise WriteError."""
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError as exc:
        _rollback(fd, size)
        raise WriteError(f"could not write {path}: {exc.strerror or exc}; "
                         "nothing was written") from None


def _sync_directory(directory: Path) -> None:
    """Make a new directory entry durable (a crash must not lose an acknowledged create)."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _rollback(fd: int, size: int) -> None:
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    except OSError:
        pass


@contextmanager
def locked(path: Path, *, create: bool = False) -> Iterator[LockedLog | NewLog]:
    """Hold `path` under an exclusive lock. With `create`, a file that doesn't exist yet (its
    directory is made) is a `NewLog`: its `append` may raise `FileAppeared`."""
    if create:
        _make_dirs(path.parent)
        try:
            os.lstat(path)
        except FileNotFoundError:
            yield NewLog(path)
            return
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
            _set_mode(fd, path.parent)
        yield LockedLog(path, fd)
    finally:
        os.close(fd)


def _open(path: Path, flags: int) -> int:
    try:
        fd = os.open(path, flags | os.O_NONBLOCK, file_mode(path.parent))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise WriteError(f"{path} is a symbolic link; htrac will not write through it") \
                from None
        if exc.errno == errno.ENOENT:
            raise WriteError(f"{path} does not exist") from None
        raise WriteError(f"cannot open {path}: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO or device in an ops file's place
        os.close(fd)
        raise WriteError(f"{path} is not a regular file; htrac will not write to it")
    return fd


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _set_mode(fd: int, directory: Path) -> None:
    try:
        os.fchmod(fd, file_mode(directory))
    except OSError:
        pass  # not our file to chmod (shared worktree): its mode is the owner's business


def _make_dirs(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create {directory}: {exc.strerror}") from None
