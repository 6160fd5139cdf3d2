"""An item's history as a surface shows it: every op in the order the fold judged it (the
causal order, `core.causal`), whose authority it really carries (a forged human op counts as the
agent's), whether it took effect or why not, and what it changed (`core.trace`)."""

from __future__ import annotations

from typing import Any

from ..core.item import Item
from ..core.ops import SEEN
from ..core.trace import REJECTED, Step
from .tracker import Tracker


def trace(tracker: Tracker, ref: str) -> tuple[Item, list[Step]]:
    """The item and the fold's account of every op in it."""
    tier, item_id = tracker.store.resolve(ref)
    steps: list[Step] = []
    item = tracker.store.fold_log(tier, item_id, tracker.store.read_log(tier, item_id),
                                  trace=steps)
    return item, steps


def history(tracker: Tracker, ref: str) -> list[dict[str, Any]]:
    """Each step as JSON: the op, and `outcome`, `reason`, `changes` (field, before, after)."""
    _, steps = trace(tracker, ref)
    return [as_json(step) for step in steps]


def as_json(step: Step) -> dict[str, Any]:
    op = step.op
    return {"id": step.ident, "type": op.type, "at": op.at, "by": op.by, "actor": op.actor,
            "clock": op.clock, "nonce": op.nonce, "counts_as": step.who,
            "signed": op.sig is not None, "seen": len(op.get(SEEN) or ()),
            "body": {k: v for k, v in op.body.items() if k != SEEN},
            "outcome": step.outcome,
            "rejected": step.reason if step.outcome == REJECTED else None,
            "reason": step.reason,
            "changes": [{"field": f, "before": b, "after": a} for f, b, a in step.changes]}


def on_screen(tracker: Tracker, ref: str) -> tuple[Item, list[str]]:
    """The item and the identities of the ops it holds: what a surface showing it has on
    screen, and later commits to having seen (`seen=`) when the human governs it."""
    item, steps = trace(tracker, ref)
    return item, [step.ident for step in steps]
