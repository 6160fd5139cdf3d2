"""Per-user directories: the index cache, the alias stash, keys, the human's read state,
preferences and screenshots, web sessions, MCP tokens.

What such a directory holds is believed by the user who owns it: a forged index makes
`count-todos` lie, a planted key signs as the human, a planted read state hides a message. So
a directory someone else made, or can write to, or can swap for another (by renaming entries
in a directory above it), is refused — never silently used, never silently replaced — with
the one-line fix. `private_dir` is the one way htrac opens such a directory; every surface that
keeps per-user state calls it.

The rules, on the real path (links above it resolved, so one can't be swapped afterwards):
- the directory itself is created 0700 (missing parents too), or must be a plain directory
  (not a symbolic link), this user's, and not writable by group or others; a mode that merely
  lets others read it is tightened to 0700;
- every directory above it must belong to root or this user and be writable by no one else,
  unless it is sticky (`/tmp`): then others can add names beside ours but not rename ours.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import stat

from ..core.errors import UnsafePathError

TYPE_CHECKING = False  # the hot read path checks its cache directory without `pathlib`
if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

UnsafeDirectoryError = UnsafePathError  # the name the read state's callers know


def state_root() -> Path:
    """This user's htrac state directory: `$HTRAC_STATE_DIR`, else `$XDG_STATE_HOME/htrac`,
    else `~/.local/state/htrac` — kept outside every repository, unlike the cache, never
    something to throw away."""
    from pathlib import Path

    base = os.environ.get("HTRAC_STATE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_STATE_HOME")
    return Path(xdg) / "htrac" if xdg else Path.home() / ".local" / "state" / "htrac"


def tracker_state_dir(tracker_root: Path) -> Path:
    """This user's private state directory for the tracker at `tracker_root` (created)."""
    key = hashlib.sha256(str(tracker_root.resolve()).encode()).hexdigest()[:16]
    elsewhere = "set HTRAC_STATE_DIR to a directory of your own"
    try:
        root = private_dir(state_root(), what="htrac's state directory", elsewhere=elsewhere)
        return private_dir(root / key, what="htrac's state directory", elsewhere=elsewhere)
    except UnsafePathError:
        raise
    except OSError as exc:
        raise UnsafePathError(f"can't use htrac's state directory {state_root()}: "
                              f"{exc.strerror or exc}") from None


def private_dir(path: Path, *, what: str = "htrac's per-user state",
                elsewhere: str = "") -> Path:
    """`path` (resolved) as a directory only this user can change; UnsafePathError if not,
    OSError if it can't be made (a read-only or full file system: the caller decides whether
    it can go on without it).

    `what` names the directory in the message; `elsewhere` is an alternative fix, e.g.
    "set HTRAC_CACHE_DIR to a directory of your own"."""
    from pathlib import Path

    return Path(private_path(str(path), what=what, elsewhere=elsewhere))


def private_path(path: str, *, what: str = "htrac's per-user state", elsewhere: str = "") -> str:
    """`private_dir` on a path as text (what the hot read path has: no `pathlib`)."""
    given = os.path.expanduser(path)
    if os.path.islink(given):  # htrac never makes one: someone put it there to lead elsewhere
        raise UnsafePathError(f"{what} {given} is a symbolic link, not a plain directory; "
                              f"fix: rm {given} (htrac makes a private one)")
    real = os.path.realpath(given)
    uid = os.geteuid()
    missing = []
    existing = real
    while not os.path.lexists(existing) and existing != os.path.dirname(existing):
        missing.append(existing)
        existing = os.path.dirname(existing)
    # Above first, so nothing is made inside a directory someone else controls.
    above = existing if missing else os.path.dirname(existing)
    problem = None
    for directory in _lineage(above):
        problem = _above_problem(directory, uid)
        if problem is not None:
            break
    if problem is None:
        for directory in reversed(missing):
            try:
                os.mkdir(directory, 0o700)
            except FileExistsError:
                pass  # made meanwhile by someone: checked below like any other
        for directory in reversed(missing[1:]):
            problem = problem or _above_problem(directory, uid)
        problem = problem or _own_problem(real, uid)
    if problem is not None:
        text, fix = problem
        alternative = f", or {elsewhere}" if elsewhere else ""
        raise UnsafePathError(f"{what} {real}: {text}; fix: {fix}{alternative}")
    return real


def _lineage(path: str) -> Iterator[str]:
    """`path`, then each directory above it up to the root (`Path.parents`, as text)."""
    yield path
    while (parent := os.path.dirname(path)) != path:
        yield parent
        path = parent


def _own_problem(path: str, uid: int) -> tuple[str, str] | None:
    try:
        info = os.lstat(path)
    except OSError as exc:
        return f"cannot use it ({exc.strerror})", f"ls -ld {path}"
    if not stat.S_ISDIR(info.st_mode):
        return "is not a directory", f"rm {path} (after looking at it)"
    if info.st_uid != uid:
        return (f"belongs to {_name(info.st_uid)}, not to you: they could have put anything "
                "in it", f"sudo rm -rf {path} (htrac makes it again, yours)")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return ("is writable by group or others: they could have put anything in it",
                f"chmod 700 {path}, and look at what is in it (or rm -rf it: htrac makes it "
                "again)")
    if info.st_mode & 0o077:
        try:
            os.chmod(path, 0o700)  # ours and not writable by others: only readable; close it
        except OSError as exc:
            return f"cannot make it private ({exc.strerror})", f"chmod 700 {path}"
    return None


def _above_problem(directory: str, uid: int) -> tuple[str, str] | None:
    try:
        info = os.lstat(directory)
    except OSError as exc:
        return f"cannot look at {directory} ({exc.strerror})", f"ls -ld {directory}"
    if info.st_uid not in (0, uid):
        return (f"{directory} above it belongs to {_name(info.st_uid)}, who can rename "
                "what is in it", "use a directory whose parents are yours or root's")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not info.st_mode & stat.S_ISVTX:
        return (f"{directory} above it is writable by group or others, who can rename what "
                "is in it", f"chmod go-w {directory} (or chmod +t {directory})")
    return None


def _name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def write_private(path: Path, text: str) -> None:
    """Replace the file at `path` (in a private directory) with `text`, mode 0600, atomically."""
    # A name of this write's own: two threads of one server saving at once must not rename
    # each other's temporary file away (the second rename failed: a 500 on the web).
    import secrets  # here: every read command checks a private directory, few write one
    import threading

    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}."
                         f"{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
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
