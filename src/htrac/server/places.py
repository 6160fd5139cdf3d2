"""Where the server keeps what is the human's: the password hash and passkeys (a directory of
secrets in the human's config), and the runtime file of a running server. Both are checked by
the one per-user directory helper (`store.private`): a directory someone else owns or can write
is refused, since whoever could write there could plant a password hash or point `--stop` at
another process; the secrets' directory is refused as well when others can read it."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from ..core.errors import HtracError
from ..store.private import private_dir, secret_dir


def _home() -> Path:
    return Path(pwd.getpwuid(os.getuid()).pw_dir)


def _absolute_env(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value and os.path.isabs(value) else None


def _checked(make, path: Path) -> Path:
    try:
        return make(path)
    except HtracError:
        raise
    except OSError as exc:  # a read-only or full file system
        raise HtracError(f"cannot use {path}: {exc.strerror or exc}") from None


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/htrac/serve` (default `~/.config/htrac/serve`)."""
    base = _absolute_env("XDG_CONFIG_HOME") or _home() / ".config"
    return _checked(secret_dir, base / "htrac" / "serve")


def runtime_dir() -> Path:
    """`$XDG_RUNTIME_DIR/htrac` when the session has one of its own, else `~/.cache/htrac/run`."""
    base = _absolute_env("XDG_RUNTIME_DIR")
    if base is None:
        candidate = Path(f"/run/user/{os.getuid()}")
        base = candidate if candidate.is_dir() else None
    if base is not None and _owned_private(base):
        return _checked(private_dir, base / "htrac")
    cache = _absolute_env("XDG_CACHE_HOME") or _home() / ".cache"
    return _checked(private_dir, cache / "htrac" / "run")


def _owned_private(path: Path) -> bool:
    try:
        info = os.stat(path)
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o022
