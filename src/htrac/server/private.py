"""The human's own directories for what the server keeps: the password hash and passkeys
(config), and the runtime file of a running server. Each is made 0700 and checked before use —
a directory someone else owns or can write is refused, since whoever can write there could
plant a password hash or point `--stop` at another process."""

from __future__ import annotations

import os
import pwd
import stat
from pathlib import Path

from ..core.errors import HtracError


def _home() -> Path:
    return Path(pwd.getpwuid(os.getuid()).pw_dir)


def _absolute_env(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value and os.path.isabs(value) else None


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/htrac/serve` (default `~/.config/htrac/serve`)."""
    base = _absolute_env("XDG_CONFIG_HOME") or _home() / ".config"
    return ensure_private(base / "htrac" / "serve")


def runtime_dir() -> Path:
    """`$XDG_RUNTIME_DIR/htrac` when the session has one, else `~/.cache/htrac/run`."""
    base = _absolute_env("XDG_RUNTIME_DIR")
    if base is None:
        candidate = Path(f"/run/user/{os.getuid()}")
        base = candidate if candidate.is_dir() else None
    if base is not None and _owned_private(base):
        return ensure_private(base / "htrac")
    return ensure_private((_absolute_env("XDG_CACHE_HOME") or _home() / ".cache") / "htrac" / "run")


def _owned_private(path: Path) -> bool:
    try:
        info = os.stat(path)
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def ensure_private(path: Path) -> Path:
    """`path` as a directory only this user can use: made 0700 if missing, refused otherwise."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(path)
    except OSError as exc:
        raise HtracError(f"cannot use {path}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise HtracError(f"{path} is not a directory (a symlink?): remove it and try again")
    if info.st_uid != os.getuid():
        raise HtracError(f"{path} belongs to uid {info.st_uid}, not you: remove it and try again")
    if info.st_mode & 0o077:
        raise HtracError(f"{path} is open to other users (mode {info.st_mode & 0o777:o}): "
                         f"fix with: chmod 700 {path}")
    return path


def write_private(path: Path, data: bytes) -> None:
    """Replace `path` with `data`, mode 0600, in one rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_private(path: Path) -> bytes | None:
    """The file's bytes, None if it does not exist; refused if others could have written it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HtracError(f"cannot read {path}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if info.st_uid != os.getuid() or info.st_mode & 0o022:
            raise HtracError(f"{path} could have been written by another user: remove it and "
                             "set it again")
        return handle.read()
