"""What each op does to an item once the fold has decided it may take effect.

Scalars are last-writer-wins; `fields` merges key by key and a null value deletes its key;
`tags`, `isbefore`, `duplicate_of` and `not_duplicate_of` are sets (`set` replaces, `add`
appends what is missing, `remove` drops). Legacy `before` is read as `isbefore`.

An agent's `discuss_summarize` replaces the agents' messages but keeps every human's (DESIGN,
point 9); a human's replaces the whole discussion, as in the reference. An item whose every
lockable name is locked is frozen: that is how freeze lives in the op-log (DESIGN, point 8).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import evidence, memory
from .item import Entry, Item
from .ops import HUMAN, LOCKABLE, SET_VALUED, Op, canonical_key

FREEZE = frozenset(LOCKABLE)  # freeze is recorded as a lock of every lockable name


def assign(item: Item, data: dict[str, Any]) -> None:
    """The initial state a create's (cleaned) data gives."""
    item.kind = data["kind"]
    item.title = data["title"]
    item.status = data["status"]
    item.priority = data["priority"]
    item.parent = data["parent"]
    item.pr_ref = data["pr_ref"]
    item.description = data["description"]
    item.fields = dict(data["fields"])
    for name in SET_VALUED:
        setattr(item, name, _unique(data[name]))


def apply(item: Item, op: Op, who: str) -> None:
    if op.type == "discuss_summarize" and who != HUMAN:
        _apply_agent_summarize(item, op)
    else:
        _APPLY.get(op.type, _no_effect)(item, op)
    if op.type == "update":  # htrac's own keys (core.memory, core.evidence)
        memory.apply(item, op, who)
        evidence.apply(item, op, who)


def _unique(values: list[Any]) -> list[Any]:
    if not values:
        return []  # most sets are empty: spare building a dictionary for them
    return list(dict.fromkeys(values))


def _apply_update(item: Item, op: Op) -> None:
    for key, value in (op.get("set") or {}).items():
        name = canonical_key(key)
        if name == "fields":
            for field_key, field_value in value.items():
                if field_value is None:
                    item.fields.pop(field_key, None)
                else:
                    item.fields[field_key] = field_value
        elif name in SET_VALUED:
            setattr(item, name, _unique([value] if isinstance(value, str) else value))
        else:
            setattr(item, name, value)
    for key, values in (op.get("add") or {}).items():
        current = getattr(item, canonical_key(key))
        current.extend(v for v in _unique(values) if v not in current)
    for key, values in (op.get("remove") or {}).items():
        current = getattr(item, canonical_key(key))
        for value in values:
            if value in current:
                current.remove(value)


def entry_of(op: Op, *, summary: bool = False) -> Entry:
    return Entry(by=op.by, actor=op.actor or "", at=op.at, message=op.get("message"),
                 nonce=op.nonce, is_summary=summary)


def _apply_discuss(item: Item, op: Op) -> None:
    item.discussion.append(entry_of(op))


def _apply_clear(item: Item, op: Op) -> None:
    item.discussion = []


def _apply_summarize(item: Item, op: Op) -> None:
    item.discussion = [entry_of(op, summary=True)]


def _apply_agent_summarize(item: Item, op: Op) -> None:
    """An agent's summary replaces the agents' messages only: humans' words stay (DESIGN, 9)."""
    kept = [entry for entry in item.discussion if entry.by == HUMAN]
    item.discussion = [*kept, entry_of(op, summary=True)]


def _apply_lock(item: Item, op: Op) -> None:
    item.locked_fields.update(canonical_key(n.lower()) for n in op.get("lock"))
    item.frozen = FREEZE <= item.locked_fields


def _apply_unlock(item: Item, op: Op) -> None:
    item.locked_fields.difference_update(canonical_key(n.lower()) for n in op.get("unlock"))
    item.frozen = FREEZE <= item.locked_fields


def _no_effect(item: Item, op: Op) -> None:
    """promote, demote, stealth, unstealth and reconcile are audit records."""


_APPLY: dict[str, Callable[[Item, Op], None]] = {
    "update": _apply_update, "discuss": _apply_discuss, "discuss_clear": _apply_clear,
    "discuss_summarize": _apply_summarize, "lock": _apply_lock, "unlock": _apply_unlock,
}
