"""The HTTP server's bearer token: a random secret in a file only its owner can read.

Without it, any local user who can reach 127.0.0.1 would act with the rights of the user who
started the server. The file must belong to that user and grant nothing to group or others;
anything else is refused with the fix, never used.
"""

from __future__ import annotations

import os
import pwd
import secrets
import stat
from pathlib import Path

from ..core.errors import InvalidValueError
from ..store.private import secret_dir

TOKEN_NAME = "mcp-token"


def default_path() -> Path:
    """`$XDG_CONFIG_HOME/htrac/mcp-token` (default `~/.config/…`, home from the password
    database, not `$HOME`)."""
    base = os.environ.get("XDG_CONFIG_HOME")
    if not base or not os.path.isabs(base):
        base = os.path.join(pwd.getpwuid(os.getuid()).pw_dir, ".config")
    return Path(base) / "htrac" / TOKEN_NAME


def load_or_create(path: Path | None) -> tuple[str, Path]:
    """(token, its file): read from `path`, or made in the default place on first use."""
    if path is None:
        path = default_path()
        if not path.exists() and not path.is_symlink():
            _create(path)
    return read(path), path


def read(path: Path) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise InvalidValueError(f"cannot open the token file {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidValueError(f"the token file {path} is not a regular file")
        if info.st_uid != os.geteuid():
            raise InvalidValueError(f"the token file {path} is not yours: use a file you own")
        if info.st_mode & 0o077:
            raise InvalidValueError(f"the token file {path} is readable by others: "
                                    f"chmod 600 {path}")
        token = os.read(fd, 4096).decode("utf-8", "replace").strip()
    finally:
        os.close(fd)
    if len(token) < 16:
        raise InvalidValueError(f"the token file {path} holds no token of 16 characters or more")
    return token


def _create(path: Path) -> None:
    secret_dir(path.parent, what="the MCP token's directory")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(32) + "\n")
