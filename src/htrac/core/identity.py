"""What an op is, independently of where it sits: its canonical bytes, its identity, and the
version of an item (a digest of its ops' identities).

Canonical bytes are what a signature covers (`docs/design/trust-root.md`):

    b"htrac-op-sig-v1\\n" + JSON({"context": C, "header": [op, at, by, actor, clock, nonce],
                                  "body": {every key of the op but the header and sig}})

JSON with sorted keys, `,`/`:` separators, UTF-8 without escaping, the values exactly as they
read back from the file. The context `C` binds the op to where it lives: the item's ID for ops
in an item's log (message edits included: they name their item), `edit-mode` for the tier-wide
edit-mode log's own `edit-mode-on`/`-off` ops.

An op's **identity** is the first 128 bits of SHA-256 over its canonical bytes, written as 22
characters of unpadded base64url. It covers every key but `sig` — the nonce too, but it is not
the nonce: two ops that share a nonce and differ in anything else are two identities, so a nonce
reused with other content can't pass for an op someone saw. The same 128 bits in hex are what a
trust root's baseline lists (`policy/trustroot.py`).

An item's **version** is the first 64 bits of SHA-256 over the sorted identities of the ops that
make the item (its file's, and the message edits that name it with the edit-mode ops that judge
them), in 16 hex digits: any op added changes it, and nothing else does.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable

from .ops import EDIT_MODE_TYPES, Op

DOMAIN = b"htrac-op-sig-v1\n"
EDIT_MODE_CONTEXT = "edit-mode"
ID_CHARS = 22  # 128 bits of base64url without padding

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# The same encoder made once, as `_ENCODER.encode` makes it on every call (every op of every
# item folded is encoded): the C one, without the check for circular references — an op's
# body is parsed YAML or built by htrac, never circular. None where `_json` is missing.
_MAKE = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE = (_MAKE(None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", True,
                   False, True) if _MAKE is not None else None)


def context_of(op: Op, item_id: str) -> str:
    """Edit-mode ops live in a tier-wide log and belong to no one item."""
    return EDIT_MODE_CONTEXT if op.type in EDIT_MODE_TYPES else item_id


def canonical_bytes(op: Op, context: str) -> bytes:
    """The bytes a signature covers and an identity hashes (never the `sig` itself)."""
    header = [op.type, op.at, op.by, op.actor, op.clock, op.nonce]
    value = {"context": context, "header": header, "body": op.body}
    text = "".join(_C_ENCODE(value, 0)) if _C_ENCODE is not None else _ENCODER.encode(value)
    return DOMAIN + text.encode("utf-8")


def digest(op: Op, context: str) -> bytes:
    return hashlib.sha256(canonical_bytes(op, context)).digest()[:16]


def op_id(op: Op, context: str) -> str:
    """The op's identity: 22 characters of base64url."""
    return base64.urlsafe_b64encode(digest(op, context)).rstrip(b"=").decode("ascii")


def hex_id(op: Op, context: str) -> str:
    """The same 128 bits in hex, as a trust root's baseline lists them."""
    return digest(op, context).hex()


def is_op_id(value: object) -> bool:
    return (isinstance(value, str) and len(value) == ID_CHARS
            and all(c.isascii() and (c.isalnum() or c in "-_") for c in value))


def version_of(identities: Iterable[str]) -> str:
    """An item's version: 16 hex digits that change whenever an op is added."""
    text = "\n".join(sorted(set(identities)))
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]
