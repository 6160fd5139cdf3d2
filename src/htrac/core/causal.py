"""The order an item's ops take effect in (DESIGN, point 13).

Clocks and timestamps are written by whoever writes an op, so an agent can give its op any clock
it likes — clock 1 to slip under a lock made at clock 9. Only what a human signed can be
trusted to say what came before what. So a human's op carries, signed, `seen:` — the identities
(`core.identity`) of the ops the human's htrac read since that human's previous op, plus that
op's own identity. The ops a decision saw, its *past*, are therefore a chain only signed data can
extend: `past(H)` is what `seen(H)` lists and, for each human op listed, its past in turn.

The order:

1. Human ops are ordered by their signed `(clock, at, nonce)`: H1, H2, … Hn.
2. Each agent op goes right after the last human op whose past lacks it — whatever clock or `at`
   it claims. A lock therefore binds every agent op it did not see, a discussion clear spares
   every message it did not see, and an unlock revives nothing that was refused before it (the
   unlock saw it, so it stays where it was: under the lock).
3. Agent ops between the same two human ops keep the classic order among themselves:
   `(clock, at, nonce)`, so honest histories fold as the reference folds them.

A human op without `seen:` (written by the reference, by an older htrac, or before signing was
turned on) is taken at its word, as before: its past is every op whose classic sort key is
below its own. When no human op has `seen:`, the order is exactly the classic one:
`(clock, at, agent before human, nonce)` (DESIGN, point 5: on a full tie the human wins).

On an honest single-branch history the two orders agree: each op's clock is one above every
clock in the file it was appended to, so a human op saw exactly the ops with lower clocks.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Sequence
from typing import NamedTuple

from .ops import HUMAN, SEEN, Op


class Placed(NamedTuple):
    """An op, whose authority it carries (`human` or `agent`), and its identity."""

    op: Op
    who: str
    ident: str


def classic_key(placed: Placed) -> tuple[int, str, int, str]:
    op = placed.op
    return (op.clock, op.at, 1 if placed.who == HUMAN else 0, op.nonce)


def commitment(op: Op) -> list[str] | None:
    """The identities a human op's `seen:` lists, or None for an op without one."""
    seen = op.get(SEEN)
    return [i for i in seen if isinstance(i, str)] if isinstance(seen, list) else None


def causal_order(ops: Sequence[Placed]) -> list[Placed]:
    humans = sorted((p for p in ops if p.who == HUMAN), key=classic_key)
    if not any(commitment(h.op) is not None for h in humans):
        return sorted(ops, key=classic_key)
    pasts = _Pasts(humans)
    keyed: list[tuple[tuple[int | str, ...], Placed]] = []  # (segment, human last, …)
    for placed in ops:
        if placed.who == HUMAN:
            keyed.append(((pasts.position[placed.ident] + 1, 0), placed))
        else:
            keyed.append(((pasts.segment(placed), 1, *classic_key(placed)), placed))
    keyed.sort(key=lambda pair: pair[0])
    return [placed for _, placed in keyed]


class _Pasts:
    """Which ops lie in the past of which human op.

    Sets of human ops are bit masks over their positions in the signed order, so a long
    discussion (thousands of human messages) costs a few integer operations per op, not a set
    per pair. A human op's `seen:` normally names ops before it in that order; a parent that
    sorts after its child (possible only with clocks the human's own writer would never give)
    counts as itself, without its ancestors, so the order stays a pure function of the ops.
    """

    def __init__(self, humans: list[Placed]) -> None:
        self.humans = humans
        count = len(humans)
        self.position = {h.ident: n for n, h in enumerate(humans)}
        self.seers: dict[str, int] = {}  # identity → mask of the humans whose seen lists it
        legacy = 0
        self.ancestors: list[int] = []  # mask of each human's past humans, itself included
        everything_before = 0
        for n, human in enumerate(humans):
            seen = commitment(human.op)
            if seen is None:
                legacy |= 1 << n
                mask = everything_before  # an op without seen vouches for all below it
            else:
                mask = 0
                for ident in seen:
                    self.seers[ident] = self.seers.get(ident, 0) | 1 << n
                    parent = self.position.get(ident)
                    if parent is not None:
                        mask |= self.ancestors[parent] if parent < n else 1 << parent
            mask |= 1 << n
            self.ancestors.append(mask)
            everything_before |= mask
        # descendants[n]: the humans whose past holds human n
        self.descendants = [0] * count
        for n, mask in enumerate(self.ancestors):
            bits = mask
            while bits:
                low = bits & -bits
                self.descendants[low.bit_length() - 1] |= 1 << n
                bits ^= low
        # Ops without seen: the newest such op in a human's past vouches for every op below it
        # in the classic order. Horizons ascending, with the mask of the humans at or above each.
        horizons = sorted((classic_key(humans[(m & legacy).bit_length() - 1]), n)
                          for n, m in enumerate(self.ancestors) if m & legacy)
        self._horizon_keys = [key for key, _ in horizons]
        self._above = [0] * (len(horizons) + 1)
        for i in range(len(horizons) - 1, -1, -1):
            self._above[i] = self._above[i + 1] | 1 << horizons[i][1]
        self._all = (1 << count) - 1

    def holders(self, placed: Placed) -> int:
        """Mask of the human ops whose past holds this op."""
        held = 0
        seers = self.seers.get(placed.ident, 0)
        while seers:
            low = seers & -seers
            held |= self.descendants[low.bit_length() - 1]
            seers ^= low
        if self._horizon_keys:
            held |= self._above[bisect_right(self._horizon_keys, classic_key(placed))]
        return held

    def segment(self, placed: Placed) -> int:
        """How many human ops come before this agent op: one more than the position of the
        last human op whose past lacks it (0 when every human op saw it)."""
        lacking = self._all & ~self.holders(placed)
        return lacking.bit_length()

    def heads(self) -> int:
        """Mask of the human ops that no other human op saw."""
        seen_by_others = 0
        for n, mask in enumerate(self.ancestors):
            seen_by_others |= mask & ~(1 << n)
        return self._all & ~seen_by_others


def seen_for(ops: Sequence[Placed], visible: Collection[str] | None = None) -> list[str]:
    """What a new human op commits to having seen: the human ops no other one saw (normally just
    the human's previous op) and every op those don't already hold in their past. `visible`
    narrows it to what was on the human's screen; ops outside it stay unseen, so the new op
    binds them."""
    if visible is not None:
        wanted = set(visible)
        ops = [p for p in ops if p.ident in wanted]
    humans = sorted((p for p in ops if p.who == HUMAN), key=classic_key)
    if not humans:
        return [p.ident for p in ops]
    pasts = _Pasts(humans)
    heads = pasts.heads()
    listed = [h.ident for n, h in enumerate(humans) if heads >> n & 1]
    listed += [p.ident for p in ops if p.who != HUMAN and not pasts.holders(p) & heads]
    return listed
