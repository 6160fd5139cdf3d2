"""An item's history as a surface shows it: every op in the order the fold applies them, whose
it really is (a forged human op counts as the agent's), and why the fold rejected it, if it did."""

from __future__ import annotations

from typing import Any

from ..core.fold import sort_key
from .tracker import Tracker


def history(tracker: Tracker, ref: str) -> list[dict[str, Any]]:
    tier, item_id = tracker.store.resolve(ref)
    log = tracker.store.read_log(tier, item_id)
    item = tracker.store.load(tier, item_id)
    rejected = {p.nonce: p.reason for p in item.problems if p.nonce and p.kind != "note"}
    classed = [(op, tracker.policy.actor_class(op, item_id)) for op in log.ops]
    return [{"type": op.type, "at": op.at, "by": op.by, "actor": op.actor, "clock": op.clock,
             "nonce": op.nonce, "counts_as": who, "signed": op.sig is not None,
             "body": op.body, "rejected": rejected.get(op.nonce)}
            for op, who in sorted(classed, key=lambda pair: sort_key(*pair))]
