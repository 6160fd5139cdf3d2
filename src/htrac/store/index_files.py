"""What the index knows about each ops file on disk, and how it reads one that changed.

A file is identified by its *stamp*: inode, size, modification and change time (nanoseconds).
A file with several names (hard links) is racy for good: it may be written through a name
outside the tracker, unseen by the watcher, so every read compares its content again.
Any write changes the size or the times; a rename over it (an editor's save, `git checkout`)
changes the inode; copying an older file back changes the change time. A stamp alone can't see a
same-size rewrite inside one tick of the file system's clock, so — like git's "racily clean"
index entries — a file read within `RACY_NS` of its last change is marked *racy* and its content
is compared again (by digest) on the next read.

An append is the common change. When a file only grew and its old bytes are unchanged (same
digest), only the new bytes are parsed and their ops added to the ones already known — provided
the result must equal a parse of the whole file: the old bytes ended with a newline, every new
line carries a tag no old op uses, and the old log had no op rejected before its nonce was known.
Otherwise the whole file is parsed again.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterable
from stat import S_ISDIR, S_ISFIFO, S_ISLNK, S_ISREG

# The hot read path (`store.quickindex`) scans and stamps with this module, so it imports no
# more than that needs: hashing, patterns and the layout are loaded where they are used.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from pathlib import Path

    from ..core.oplog import OpLog
    from ..core.problems import Problem

RACY_NS = 2_000_000_000
_TAG = r"  # ([0-9a-f]{4,64})$"

Stamp = tuple[int, int, int, int]  # (inode, size, mtime_ns, ctime_ns)


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def scan_dir(directory: Path | str) -> dict[str, Stamp]:
    """Stamps of the `.<name>.ops` entries in one tier directory, by name (see `is_item_id`).
    An entry that is not a regular file (a symbolic link, a directory, a FIFO) is listed too,
    with its own stamp: it is an item htrac can't read — a damaged item, never a dropped one.

    This is the one cost every command pays (a stat per file), so it stays in one tight loop:
    names are listed once and each is stat'ed relative to the open directory."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    found: dict[str, Stamp] = {}
    lstat = os.lstat
    try:
        for name in os.listdir(fd):
            if not (name.endswith(".ops") and name.startswith(".")):
                continue
            try:
                st = lstat(name, dir_fd=fd)
            except FileNotFoundError:
                continue  # removed while we looked
            found[name[1:-4]] = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    finally:
        os.close(fd)
    return found


def stamp_names(directory: Path | str, names: Iterable[str]) -> dict[str, Stamp | None]:
    """Stamps of the entries `.<name>.ops` for `names` in one tier directory, as `scan_dir`
    would record them (None for one that is not there)."""
    found: dict[str, Stamp | None] = dict.fromkeys(names)
    if not found:
        return found
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return found
    lstat = os.lstat
    try:
        for name in found:
            try:
                st = lstat(f".{name}.ops", dir_fd=fd)
            except (FileNotFoundError, NotADirectoryError):
                continue
            found[name] = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    finally:
        os.close(fd)
    return found


def is_item_id(name: str) -> bool:
    """Is `name` (from `scan_dir`) an ID htrac lists (`layout.id_from_filename` of its file
    name)? Checked only for files not seen before — every file of a first build, twice."""
    global _FILE_ID
    if _FILE_ID is None:  # loaded on first use: the hot read path imports this module
        from ..core.ids import FILE_ID

        _FILE_ID = FILE_ID
    return _FILE_ID.fullmatch(name) is not None


_FILE_ID: re.Pattern[str] | None = None


def is_racy(stamp: Stamp) -> bool:
    """Changed too recently for its stamp to be trusted on its own."""
    return max(stamp[2], stamp[3]) + RACY_NS > time.time_ns()


def several_links(path: Path) -> bool:
    """Has the file at `path` more than one name (a hard link elsewhere)?"""
    try:
        return os.lstat(path).st_nlink > 1
    except OSError:
        return False


def stamp_path(path: Path | str) -> Stamp | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return stamp_of(st)


