"""The fold: an item's ops, put in one order and applied, give the item's state.

Identity. Every op is known by its identity (`core.identity`): identical ops count once.

Order (`core.causal`). Human ops by their signed clocks; every agent op after the last human op
that did not see it, whatever clock it claims (DESIGN, point 13); among agent ops between two
human ops, `(clock, at, nonce)`. Without any `seen:` commitment in the file this is the classic
order `(clock, at, agent before human, nonce)`, so on a full tie the human's op is applied last
and wins (DESIGN, point 5 — the reference does the opposite). Either way the order depends only
on the ops, never on where the file holds them, which is what makes union merges converge.

Creation. The item's initial state comes from its create: the one whose data hashes to the
item's ID (`core.ids`), so a second create planted at clock 0 can't replace the item's title or
status. Files whose ID is not such a hash (hand-made) fall back to the first create in order.

Authority. The fold asks a `Policy` whether each op may take effect; a refused op is skipped and
recorded on the item with the reason, never breaking the fold. A human op this version can't
read (an unknown type or key) makes the item read-only for agents from there on: a newer htrac's
decision is never silently dropped. The core ships only a permissive policy; `htrac.policy`
supplies the real one. The fold reads no files and no git: the same ops and the same policy give
the same item on every clone.

Effects (`core.effects`); claims (`core.claims`: an update's `claim` key takes, renews or
releases the item, and a claim op that loses to a live claim changes nothing and is listed in
`lost_claims`); edit-mode windows (`core.editmode`); on request, an account of every step
(`core.trace`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import claims, editmode, effects, evidence
from .causal import Placed, causal_order, classic_key, commitment
from .identity import context_of, op_id, version_of
from .ids import hashes_to
from .item import Item
from .ops import EDIT_MODE_TYPES, HUMAN, KNOWN_TYPES, MESSAGE_EDIT_TYPES, Op
from .policy import PERMISSIVE, Permissive, Policy
from .problems import DAMAGED, NOTE, REJECTED, TAMPERED, UNKNOWN, Problem
from .schema import SchemaError, UnknownKeyError, Vocabulary, check_op, clean_create_data
from .trace import APPLIED, IGNORED, Step, changes, snapshot
from .trace import REJECTED as STEP_REJECTED
from .trace import UNKNOWN as STEP_UNKNOWN

__all__ = ["fold", "order", "sort_key", "Policy", "Permissive", "PERMISSIVE"]


def sort_key(op: Op, actor_class: str) -> tuple[int, str, int, str]:
    """The classic order of one op (what `core.causal` falls back to)."""
    return (op.clock, op.at, 1 if actor_class == HUMAN else 0, op.nonce)


def order(item_id: str, ops: Iterable[Op], policy: Policy = PERMISSIVE) -> list[Placed]:
    """The item's ops (its file's), once each, in the order the fold judges them."""
    return causal_order(_placed(item_id, ops, policy))


def _placed(item_id: str, ops: Iterable[Op], policy: Policy) -> list[Placed]:
    unique: dict[str, Placed] = {}
    for op in ops:
        placed = Placed(op, policy.actor_class(op, item_id), op_id(op, context_of(op, item_id)))
        kept = unique.get(placed.ident)
        # The same op twice (a signed copy and one stripped of its signature): keep the one
        # that carries the most authority.
        if kept is None or (placed.who == HUMAN and kept.who != HUMAN):
            unique[placed.ident] = placed
    return list(unique.values())


def fold(item_id: str, ops: Iterable[Op], vocab: Vocabulary, *,
         policy: Policy = PERMISSIVE, global_ops: Iterable[Op] = (),
         lines: Mapping[str, int] | None = None,
         read_problems: Iterable[Problem] = (), trace: list[Step] | None = None) -> Item:
    """Compile `ops` (an item file's) plus `global_ops` (its tier's edit-mode log) into an Item.
    When `trace` is a list, every op's step is appended to it, in the order judged."""
    return _Fold(item_id, vocab, policy, lines or {}, trace).run(ops, global_ops, read_problems)


