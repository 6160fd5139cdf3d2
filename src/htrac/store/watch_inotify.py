"""Linux inotify through ctypes: the three calls the watcher needs and the events they yield.

The watcher reads the kernel's event queue itself rather than through a library that batches or
debounces it (watchfiles and the like), because its exactness rests on the queue's order (see
`watch`). Only the watcher daemon imports this module; the read path never loads ctypes.
"""

from __future__ import annotations

import ctypes
import os
import struct
from collections.abc import Iterator
from typing import NamedTuple

IN_MODIFY = 0x00000002
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_UNMOUNT = 0x00002000
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_DONT_FOLLOW = 0x02000000
IN_ISDIR = 0x40000000

# Everything that can change a file in a watched directory, or the directory itself.
CONTENT = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE
NAMES = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO
SELF = IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED
DIRECTORY_MASK = CONTENT | NAMES | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR
# One file, whatever name it is reached by (a hard link elsewhere included); never a link's target.
FILE_MASK = CONTENT | IN_DELETE_SELF | IN_MOVE_SELF | IN_DONT_FOLLOW

_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len — then `len` bytes of NUL-padded name
_BUFFER = 256 * 1024


class Event(NamedTuple):
    wd: int
    mask: int
    name: str


class Inotify:
    """One inotify instance (non-blocking, close-on-exec). Raises OSError where the kernel
    refuses (no inotify, too many instances or watches)."""

    def __init__(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        try:
            init1 = libc.inotify_init1
            self._add = libc.inotify_add_watch
            self._rm = libc.inotify_rm_watch
        except AttributeError:
            raise OSError(0, "this C library has no inotify") from None
        init1.argtypes = [ctypes.c_int]
        self._add.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        self._rm.argtypes = [ctypes.c_int, ctypes.c_int]
        self.fd: int = init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            _raise("inotify_init1")

    def fileno(self) -> int:
        return self.fd

    def add(self, path: str, mask: int = DIRECTORY_MASK) -> int:
        """Watch `path`; the watch descriptor (the same one again for a watched inode)."""
        wd: int = self._add(self.fd, os.fsencode(path), mask)
        if wd < 0:
            _raise(path)
        return wd

    def remove(self, wd: int) -> None:
        self._rm(self.fd, wd)  # fails only for a watch the kernel already dropped

    def read(self) -> list[Event]:
        """The events queued now (none: an empty list)."""
        try:
            data = os.read(self.fd, _BUFFER)
        except BlockingIOError:
            return []
        return list(_parse(data))

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _parse(data: bytes) -> Iterator[Event]:
    offset = 0
    while offset + _HEADER.size <= len(data):
        wd, mask, _cookie, length = _HEADER.unpack_from(data, offset)
        start = offset + _HEADER.size
        raw = data[start:start + length].split(b"\0", 1)[0]
        yield Event(wd, mask, os.fsdecode(raw))
        offset = start + length


def _raise(what: str) -> None:
    code = ctypes.get_errno()
    raise OSError(code, os.strerror(code), what)
