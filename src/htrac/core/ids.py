"""Item IDs: a content hash of the create data, spelled as eight proquint words.

`<PREFIX>-` + the first 128 bits of SHA-256 over `json.dumps(data, sort_keys=True)` (Python's
default separators and ASCII escaping) plus an optional salt, as eight 16-bit big-endian words,
each a proquint syllable consonant-vowel-consonant-vowel-consonant. Identical content gives the
identical ID, which is why the writer salts with the new op's nonce when the file it would
create exists without a create in it. Compatible with the reference's IDs.

User input that names an item is checked against a strict pattern before it comes near the file
system, so an "ID" can never be a path.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # `typing` costs every read command; the annotations are strings
if TYPE_CHECKING:
    from typing import Any

CONSONANTS = "bdfghjklmnprstvz"
VOWELS = "aiou"

FULL_ID = re.compile(r"[A-Z][A-Z0-9_]{0,15}-[a-z]{5}(?:-[a-z]{5}){7}")
# What may be typed to name an item: a full ID, a prefix of one, or its first proquint word.
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
# What a file name may carry to be listed as an item (the reference accepts any name; htrac
# lists only names that are safe to print and to pass back as an argument).
FILE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


def proquint(word: int) -> str:
    return (CONSONANTS[(word >> 12) & 0xF] + VOWELS[(word >> 10) & 0x3]
            + CONSONANTS[(word >> 6) & 0xF] + VOWELS[(word >> 4) & 0x3]
            + CONSONANTS[word & 0xF])


def make_id(prefix: str, data: dict[str, Any], salt: str = "") -> str:
    return prefix + "-" + _words(data, salt)


def _words(data: dict[str, Any], salt: str) -> str:
    return _spell(_canonical(data) + salt)


def _canonical(data: dict[str, Any]) -> str:
    import json  # here: every command needs the patterns above, only `add` makes an ID

    return json.dumps(data, sort_keys=True)


def _spell(canonical: str) -> str:
    import hashlib

    digest = hashlib.sha256(canonical.encode("utf-8")).digest()[:16]
    words = [int.from_bytes(digest[i:i + 2], "big") for i in range(0, 16, 2)]
    return "-".join(proquint(w) for w in words)


def hashes_to(item_id: str, data: dict[str, Any], salt: str) -> bool:
    """Is `item_id` the ID of an item created with `data` — plain, or salted with `salt` (the
    create op's nonce, as the writer salts when the plain ID's file already exists)?"""
    _, _, words = item_id.partition("-")
    if not FULL_ID.fullmatch(item_id) or not isinstance(salt, str):
        return False
    try:  # encoded once for both, and salted only when the plain ID is not it
        canonical = _canonical(data)
        return words == _spell(canonical) or words == _spell(canonical + salt)
    except (TypeError, ValueError):
        return False  # values JSON can't encode were never hashed into an ID


def default_prefix(kind: str) -> str:
    return kind.upper()[:3]


def matches(item_id: str, ref: str) -> bool:
    """Does `ref` name `item_id` as a prefix (or, with no dash, a prefix of its words)?"""
    if item_id.startswith(ref):
        return True
    if "-" not in ref:
        _, _, rest = item_id.partition("-")
        return rest.startswith(ref)
    return False


def short(item_id: str) -> str:
    """`WI-dajam` from `WI-dajam-vuvuf-…`: the prefix and first word, as the reference prints."""
    parts = item_id.split("-")
    return "-".join(parts[:2])
