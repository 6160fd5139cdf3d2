"""`htrac priority-trend`: how many items were open on each day, and their mean priority.

Replayed from the op-logs, as the reference does: an item's state at the end of a UTC day is
the fold of its ops whose `at` falls on or before that day (today's fold, policy and schema).
`at` is written by whoever wrote the op, so this is the history the ops tell, good for a trend;
for what the tracker held at a commit, use `show/list --as-of`. "Open" is every status that is
not resolved (`stop_hook.resolved_statuses`); an item counts from its creation.

An item's state only changes on days it has ops, so each item is folded once per such day and
its contribution added to the days it holds (a difference array): the cost is the number of
(item, active day) pairs, not items × days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..core.errors import InvalidValueError
from ..store.layout import TIERS

if TYPE_CHECKING:
    from .tracker import Tracker


@dataclass(frozen=True, slots=True)
class Point:
    day: str
    open: int
    mean_priority: float | None  # None on a day with nothing open

    def as_dict(self) -> dict:
        mean = None if self.mean_priority is None else round(self.mean_priority, 4)
        return {"day": self.day, "open": self.open, "mean_priority": mean}


def parse_day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidValueError(f"{flag} {text!r}: use a date as YYYY-MM-DD") from None


def series(tracker: Tracker, since: date | None = None, until: date | None = None) -> list[Point]:
    """One point per UTC day from the first op (or `since`) to the last (or `until`)."""
    from ..core.fold import fold

    if since and until and since > until:
        raise InvalidValueError("--since is after --until")
    store = tracker.store
    resolved = set(tracker.config.resolved_statuses)
    changes: list[tuple[date, int, int]] = []  # (day, Δopen, Δpriority sum)
    first: date | None = None
    last: date | None = None
    for tier in TIERS:
        global_ops = store.global_ops(tier)
        for item_id in tracker.layout.item_ids(tier):
            ops = store.read_log(tier, item_id).ops
            days = sorted({_day(op.at) for op in ops if _day(op.at)})
            state = (0, 0)  # (open, priority) as the previous day left it
            for day in days:
                cut = day.isoformat() + "T23:59:59.999999Z"
                item = fold(item_id, [o for o in ops if o.at <= cut], store.vocab,
                            policy=store.policy, global_ops=[o for o in global_ops
                                                            if o.at <= cut])
                now = ((1, item.priority) if item.kind and item.status not in resolved
                       else (0, 0))
                if now != state:
                    changes.append((day, now[0] - state[0], now[1] - state[1]))
                    state = now
                first = day if first is None or day < first else first
                last = day if last is None or day > last else last
    if first is None:
        return []
    start, end = since or first, until or last
    changes.sort()
    points, open_, total, n = [], 0, 0, 0
    day = min(start, first)
    while day <= end:
        while n < len(changes) and changes[n][0] <= day:
            open_, total = open_ + changes[n][1], total + changes[n][2]
            n += 1
        if day >= start:
            points.append(Point(day.isoformat(), open_, total / open_ if open_ else None))
        day += timedelta(days=1)
    return points


def _day(at: str) -> date | None:
    try:
        return date.fromisoformat(at[:10])
    except ValueError:
        return None
