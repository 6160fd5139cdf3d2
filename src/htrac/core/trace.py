"""A fold's account of itself: every op in the order it was judged, whose it was, whether it took
effect (and why not), and what it changed. The history view of every surface and
`htrac log --explain` show this; the fold builds it only when asked.
"""

from __future__ import annotations

from typing import Any

from .item import Item
from .ops import Op
from .record import record

APPLIED = "applied"
REJECTED = "rejected"
UNKNOWN = "unknown"
IGNORED = "ignored"  # valid, but nothing for it to do (a second create, an audit record)


@record(frozen=True)
class Step:
    """One op as the fold judged it (`htrac log --explain`, the history views)."""
    ident: str
    op: Op
    who: str  # the authority the op carries: human or agent
    outcome: str
    reason: str = ""
    changes: tuple[tuple[str, Any, Any], ...] = ()  # (field, before, after)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.ident, "op": self.op.type, "nonce": self.op.nonce,
                "clock": self.op.clock, "at": self.op.at, "by": self.op.by,
                "actor": self.op.actor, "authority": self.who, "outcome": self.outcome,
                "reason": self.reason,
                "changes": [{"field": f, "before": b, "after": a} for f, b, a in self.changes]}


_SCALARS = ("kind", "title", "status", "priority", "parent", "pr_ref", "description")
_LISTS = ("tags", "isbefore", "duplicate_of", "not_duplicate_of", "links", "evidence")


def snapshot(item: Item) -> dict[str, Any]:
    state: dict[str, Any] = {name: getattr(item, name) for name in _SCALARS}
    state.update({name: list(getattr(item, name)) for name in _LISTS})
    state.update({f"fields.{k}": v for k, v in item.fields.items()})
    state["locked"] = sorted(item.locked_fields)
    state["discussion"] = [(e.nonce, e.message, e.is_tombstoned) for e in item.discussion]
    state["memory"] = [f"{m.nonce[:8]} {m.text}" for m in item.memory]  # must-remember notes
    state["claim"] = _claim(item)
    return state


def _claim(item: Item) -> str | None:
    """Who holds the item and until when it was last renewed: a take, a heartbeat, a release,
    a reservation or a claim taken over each change it."""
    claim = item.claim
    if claim is None:
        return None
    renewed = claim.renewals[-1] if claim.renewals else claim.taken_at
    times = f", renewed {len(claim.renewals) - 1}×" if len(claim.renewals) > 1 else ""
    text = f"{claim.holder} ({claim.by}), lease {claim.ttl_seconds}s from {renewed}{times}"
    return text + (f", reserves {', '.join(claim.paths)}" if claim.paths else "")


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[tuple[str, Any, Any], ...]:
    found = []
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name == "discussion":
            old, new = _messages(old), _messages(new)
            if old == new:
                new += " (one edited, deleted or restored)"
        found.append((name, old, new))
    return tuple(found)


def _messages(entries: list[tuple[Any, Any, bool]] | None) -> str:
    entries = entries or []
    shown = sum(1 for _, _, tombstoned in entries if not tombstoned)
    return f"{shown} message{'s' if shown != 1 else ''}"
