"""`htrac log REF --explain`: each op of an item in the order the fold applies it — whose it
is, whether it took effect or why not, and what it changed.

Computed by folding the ops in fold order one more at a time and comparing each state with the
one before, so it shows exactly what the fold does (the same order, policy and schema), at the
cost of one fold per op (items hold tens of ops, not thousands). When the fold records its own
trace (issue 12), this module reads that instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.problems import DAMAGED, REJECTED, UNKNOWN

if TYPE_CHECKING:
    from ..core.ops import Op
    from .tracker import Tracker

APPLIED, REJECTED_, UNKNOWN_, NO_EFFECT = "applied", "rejected", "unknown op", "no effect"
_IGNORED = ("updated_at", "problems", "hidden_deleted", "version", "op_ids")


@dataclass(slots=True)
class Step:
    n: int
    op: Op
    who: str  # whose authority the fold judged it to carry
    outcome: str  # applied | rejected | unknown op | no effect
    reason: str = ""
    changes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "op": self.op.type, "nonce": self.op.nonce, "at": self.op.at,
                "clock": self.op.clock, "by": self.op.by, "actor": self.op.actor,
                "judged": self.who, "outcome": self.outcome, "reason": self.reason,
                "changes": self.changes}


@dataclass(slots=True)
class Explanation:
    item_id: str
    tier: str
    steps: list[Step]
    damaged: list[str]  # blocks that could not be read at all, with their line


def explain(tracker: Tracker, ref: str) -> Explanation:
    from ..core.fold import fold, sort_key

    store = tracker.store
    tier, item_id = store.resolve(ref)
    log = store.read_log(tier, item_id)
    edits = [op for op in store.global_ops(tier)
             if op.type.startswith("edit-mode") or op.get("item") == item_id]
    policy = store.policy
    ordered = sorted(((op, policy.actor_class(op, item_id)) for op in [*log.ops, *edits]),
                     key=lambda pair: sort_key(*pair))
    steps: list[Step] = []
    before: dict[str, Any] = {}
    for n in range(1, len(ordered) + 1):
        op, who = ordered[n - 1]
        item = fold(item_id, [o for o, _ in ordered[:n]], store.vocab, policy=policy)
        mine = [p for p in item.problems if p.nonce == op.nonce and p.op == op.type]
        after = {k: v for k, v in item.as_dict(history=True).items() if k not in _IGNORED}
        changes = _changes(before, after) if item.kind else []
        if any(p.kind == UNKNOWN for p in mine):
            step = Step(n, op, who, UNKNOWN_, mine[0].reason)
        elif any(p.kind == REJECTED for p in mine):
            step = Step(n, op, who, REJECTED_, next(p.reason for p in mine
                                                    if p.kind == REJECTED))
        else:
            step = Step(n, op, who, APPLIED if changes else NO_EFFECT, changes=changes)
        steps.append(step)
        if item.kind:
            before = after
    damaged = [p.describe() for p in log.problems if p.kind == DAMAGED]
    return Explanation(item_id, tier, steps, damaged)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    if not before:
        return [f"created: {after.get('kind')} {after.get('title')!r}, status "
                f"{after.get('status')}, P{after.get('priority')}"]
    out = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key == "discussion":
            out.append(_discussion(old or [], new or []))
        elif key == "memory":
            gone = {m["nonce"] for m in old or []} - {m["nonce"] for m in new or []}
            added = [m for m in new or [] if m["nonce"] not in {o["nonce"] for o in old or []}]
            out.extend(f"must-remember +{m['nonce'][:8]}: {m['text'][:60]!r}" for m in added)
            out.extend(f"must-remember -{g[:8]}" for g in sorted(gone))
        elif isinstance(old, list) or isinstance(new, list):
            plus = [v for v in new or [] if v not in (old or [])]
            minus = [v for v in old or [] if v not in (new or [])]
            out.append(f"{key}: " + " ".join([*(f"+{v}" for v in plus),
                                              *(f"-{v}" for v in minus)]))
        elif isinstance(old, dict) or isinstance(new, dict):
            out.append(f"{key}: {old} → {new}")
        else:
            out.append(f"{key}: {old!r} → {new!r}" if isinstance(new, str) and key in (
                "title", "description") else f"{key}: {old} → {new}")
    return out


def _discussion(old: list[dict], new: list[dict]) -> str:
    if not new:
        return f"discussion cleared ({len(old)} messages)"
    if len(new) == len(old) + 1 and new[:-1] == old:
        return f"message: {new[-1]['message'][:80]!r}"
    if any(e.get("is_summary") for e in new) and len(new) <= len(old):
        return f"discussion summarized ({len(old)} → {len(new)} messages)"
    changed = sum(1 for a, b in zip(old, new) if a != b)
    return f"discussion: {changed} message(s) edited or deleted"
