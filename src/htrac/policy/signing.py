"""Signatures: what makes a human's op impossible to forge without the human's private key.

A human's op carries `sig: ed25519:<key id>:<signature>` as its last key. The signature is
Ed25519 over the op's *signed bytes*:

    b"htrac-op-sig-v1\\n" + JSON({"context": C, "header": [op, at, by, actor, clock, nonce],
                                  "body": {every key of the op but the header and sig}})

JSON with sorted keys, `,`/`:` separators, UTF-8 without escaping (`ensure_ascii=False`), the
values exactly as they read back from the file (htrac refuses to write an op that would not read
back as written, so what is signed is what every clone reads). These are the op's canonical
bytes (`core.identity`), whose hash is also the op's identity. `C`, the context, binds the op
to where it lives: the item's ID for ops in an item's log, `edit-mode` for the edit-mode log.
Without it a signed `unlock` copied from one item's file into another's would verify there.
The key ID is the first 16 hex digits of SHA-256 of the raw 32-byte public key; a public key is
written `ed25519:<base64 of the raw 32 bytes>`.

`cryptography` is imported only when a key is used, so commands that never meet a signature
don't pay for it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING

from ..core.identity import canonical_bytes, context_of, hex_id
from ..core.ops import Op
from ..core.record import record

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SCHEME = "ed25519"


class KeyFormatError(ValueError):
    """A public key or signature that is not in htrac's textual form."""


def signed_bytes(op: Op, context: str) -> bytes:
    """What the signature covers: the op's canonical bytes (`core.identity`)."""
    return canonical_bytes(op, context)


def key_id(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()[:16]


def format_public_key(raw_public: bytes) -> str:
    return f"{SCHEME}:{base64.b64encode(raw_public).decode('ascii')}"


def parse_public_key(text: str) -> bytes:
    scheme, _, encoded = text.strip().partition(":")
    if scheme != SCHEME:
        raise KeyFormatError(f"not an {SCHEME} public key: {text[:40]!r}")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise KeyFormatError(f"public key is not valid base64: {text[:40]!r}") from None
    if len(raw) != 32:
        raise KeyFormatError(f"an {SCHEME} public key has 32 bytes, this one {len(raw)}")
    return raw


def digest(op: Op, item_id: str) -> str:
    """What a baseline records of an op: its identity, in hex (`core.identity`)."""
    return hex_id(op, context_of(op, item_id))


@record(frozen=True)
class Verifier:
    """Checks signatures against the human keys the governance trusts.

    `baseline` holds digests of the unsigned human ops that existed when signing was turned on
    (`htrac setup` records them): history written before there were keys stays the human's.
    A forger gains nothing from it: only an op identical to one already there matches.
    """

    keys: tuple[str, ...]  # public keys in textual form
    baseline: frozenset[str] = frozenset()

    def verify(self, op: Op, item_id: str) -> str | None:
        """None when `op` carries a valid signature by a trusted key, else why not."""
        if not op.sig:
            if self.baseline and digest(op, item_id) in self.baseline:
                return None
            return "it is not signed"
        scheme, _, rest = op.sig.partition(":")
        kid, _, encoded = rest.partition(":")
        public = _trusted(self.keys).get(kid)
        if scheme != SCHEME or public is None:
            return "it is signed by a key the trust root does not list"
        try:
            signature = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            message = signed_bytes(op, context_of(op, item_id))
        except (binascii.Error, ValueError, TypeError):
            return "its signature is malformed"
        if not _check(public, signature, message):
            return "its signature does not match its content"
        return None


@lru_cache(maxsize=64)
def _trusted(keys: tuple[str, ...]) -> dict[str, bytes]:
    trusted = {}
    for text in keys:
        try:
            raw = parse_public_key(text)
        except KeyFormatError:
            continue  # the trust root's own check reports it; a bad key trusts nothing
        trusted[key_id(raw)] = raw
    return trusted


def _check(public: bytes, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        _public_key(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@lru_cache(maxsize=64)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    return Ed25519PublicKey.from_public_bytes(raw)


def sign(op: Op, item_id: str, private_pem: bytes) -> Op:
    """`op` with its `sig`, made with the private key in `private_pem` (PKCS#8, unencrypted)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        PublicFormat,
        load_pem_private_key,
    )

    key = load_pem_private_key(private_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFormatError("the private key is not an Ed25519 key")
    raw_public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    unsigned = op.with_sig(None)
    signature = key.sign(signed_bytes(unsigned, context_of(op, item_id)))
    encoded = base64.urlsafe_b64encode(signature).decode("ascii").rstrip("=")
    return op.with_sig(f"{SCHEME}:{key_id(raw_public)}:{encoded}")
