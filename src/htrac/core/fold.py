"""The fold: an item's ops, put in one total order and applied, give the item's state.

Order. Ops are sorted by `(clock, at, actor rank, nonce)` where an agent's op ranks before a
human's. Applying in that order means a later clock wins; on an equal clock a later timestamp
wins; on a full tie the human's op is applied last and so wins (DESIGN, point 5 — the reference
does the opposite); the nonce makes the order total, so every clone folds the same ops the same
way whatever order the file holds them in.

Effects. The first `create` in that order gives the initial state; every other create only lowers
`created_at`. Scalars are last-writer-wins; `fields` merges key by key and a null value deletes
its key; `tags`, `isbefore`, `duplicate_of` and `not_duplicate_of` are sets (`set` replaces,
`add` appends what is missing, `remove` drops). Legacy `before` is read as `isbefore`.

An agent's `discuss_summarize` replaces the agents' messages but keeps every human's (DESIGN,
point 9); a human's replaces the whole discussion, as in the reference. An item whose every
lockable name is locked is frozen: that is how freeze lives in the op-log (DESIGN, point 8).

Authority. The fold asks a `Policy` whether each op may take effect; a refused op is skipped and
recorded on the item with the reason, never breaking the fold. The core ships only a permissive
policy; `htrac.policy` supplies the real one. The fold reads no files and no git: the same ops
and the same policy give the same item on every clone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from . import editmode
from .item import Entry, Item
from .ops import AGENT, HUMAN, KNOWN_TYPES, LOCKABLE, MESSAGE_EDIT_TYPES, EDIT_MODE_TYPES, SET_VALUED, Op, \
    canonical_key
from .policy import PERMISSIVE, Permissive, Policy
from .problems import DAMAGED, NOTE, REJECTED, UNKNOWN, Problem
from .schema import SchemaError, Vocabulary, check_op, clean_create_data

__all__ = ["fold", "sort_key", "Policy", "Permissive", "PERMISSIVE"]


def sort_key(op: Op, actor_class: str) -> tuple[int, str, int, str]:
    return (op.clock, op.at, 1 if actor_class == HUMAN else 0, op.nonce)


def fold(item_id: str, ops: Iterable[Op], vocab: Vocabulary, *,
         policy: Policy = PERMISSIVE, global_ops: Iterable[Op] = (),
         lines: Mapping[str, int] | None = None,
         read_problems: Iterable[Problem] = ()) -> Item:
    """Compile `ops` (an item file's) plus `global_ops` (its tier's edit-mode log) into an Item."""
    item = Item(id=item_id)
    item.problems.extend(read_problems)
    lines = lines or {}
    classed = [(op, policy.actor_class(op, item_id)) for op in [*ops, *global_ops]]
    classed.sort(key=lambda pair: sort_key(*pair))
    item.op_count = len(classed)

    def report(kind: str, op: Op, reason: str) -> None:
        item.problems.append(Problem(kind, reason, line=lines.get(op.nonce, 0),
                                     nonce=op.nonce, op=op.type))

    valid: list[tuple[Op, str]] = []
    for op, who in classed:
        if op.type not in KNOWN_TYPES:
            report(UNKNOWN, op, f"unknown op type '{op.type}' kept in the file, not applied")
            continue
        try:
            check_op(op, vocab)
        except SchemaError as exc:
            report(REJECTED, op, str(exc))
            continue
        valid.append((op, who))

    creates = [(op, who) for op, who in valid if op.type == "create"]
    if not _start(item, creates, vocab, policy, report):
        item.problems.append(Problem(DAMAGED, "no valid create op: the item has no initial state"))
    edits: list[tuple[Op, str]] = []
    for op, who in valid:
        if op.type == "create":
            continue
        reason = policy.refuse(op, item, who)
        if reason:
            report(REJECTED, op, reason)
            continue
        item.updated_at = op.at
        if op.type in MESSAGE_EDIT_TYPES or op.type in EDIT_MODE_TYPES:
            edits.append((op, who))
        elif op.type == "discuss_summarize" and who != HUMAN:
            _apply_agent_summarize(item, op)
        else:
            _APPLY.get(op.type, _no_effect)(item, op)
    for op, reason in editmode.apply(item, edits):
        report(REJECTED, op, reason)
    if item.updated_at < item.created_at:
        item.updated_at = item.created_at
    return item


def _start(item: Item, creates: list[tuple[Op, str]], vocab: Vocabulary, policy: Policy,
           report) -> bool:
    started = False
    for op, who in creates:
        if started:
            item.created_at = min(item.created_at, op.at)
            continue
        data, notes = clean_create_data(op.get("data"), vocab)
        for note in notes:
            report(NOTE, op, note)
        candidate = Item(id=item.id, problems=item.problems)
        _assign(candidate, data)
        reason = policy.refuse(op, candidate, who)
        if reason:
            report(REJECTED, op, reason)
            continue
        _assign(item, data)
        item.created_at = item.updated_at = op.at
        started = True
    return started


def _assign(item: Item, data: dict) -> None:
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


def _unique(values: list) -> list:
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


def _entry(op: Op, *, summary: bool = False) -> Entry:
    return Entry(by=op.by, actor=op.actor or "", at=op.at, message=op.get("message"),
                 nonce=op.nonce, is_summary=summary)


def _apply_discuss(item: Item, op: Op) -> None:
    item.discussion.append(_entry(op))


def _apply_clear(item: Item, op: Op) -> None:
    item.discussion = []


def _apply_summarize(item: Item, op: Op) -> None:
    item.discussion = [_entry(op, summary=True)]


def _apply_agent_summarize(item: Item, op: Op) -> None:
    """An agent's summary replaces the agents' messages only: humans' words stay (DESIGN, 9)."""
    kept = [entry for entry in item.discussion if entry.by == HUMAN]
    item.discussion = [*kept, _entry(op, summary=True)]


def _apply_lock(item: Item, op: Op) -> None:
    item.locked_fields.update(canonical_key(n.lower()) for n in op.get("lock"))
    item.frozen = _FREEZE <= item.locked_fields


_FREEZE = frozenset(LOCKABLE)  # freeze is recorded as a lock of every lockable name (DESIGN, 8)


def _apply_unlock(item: Item, op: Op) -> None:
    item.locked_fields.difference_update(canonical_key(n.lower()) for n in op.get("unlock"))
    item.frozen = _FREEZE <= item.locked_fields


def _no_effect(item: Item, op: Op) -> None:
    """promote, demote, stealth, unstealth and reconcile are audit records."""


_APPLY = {
    "update": _apply_update, "discuss": _apply_discuss, "discuss_clear": _apply_clear,
    "discuss_summarize": _apply_summarize, "lock": _apply_lock, "unlock": _apply_unlock,
}
