"""The query language's claim predicates: `is:claimed` (a live claim) and `is:stale` (an expired
claim, or one with a renewal from the reader's future), which `is:needs-human` includes.

Both depend on the reader's clock: the service puts it in `Facts.extra` (`now`, seconds since
the epoch, and `skew`); without it they hold for nothing rather than guess. The SQL half reads
the index's `renewals` column — the claim's renewal spans as JSON — with the same comparison
as the Python half (`core.claims.live_at`), so both answer alike.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .claims import live_at, spans
from .predicates import PREDICATES, Predicate, needs_human, register

if TYPE_CHECKING:
    from .item import Item
    from .predicates import Facts, SqlPart

_LIVE = ("EXISTS (SELECT 1 FROM json_each(nullif(i.renewals, '')) AS r "
         "WHERE json_extract(r.value, '$[0]') <= ? AND ? < json_extract(r.value, '$[1]'))")
_FUTURE = ("EXISTS (SELECT 1 FROM json_each(nullif(i.renewals, '')) AS r "
           "WHERE json_extract(r.value, '$[0]') > ?)")


def _clock(facts: Facts) -> tuple[float, float] | None:
    now = facts.extra.get("now")
    return None if now is None else (float(now), float(facts.extra.get("skew", 0)))


def _claimed(item: Item, facts: Facts) -> bool:
    clock = _clock(facts)
    return clock is not None and item.claim is not None and live_at(spans(item.claim), *clock)


def _claimed_sql(facts: Facts) -> SqlPart:
    clock = _clock(facts)
    if clock is None:
        return "0", []
    now, skew = clock
    return f"(i.renewals != '' AND {_LIVE})", [now + skew, now]


def _stale(item: Item, facts: Facts) -> bool:
    clock = _clock(facts)
    if clock is None or item.claim is None:
        return False
    now, skew = clock
    found = spans(item.claim)
    return not live_at(found, now, skew) or any(start > now + skew for start, _ in found)


def _stale_sql(facts: Facts) -> SqlPart:
    clock = _clock(facts)
    if clock is None:
        return "0", []
    now, skew = clock
    return (f"(i.renewals != '' AND (NOT {_LIVE} OR {_FUTURE}))",
            [now + skew, now, now + skew])


register(Predicate("claimed", "a session holds a live claim on it (htrac claim)", _claimed,
                   _claimed_sql))
register(Predicate("stale", "its claim's lease expired, or a renewal is dated in the future",
                   _stale, _stale_sql))
needs_human("stale")

# `is:needs-human` now includes stale claims: say so in its help
_union = PREDICATES["needs-human"]
register(replace(_union, help=f"{_union.help}, stale"))