class Snapshot:
    """A file's bytes and the stamp they were read under."""

    __slots__ = ("data", "stamp", "racy")

    def __init__(self, data: bytes, stamp: Stamp, racy: bool) -> None:
        self.data = data
        self.stamp = stamp
        self.racy = racy

    @property
    def digest(self) -> bytes:
        return digest(self.data)


def digest(data: bytes | memoryview) -> bytes:
    from hashlib import blake2b

    return blake2b(data, digest_size=16).digest()


class NotRegularFile(OSError):
    """An ops file's name holds something else: a link, a directory, a FIFO, a device."""


def kind_of(path: Path) -> str:
    """What `path` is, for a message: "a symbolic link", "a directory", …"""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "gone"
    if S_ISLNK(mode):
        return "a symbolic link"
    if S_ISDIR(mode):
        return "a directory"
    if S_ISFIFO(mode):
        return "a FIFO"
    return "a regular file" if S_ISREG(mode) else "a special file"


def read_snapshot(path: Path) -> Snapshot:
    """The file's bytes with a stamp that held for the whole read (OSError if unreadable;
    NotRegularFile — never a blocking open or a followed link — if it is not a regular file)."""
    for _ in range(5):
        try:  # O_NONBLOCK: opening a FIFO must not wait for a writer that never comes
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise NotRegularFile(exc.errno, "a symbolic link, not read") from None
            raise
        try:
            info = os.fstat(fd)
            if not S_ISREG(info.st_mode):
                raise NotRegularFile(errno.EINVAL, f"{kind_of(path)}, not read")
            before = stamp_of(info)
            data = _read_all(fd)
            end = os.fstat(fd)
            after = stamp_of(end)
        finally:
            os.close(fd)
        if before == after and len(data) == after[1]:
            # Several names: a write through one outside the tier directories sends the
            # watcher no event, so the file is looked at again on every read.
            return Snapshot(data, after, is_racy(after) or end.st_nlink > 1)
    return Snapshot(data, after, True)  # still being written: check it again next time


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def parse_appended(old: OpLog, old_size: int, old_digest: bytes, data: bytes) -> OpLog | None:
    """`read_oplog(data)` computed from `old` (the parse of `data[:old_size]`) and the new
    bytes only; None when that shortcut could differ from a full parse."""
    from ..core.oplog import OpLog, read_oplog
    from ..core.problems import REJECTED

    if not 0 < old_size < len(data) or data[old_size - 1:old_size] != b"\n":
        return None
    if not data.endswith(b"\n"):
        return None  # a torn tail may belong to the op before the new bytes: read it all
    if any(p.kind == REJECTED for p in old.problems):
        return None
    if digest(memoryview(data)[:old_size]) != old_digest:
        return None
    chunk = data[old_size:]
    known = {op.nonce for op in old.ops}
    known.update(p.nonce for p in old.problems if p.nonce)
    if not _tagged_fresh(chunk, known):
        return None
    offset = data.count(b"\n", 0, old_size)
    new = read_oplog(chunk)
    lines = dict(old.lines)
    for nonce, line in new.lines.items():
        lines.setdefault(nonce, line + offset)
    problems = old.problems + [_shift(p, offset) for p in new.problems]
    return OpLog(ops=old.ops + new.ops, problems=problems, lines=lines,
                 duplicates=old.duplicates + new.duplicates)


def _tagged_fresh(chunk: bytes, known: set[str]) -> bool:
    """Does every content line of `chunk` carry a tag not in `known`, starting with an op?"""
    import re

    tag = re.compile(_TAG)
    first = True
    for raw in chunk.split(b"\n"):
        text = raw.decode("utf-8", "replace")
        stripped = text.strip()
        match = tag.search(text)
        if not stripped or (stripped.startswith("#") and not match):
            continue
        if match is None or match.group(1) in known:
            return False
        if first and not text.startswith("- "):
            return False
        first = False
    return True


def _shift(problem: Problem, offset: int) -> Problem:
    from ..core.problems import Problem

    if not problem.line:
        return problem
    return Problem(problem.kind, problem.reason, problem.line + offset, problem.nonce,
                   problem.op)