class _Fold:
    def __init__(self, item_id: str, vocab: Vocabulary, policy: Policy,
                 lines: Mapping[str, int], trace: list[Step] | None) -> None:
        self.item = Item(id=item_id)
        self.vocab = vocab
        self.policy = policy
        self.lines = lines
        self.trace = trace
        self.unreadable: str | None = None  # why agents may no longer change the item

    def run(self, ops: Iterable[Op], global_ops: Iterable[Op],
            read_problems: Iterable[Problem]) -> Item:
        item = self.item
        item.problems.extend(read_problems)
        shared = _placed(item.id, global_ops, self.policy)
        toggles = [p for p in shared if p.op.type in EDIT_MODE_TYPES and self._valid(p)]
        # Message edits normally live in the item's file; one written into the tier's log
        # counts for the item it names (any other op there concerns no item).
        own = _placed(item.id, [*ops, *(p.op for p in shared if p.op.type in MESSAGE_EDIT_TYPES
                                        and p.op.get("item") == item.id)], self.policy)
        ordered = causal_order(own)
        self._missing(own)
        item.op_count = len(own) + len(shared)
        edits = [p for p in ordered if p.op.type in MESSAGE_EDIT_TYPES]
        item.version = version_of(p.ident for p in [*own, *(toggles if edits else ())])
        valid = [p for p in ordered if self._valid(p)]
        if not self._start([p for p in valid if p.op.type == "create"]):
            item.problems.append(Problem(DAMAGED, "no valid create op: the item has no initial "
                                                  "state"))
        accepted_edits: list[Placed] = []
        for placed in valid:
            if placed.op.type == "create":
                continue
            if self._judge(placed) and placed.op.type in MESSAGE_EDIT_TYPES:
                accepted_edits.append(placed)
        self._edit_pass(accepted_edits, toggles)
        self._judge_toggles(toggles)
        item.read_only_reason = self.unreadable or ""
        if item.updated_at < item.created_at:
            item.updated_at = item.created_at
        return item

    # -- each op -----------------------------------------------------------------------------

    def _report(self, kind: str, placed: Placed, reason: str) -> None:
        op = placed.op
        self.item.problems.append(Problem(kind, reason, line=self.lines.get(op.nonce, 0),
                                          nonce=op.nonce, op=op.type))

    def _step(self, placed: Placed, outcome: str, reason: str = "",
              before: dict[str, Any] | None = None) -> None:
        if self.trace is not None:
            found = changes(before, snapshot(self.item)) if before is not None else ()
            self.trace.append(Step(placed.ident, placed.op, placed.who, outcome, reason, found))

    def _refuse(self, placed: Placed, reason: str, kind: str = REJECTED) -> None:
        self._report(kind, placed, reason)
        self._step(placed, STEP_UNKNOWN if kind == UNKNOWN else STEP_REJECTED, reason)

    def _missing(self, own: list[Placed]) -> None:
        """Ops a human op says it saw that the file no longer holds: removed after the human
        decided (an agent deleting what bound it), never a reason to fold differently."""
        present = {p.ident for p in own}
        for placed in own:
            if placed.who != HUMAN:
                continue
            missing = [i for i in commitment(placed.op) or () if i not in present]
            if missing:
                self._report(TAMPERED, placed, f"this human op saw {len(missing)} op(s) the "
                             f"file no longer holds (first: {missing[0]}): ops were removed "
                             "after the human decided")

    def _valid(self, placed: Placed) -> bool:
        """Is the op one this version can read and the schema accepts? Reports it if not."""
        op = placed.op
        if op.type not in KNOWN_TYPES:
            self._refuse(placed, f"unknown op type '{op.type}' kept in the file, not applied",
                         UNKNOWN)
            self._unreadable_if_human(placed, f"an op of type '{op.type}'")
            return False
        try:
            check_op(op, self.vocab)
        except UnknownKeyError as exc:
            self._refuse(placed, str(exc))
            self._unreadable_if_human(placed, f"a {op.type} op with '{exc.key}'")
            return False
        except SchemaError as exc:
            self._refuse(placed, str(exc))
            return False
        return True

    def _unreadable_if_human(self, placed: Placed, what: str) -> None:
        if placed.who == HUMAN and self.unreadable is None:
            self.unreadable = (f"the item is read-only for agents here: a human's decision "
                               f"({what}) needs a newer htrac to be understood")

    def _judge(self, placed: Placed) -> bool:
        """Offer a non-create op to the policy and apply it; True when it took effect."""
        op, item = placed.op, self.item
        if self.unreadable and placed.who != HUMAN:
            self._refuse(placed, self.unreadable)
            return False
        reason = self.policy.refuse(op, item, placed.who)
        if reason:
            self._refuse(placed, reason)
            return False
        lost = claims.conflict(item, op, placed.who, self.vocab.claims)
        if lost is not None:  # a claim op that lost (a race, an expired hold): no effect,
            item.lost_claims.append(lost)  # and not a problem: losing is an outcome
            self._step(placed, STEP_REJECTED, f"lost claim: {lost.reason}")
            return False
        item.updated_at = op.at
        if op.type in MESSAGE_EDIT_TYPES:
            return True  # applied in the edit pass, inside its window or not at all
        before = snapshot(item) if self.trace is not None else None
        status_before = item.status
        effects.apply(item, op, placed.who)
        claims.apply(item, op, placed.who, self.vocab.claims, status_before=status_before)
        self._step(placed, APPLIED if op.type in _EFFECTFUL else IGNORED, before=before)
        return True

    # -- creation ------------------------------------------------------------------------------

    def _start(self, creates: list[Placed]) -> bool:
        item = self.item
        genuine = [p for p in creates if _hashes_to_item(p.op, item.id)]
        if genuine:
            for placed in creates:
                if placed not in genuine:
                    self._refuse(placed, "a create whose data does not hash to this item's ID "
                                         "(only the item's own create counts)")
            creates = genuine
        started = False
        for placed in creates:
            op = placed.op
            if started:
                item.created_at = min(item.created_at, op.at)
                self._step(placed, IGNORED, "the item was already created")
                continue
            data, notes = clean_create_data(op.get("data"), self.vocab)
            for note in notes:
                self._report(NOTE, placed, note)
            candidate = Item(id=item.id, problems=item.problems)
            effects.assign(candidate, data)
            reason = self.policy.refuse(op, candidate, placed.who)
            if reason:
                self._refuse(placed, reason)
                continue
            before = snapshot(item) if self.trace is not None else None
            effects.assign(item, data)
            evidence.apply(item, op, placed.who)  # who set the status, what it cited
            item.created_at = item.updated_at = op.at
            self._step(placed, APPLIED, before=before)
            started = True
        return started

    # -- edit mode -----------------------------------------------------------------------------

    def _edit_pass(self, edits: list[Placed], toggles: list[Placed]) -> None:
        if not edits:
            return
        editor = editmode.Editor(self.item, toggles)
        for placed in edits:
            before = snapshot(self.item) if self.trace is not None else None
            reason = editor.edit(placed)
            if reason:
                self._refuse(placed, reason)
            else:
                self._step(placed, APPLIED, before=before)

    def _judge_toggles(self, toggles: list[Placed]) -> None:
        for placed in sorted(toggles, key=classic_key):
            reason = self.policy.refuse(placed.op, self.item, placed.who)
            if reason:
                self._refuse(placed, reason)
            else:
                self._step(placed, IGNORED, "opens or closes an edit-mode window")


_EFFECTFUL = frozenset({"update", "discuss", "discuss_clear", "discuss_summarize", "lock",
                        "unlock"})


def _hashes_to_item(op: Op, item_id: str) -> bool:
    data = op.get("data")
    return isinstance(data, dict) and hashes_to(item_id, data, salt=op.nonce)
