"""A human's signing key pair, kept in their own config directory and readable only by them.

`$XDG_CONFIG_HOME/htrac/keys/` (default `~/.config/htrac/keys/`, home from the password
database, not `$HOME`): `ed25519.key` (PKCS#8 PEM, mode 0600, directory 0700) and
`ed25519.pub` (the public key in textual form, one line). Where the key is read from decides
nothing about authority: an op verifies only against keys the trust root lists.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import AuthorityError, HtracError
from .signing import format_public_key, key_id, parse_public_key

PRIVATE_NAME = "ed25519.key"
PUBLIC_NAME = "ed25519.pub"


def key_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME")
    if not base or not os.path.isabs(base):
        base = os.path.join(pwd.getpwuid(os.getuid()).pw_dir, ".config")
    return Path(base) / "htrac" / "keys"


@dataclass(frozen=True, slots=True)
class KeyPair:
    private_path: Path
    public: str  # textual public key

    @property
    def key_id(self) -> str:
        return key_id(parse_public_key(self.public))

    def private_pem(self) -> bytes:
        _check_private_mode(self.private_path)
        try:
            return self.private_path.read_bytes()
        except OSError as exc:
            raise AuthorityError(f"cannot read your signing key {self.private_path}: "
                                 f"{exc.strerror}") from None


def load(directory: Path | None = None) -> KeyPair | None:
    directory = directory or key_dir()
    private, public = directory / PRIVATE_NAME, directory / PUBLIC_NAME
    if not private.is_file() or not public.is_file():
        return None
    _private(directory)  # a key someone else could have planted or swapped is not yours
    text = public.read_text(encoding="utf-8").strip()
    parse_public_key(text)
    return KeyPair(private, text)


def create(directory: Path | None = None) -> tuple[KeyPair, bool]:
    """The key pair in `directory`, made now if there is none; (pair, created)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    directory = directory or key_dir()
    existing = load(directory)
    if existing is not None:
        return existing, False
    try:
        _private(directory)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        private = directory / PRIVATE_NAME
        fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        public = format_public_key(raw)
        (directory / PUBLIC_NAME).write_text(public + "\n", encoding="utf-8")
    except OSError as exc:
        raise HtracError(f"cannot create a key in {directory}: {exc.strerror or exc}") from None
    return KeyPair(private, public), True


def _private(directory: Path) -> Path:
    from ..store.private import private_dir

    return private_dir(directory, what="your key directory")


def _check_private_mode(path: Path) -> None:
    try:
        info = path.stat()
    except OSError as exc:
        raise AuthorityError(f"cannot read your signing key {path}: {exc.strerror}") from None
    if info.st_mode & 0o077 or info.st_uid != os.getuid():
        raise AuthorityError(f"your signing key {path} is readable by others; anyone who read "
                             f"it can sign as you. Fix: chmod 600 {path}, then consider "
                             "'htrac keys init' with a fresh key")
