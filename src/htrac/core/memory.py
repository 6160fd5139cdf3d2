"""An item's memory: must-remember notes and links, kept in its op-log.

Must-remember entries are the few facts an agent must not lose when its context is compacted
("the fixture needs root", "don't touch the v1 API"). Each is written by one `update` op that
carries `remember: "<text>"` and is named by that op's nonce — a name that never shifts when
other entries come and go. `forget: [<nonce>, …]` removes entries by name. An item holds at most
`MAX_ENTRIES` (aticket's limit): past it, an agent's new entry is refused (a human's never is, so
agents can't crowd the human out); who may forget whose entry is an authority rule
(`htrac.policy.rules`): an agent never removes a human's.

Links are URIs attached to the item, a set: `add: {links: [uri]}` and `remove: {links: [uri]}`
in an `update`, like tags.

All of these are htrac keys on the reference's own `update` op, after `set`/`add`/`remove`: the
reference 0.11 folds such an op as an update that changes nothing, and its `validate` (and so
its pre-commit hook) accepts it (docs/design/differences.md, "Memory").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .ops import Op

if TYPE_CHECKING:
    from .item import Item

MAX_ENTRIES = 16
MAX_TEXT = 2000
MAX_LINK = 2048
REMEMBER = "remember"
FORGET = "forget"
LINKS = "links"
# An absolute URI as one token: RFC 3986 scheme, no whitespace, controls, quotes or brackets.
LINK = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,31}):[^\s\x00-\x1f\x7f-\x9f\"'<>`\\]+")
ENTRY_NAME = re.compile(r"[0-9a-f]{4,64}")


def check_remember(value: Any) -> str:
    """The text of a `remember` key, or ValueError naming what is wrong."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("'remember' must be a non-empty text")
    if len(value) > MAX_TEXT:
        raise ValueError(f"'remember' is longer than {MAX_TEXT} characters")
    return value


def check_forget(value: Any) -> list[str]:
    if (not isinstance(value, list) or not value or len(value) > MAX_ENTRIES
            or not all(isinstance(v, str) and ENTRY_NAME.fullmatch(v) for v in value)):
        raise ValueError(f"'forget' must be a list of 1 to {MAX_ENTRIES} entry names (nonces)")
    return value


def check_link(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_LINK or not LINK.fullmatch(value):
        raise ValueError(f"'links' must hold absolute URIs (scheme:rest, at most {MAX_LINK} "
                         f"characters, no spaces or quotes), got {str(value)[:40]!r}")
    return value


def forgotten(op: Op) -> list[str]:
    """The entry names an op removes."""
    names = op.get(FORGET) if op.type == "update" else None
    return list(names) if isinstance(names, list) else []


def remembers(op: Op) -> bool:
    return op.type == "update" and REMEMBER in op.body


def apply(item: Item, op: Op, who: str) -> None:
    """The memory keys of an update the policy let through (after its set/add/remove)."""
    from .item import Memo

    names = set(forgotten(op))
    if names:
        item.memory = [m for m in item.memory if m.nonce not in names]
    if remembers(op):
        item.memory.append(Memo(nonce=op.nonce, text=op.get(REMEMBER), by=who,
                                actor=op.actor or "", at=op.at))
