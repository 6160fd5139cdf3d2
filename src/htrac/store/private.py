"""Per-user directories that only their owner can write: the human's read state, preferences and
screenshots live in one. Created 0700; an existing one is used only if it is a real directory
(not a symlink) owned by this user and writable by no one else — otherwise it is refused with
the fix, because whoever can write it can change what the human reads or trusts.

The check is in one function (`private_dir`) so the project-wide helper for per-user
directories can replace it.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from ..core.errors import HtracError


class UnsafeDirectoryError(HtracError):
    pass


def state_root() -> Path:
    """This user's htrac state directory: `$HTRAC_STATE_DIR`, else `$XDG_STATE_HOME/htrac`,
    else `~/.local/state/htrac` — kept outside every repository, unlike the cache, never
    something to throw away."""
    base = os.environ.get("HTRAC_STATE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_STATE_HOME")
    return Path(xdg) / "htrac" if xdg else Path.home() / ".local" / "state" / "htrac"


def tracker_state_dir(tracker_root: Path) -> Path:
    """This user's private state directory for the tracker at `tracker_root` (created)."""
    key = hashlib.sha256(str(tracker_root.resolve()).encode()).hexdigest()[:16]
    root = private_dir(state_root())
    return private_dir(root / key)


def private_dir(path: Path) -> Path:
    """`path` as a directory only this user can write: created 0700 (parents as needed), or
    checked if it exists. Raises `UnsafeDirectoryError` naming the fix."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except OSError as exc:
        raise UnsafeDirectoryError(f"can't use {path}: {exc.strerror}") from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafeDirectoryError(f"{path} is not a plain directory (a symlink?); remove it "
                                   "and htrac makes a private one")
    if info.st_uid != os.geteuid():
        raise UnsafeDirectoryError(f"{path} belongs to another user (uid {info.st_uid}); "
                                   f"remove it, or set HTRAC_STATE_DIR to a directory of yours")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeDirectoryError(f"{path} can be written by others; run: chmod 700 {path}")
    return path


def write_private(path: Path, text: str) -> None:
    """Replace the file at `path` (in a private directory) with `text`, mode 0600, atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_private(path: Path) -> str | None:
    """The text of a file in a private directory (None if missing); never follows a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, encoding="utf-8", errors="replace") as src:
        return src.read()


def secret_dir(path: Path, *, what: str = "htrac's directory of secrets") -> Path:
    """A private directory for secrets (the web login's password hash, its passkeys): as
    `private_dir`, and refused — not quietly closed — when others can read it, because they may
    already have copied what it holds: the fix is to close it and set the secrets again."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise UnsafeDirectoryError(f"can't use {what} {path}: {exc.strerror}") from None
    if info is not None and stat.S_ISDIR(info.st_mode) and info.st_mode & 0o077:
        raise UnsafeDirectoryError(
            f"{what} {path} is open to other users (mode {info.st_mode & 0o777:o}): they may "
            f"have read what is in it; fix: chmod 700 {path}, then set the secrets in it again")
    return private_dir(path)


def read_secret(path: Path) -> str | None:
    """The text of a file in a directory of secrets (None if missing), refused when it is not
    this user's or others can write it: whoever wrote it could have planted a password hash."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnsafeDirectoryError(f"cannot read {path}: {exc.strerror}") from None
    with os.fdopen(fd, encoding="utf-8", errors="replace") as src:
        info = os.fstat(src.fileno())
        if info.st_uid != os.geteuid() or info.st_mode & 0o022:
            raise UnsafeDirectoryError(f"{path} could have been written by another user: "
                                       "remove it and set it again")
        return src.read()
