"""`htrac log REF --explain`: each op of an item in the order the fold judged it — whose
authority it carries, whether it took effect or why not, and what it changed.

Read from the fold's own trace (`service.history.trace`, `core.trace`): the same account the
TUI's and the web's history views show, so the three never disagree. Here it is put in words
for a terminal: a change is `field: before → after`, a list change `+added -removed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.problems import DAMAGED

if TYPE_CHECKING:
    from ..core.trace import Step
    from .tracker import Tracker

_QUOTED = ("title", "description")


@dataclass(slots=True)
class Explanation:
    item_id: str
    tier: str
    steps: list[Step]
    damaged: list[str]  # blocks that could not be read at all, with their line


def explain(tracker: Tracker, ref: str) -> Explanation:
    from .history import trace

    item, steps = trace(tracker, ref)
    damaged = [p.describe() for p in item.problems if p.kind == DAMAGED]
    return Explanation(item.id, item.tier, steps, damaged)


def describe(change: tuple[str, Any, Any]) -> str:
    """One change of a step, in words."""
    name, old, new = change
    if isinstance(old, list) or isinstance(new, list):
        plus = [v for v in new or [] if v not in (old or [])]
        minus = [v for v in old or [] if v not in (new or [])]
        if name == "memory":  # notes read "<nonce8> <text>"
            return " ".join([*(f"must-remember +{v}" for v in plus),
                             *(f"must-remember -{v.split(' ', 1)[0]}" for v in minus)])
        return f"{name}: " + " ".join([*(f"+{v}" for v in plus), *(f"-{v}" for v in minus)])
    shown = repr if name in _QUOTED else str
    if old is None or old == "":  # set for the first time (a create)
        return f"{name}: {shown(new)}"
    return f"{name}: {shown(old)} → {shown(new)}"
