"""The activity feed as a surface shows it: the latest ops across the tracker, newest first —
when, who, whose authority the op really carries (a forged human op counts as the agent's, as
the fold judges it), on which item, and one line saying what it asked for."""

from __future__ import annotations

from typing import Any

from ..core.errors import InvalidValueError
from ..core.identity import op_id
from .neighbours import recent
from .opsummary import describe
from .tracker import Tracker

LIMIT_RANGE = (1, 1000)


def feed(tracker: Tracker, limit: int = 200) -> list[dict[str, Any]]:
    """Up to `limit` entries (LIMIT_RANGE) as JSON-ready mappings."""
    low, high = LIMIT_RANGE
    if not low <= limit <= high:
        raise InvalidValueError(f"limit must be between {low} and {high}, not {limit}")
    policy = tracker.policy
    out = []
    for entry in recent(tracker, limit):
        op = entry.op
        out.append({"id": op_id(op, entry.item_id), "item_id": entry.item_id,
                    "tier": entry.tier, "type": _text(op.type), "at": _text(op.at),
                    "actor": _text(op.actor), "by": _text(op.by),
                    "counts_as": policy.actor_class(op, entry.item_id),
                    "summary": describe(op.type, op.body)})
    return out


def _text(value: Any) -> str | None:
    """What an op's log says, as text (a hand-edited log may hold numbers or dates there)."""
    return value if value is None or isinstance(value, str) else str(value)
