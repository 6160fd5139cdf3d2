"""The web login's password: a bcrypt hash in the human's config directory (mode 0600).

bcrypt reads at most 72 bytes, so the password is first hashed with SHA-256 (base64, 44 bytes):
every character of a long passphrase counts. The file holds one line, `sha256-bcrypt$<hash>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

from ..core.errors import HtracError, InvalidValueError
from ..store.private import read_secret, write_private
from .places import config_dir

SCHEME = "sha256-bcrypt$"
ROUNDS = 12
MIN_LENGTH = 8
MAX_LENGTH = 4096
# Checked when no password is set, so a missing file answers as slowly as a wrong password.
_DUMMY = b"$2b$12$p5tp5HJDUeKL99kE/QQcYOn4bgH.Re4/jIQDlkoBV2J5PVwyANNku"


def password_path() -> Path:
    return config_dir() / "password"


def _prehash(password: str) -> bytes:
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def set_password(password: str, path: Path | None = None) -> Path:
    import bcrypt

    if len(password) < MIN_LENGTH:
        raise InvalidValueError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidValueError(f"a password may have at most {MAX_LENGTH} characters")
    path = path or password_path()
    hashed = bcrypt.hashpw(_prehash(password), bcrypt.gensalt(ROUNDS))
    write_private(path, SCHEME + hashed.decode("ascii") + "\n")
    return path


def has_password(path: Path | None = None) -> bool:
    return _stored(path or password_path()) is not None


def check_password(password: str, path: Path | None = None) -> bool:
    """Is `password` the one set? Slow on purpose (bcrypt); run it off the event loop."""
    import bcrypt

    stored = _stored(path or password_path())
    candidate = _prehash(password[:MAX_LENGTH])
    if stored is None:
        bcrypt.checkpw(candidate, _DUMMY)
        return False
    try:
        return bcrypt.checkpw(candidate, stored)
    except ValueError:
        raise HtracError("the stored password hash is malformed: set it again with "
                         "'htrac serve passwd'") from None


def _stored(path: Path) -> bytes | None:
    data = read_secret(path)
    if data is None:
        return None
    line = data.strip().encode("ascii", "replace")
    if not line.startswith(SCHEME.encode()):
        raise HtracError(f"{path} is not an htrac password file: set it again with "
                         "'htrac serve passwd'")
    return line[len(SCHEME):]


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
