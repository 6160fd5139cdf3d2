"""Changing files in a tree another user can write, without being tricked into changing others.

`htrac setup` runs as the human and as root in directories an agent user can write into (the
shared worktree's ops directories, the shared bare repository). A path there may have been
replaced meanwhile by a symlink to a root-owned file, by a directory of the agent's, or by a
hard link. So every change goes through a directory file descriptor opened component by
component with O_NOFOLLOW from a root the caller trusts, every entry is checked (type, owner,
link count) through the descriptor that will be changed, and modes, owners and contents are
changed through that same descriptor (fchmod, fchown, write) — never by path, so nothing can be
swapped in between the check and the change. What fails a check is refused, not repaired: the
caller reports it, with the fix.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import HtracError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # a FIFO must not block us


class UnsafePath(HtracError):
    """A path that is not what it must be (a symlink, another user's, a hard link…)."""


def describe(info: os.stat_result) -> str:
    mode = info.st_mode
    for test, word in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISREG, "a file"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return word
    return "a device"


def user_name(uid: int) -> str:
    import pwd
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


@dataclass
class Tree:
    """An open directory whose entries may be changed when they belong to `owner`."""

    fd: int
    path: Path
    owner: int

    @classmethod
    def open(cls, path: Path, owners: set[int] | None = None) -> Tree:
        """The directory `path`: its parent as the system resolves it (that part is the
        administrator's), `path` itself never through a symlink; its owner must be one of
        `owners` when given."""
        parent = os.path.realpath(path.parent)
        try:
            top = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise UnsafePath(f"{path.parent}: {exc.strerror}") from None
        try:
            fd = _open_dir(top, path.name, Path(parent) / path.name)
        finally:
            os.close(top)
        info = os.fstat(fd)
        if owners is not None and info.st_uid not in owners:
            os.close(fd)
            raise UnsafePath(f"{path} belongs to {user_name(info.st_uid)}")
        return cls(fd, Path(parent) / path.name, info.st_uid)

    def __enter__(self) -> Tree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    # -- looking -----------------------------------------------------------------------------

    def lstat(self, name: str) -> os.stat_result | None:
        try:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def names(self) -> list[str]:
        return sorted(os.listdir(self.fd))

    def sub(self, name: str, *, create: int | None = None) -> Tree:
        """The subdirectory `name`, which must be a real directory of our owner; created with
        mode `create` (and given to our owner) when missing and `create` is set."""
        if create is not None and self.lstat(name) is None:
            os.mkdir(name, create, dir_fd=self.fd)
            fd = _open_dir(self.fd, name, self.path / name)
            _give(fd, self.owner, create)
        else:
            fd = _open_dir(self.fd, name, self.path / name)
        info = os.fstat(fd)
        if info.st_uid != self.owner:
            os.close(fd)
            raise UnsafePath(f"{self.path / name} belongs to {user_name(info.st_uid)}, not "
                             f"{user_name(self.owner)}: it was replaced")
        return Tree(fd, self.path / name, self.owner)

    def open_file(self, name: str, flags: int = os.O_RDONLY, *, owner: int | None = None) -> int:
        """A descriptor of the regular file `name` (never a symlink, FIFO or hard link), owned
        by `owner` (default: the tree's owner)."""
        path = self.path / name
        try:
            fd = os.open(name, flags | _FILE_FLAGS, 0o644, dir_fd=self.fd)
        except OSError as exc:
            info = self.lstat(name)
            what = describe(info) if info is not None else exc.strerror
            raise UnsafePath(f"{path} is {what}" if info is not None else f"{path}: {what}") \
                from None
        info = os.fstat(fd)
        expected = self.owner if owner is None else owner
        problem = None
        if not stat.S_ISREG(info.st_mode):
            problem = f"{path} is {describe(info)}, not a file"
        elif info.st_nlink != 1:
            problem = f"{path} has {info.st_nlink} names (a hard link)"
        elif info.st_uid != expected:
            problem = f"{path} belongs to {user_name(info.st_uid)}, not {user_name(expected)}"
        if problem:
            os.close(fd)
            raise UnsafePath(problem)
        os.set_blocking(fd, True)
        return fd

    # -- changing ------------------------------------------------------------------------------

    def chmod(self, mode: int, gid: int = -1) -> None:
        """This directory's mode (and group), through its descriptor."""
        if gid != -1:
            os.fchown(self.fd, -1, gid)
        os.fchmod(self.fd, mode)

    def chmod_file(self, name: str, mode: int, gid: int = -1) -> None:
        fd = self.open_file(name)
        try:
            if gid != -1:
                os.fchown(fd, -1, gid)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)

    def read(self, name: str) -> bytes | None:
        """The file's bytes, None when there is none; refused if it is not our owner's file."""
        if self.lstat(name) is None:
            return None
        fd = self.open_file(name)
        try:
            chunks = []
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def create(self, name: str, data: bytes, mode: int = 0o644) -> None:
        """A new file (never one that exists, never through a symlink), given to our owner."""
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FILE_FLAGS, mode,
                     dir_fd=self.fd)
        try:
            _give(fd, self.owner, mode)
            os.fchmod(fd, mode)  # exactly, whatever the umask
            _write(fd, data)
        finally:
            os.close(fd)

    def append(self, name: str, data: bytes) -> None:
        """`data` at the end of our owner's file `name`, created when missing."""
        if self.lstat(name) is None:
            return self.create(name, data)
        fd = self.open_file(name, os.O_WRONLY | os.O_APPEND)
        try:
            _write(fd, data)
        finally:
            os.close(fd)

    def replace(self, name: str, data: bytes, mode: int = 0o644) -> None:
        """`name` replaced whole by a new file of our owner's (a symlink there is replaced,
        never followed; an existing entry must be our owner's file)."""
        info = self.lstat(name)
        if info is not None and (not stat.S_ISREG(info.st_mode) or info.st_uid != self.owner):
            raise UnsafePath(f"{self.path / name} is {describe(info)} of "
                             f"{user_name(info.st_uid)}'s")
        temp = f".{name}.htrac-{os.getpid()}"
        self.create(temp, data, mode)
        os.rename(temp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)


def _open_dir(parent_fd: int, name: str, shown: Path) -> int:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    except OSError as exc:
        try:
            info = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
        except OSError:
            raise UnsafePath(f"{shown}: {exc.strerror}") from None
        if stat.S_ISLNK(info.st_mode):
            target = os.readlink(name, dir_fd=parent_fd)
            raise UnsafePath(f"{shown} is a symbolic link (to {target}), not a directory") \
                from None
        raise UnsafePath(f"{shown} is {describe(info)}, not a directory") from None


def _give(fd: int, owner: int, mode: int) -> None:
    """A file we just created belongs to the tree's owner (root creating it in a user's tree)."""
    if os.geteuid() == 0 and owner != 0:
        os.fchown(fd, owner, -1)
        os.fchmod(fd, mode)  # chown clears setgid on directories for some file systems


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
