"""Which file systems the watcher can't vouch for: where changes made on another machine never
reach this kernel's inotify (network and FUSE file systems)."""

from __future__ import annotations

import ctypes
import os

# statfs(2) f_type magic numbers of file systems whose changes may come from elsewhere.
REMOTE = {
    0x6969: "NFS", 0x517B: "SMB", 0xFF534D42: "CIFS", 0xFE534D42: "SMB2",
    0x65735546: "FUSE", 0x01021997: "9P", 0x00C36400: "Ceph", 0x5346414F: "AFS",
    0x73757245: "Coda", 0x564C: "NCP", 0x7461636F: "OCFS2", 0x01161970: "GFS2",
    0x0BD00BD0: "Lustre", 0x47504653: "GPFS",
}


def remote_reason(path: str) -> str:
    """Why changes under `path` might not be seen ('' when they will be)."""
    kind = fs_type(path)
    name = REMOTE.get(kind) if kind is not None else None
    return f"a {name} file system (changes made elsewhere raise no event here)" if name else ""


def fs_type(path: str) -> int | None:
    buffer = ctypes.create_string_buffer(512)  # larger than struct statfs on every ABI
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.statfs(os.fsencode(path), buffer) != 0:
        return None
    # f_type is the first member, a C long (__fsword_t) on the 64- and 32-bit ABIs alike.
    return ctypes.c_ulong.from_buffer(buffer).value & 0xFFFFFFFF
