"""The causal order (DESIGN, point 13): a human decision binds every agent op it did not see.

Ops here are unsigned and the policy is the permissive one (`by` decides); what signing adds —
only the human can write a `seen:` list that counts — is tested with real keys and real users in
tests/cli/test_authority_backdating.py. The rules these tests hold the fold to:
- an agent op goes after the last human op whose past lacks it, whatever clock it claims;
- honest single-branch histories fold exactly as the classic `(clock, at, …)` order folds them;
- the result never depends on the order of the file (union merges converge).
"""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from htrac.core.causal import Placed, causal_order, seen_for
from htrac.core.fold import fold, order
from htrac.core.identity import op_id, version_of
from htrac.core.ids import make_id
from htrac.core.ops import SEEN, Op
from htrac.core.problems import REJECTED, TAMPERED

from .conftest import create, op

ITEM = "WI-x"


class Rules:
    """A policy with the real rules' shape: locks bind agents, humans are bound by nothing."""

    def actor_class(self, op: Op, item_id: str) -> str:
        return "human" if op.by == "human" else "agent"

    def refuse(self, op: Op, item, who: str) -> str | None:
        if who == "human":
            return None
        if item.frozen:
            return "frozen"
        names = ["discussion"] if op.type.startswith("discuss") else list(op.get("set") or {})
        hit = [n for n in names if n in item.locked_fields]
        return f"locked {hit[0]}" if hit else None


RULES = Rules()


def decided(human_op: Op, ops: list[Op], item_id: str = ITEM, visible=None) -> Op:
    """`human_op` with the commitment htrac's writer gives it after reading `ops`."""
    listed = seen_for(order(item_id, ops, RULES), visible)
    return Op(human_op.type, human_op.at, human_op.by, human_op.actor, human_op.clock,
              human_op.nonce, {**human_op.body, SEEN: listed})


def compile_(ops, vocab, item_id=ITEM):
    return fold(item_id, ops, vocab, policy=RULES)


def rejected(item) -> list[str]:
    return [p.nonce for p in item.problems if p.kind == REJECTED]


def test_causal_backdated_agent_update_after_a_lock_is_bound_by_it(vocab):
    start = [create(), op("update", clock=2, set={"title": "agent's first"})]
    lock = decided(op("lock", clock=3, by="human", lock=["status", "title"]), start)
    forged = op("update", clock=1, at="2020-01-01T00:00:00Z",
                set={"status": "done", "title": "rewritten"})
    item = compile_([*start, lock, forged], vocab)
    assert (item.status, item.title) == ("todo_hard", "agent's first")
    assert forged.nonce in rejected(item)


def test_causal_the_same_backdated_op_escapes_a_lock_without_seen(vocab):
    """Why the commitment is needed: by clock alone the forged op folds before the lock."""
    lock = op("lock", clock=3, by="human", lock=["status"])
    forged = op("update", clock=1, set={"status": "done"})
    assert compile_([create(), lock, forged], vocab).status == "done"


def test_causal_agent_op_the_lock_saw_keeps_its_effect(vocab):
    start = [create(), op("update", clock=2, set={"status": "in_progress"})]
    lock = decided(op("lock", clock=3, by="human", lock=["status"]), start)
    assert compile_([*start, lock], vocab).status == "in_progress"


def test_causal_frozen_item_refuses_backdated_ops_and_discussion_lock_backdated_messages(vocab):
    start = [create(), op("discuss", clock=2, message="before")]
    freeze = decided(op("lock", clock=3, by="human",
                        lock=["title", "status", "discussion"]), start)
    late = [op("update", clock=1, set={"title": "x"}), op("discuss", clock=1, message="sneaky")]
    item = compile_([*start, freeze, *late], vocab)
    assert item.title == "Item" and [e.message for e in item.discussion] == ["before"]
    assert {o.nonce for o in late} <= set(rejected(item))


def test_causal_unlock_revives_nothing_refused_before_it(vocab):
    start = [create()]
    lock = decided(op("lock", clock=2, by="human", lock=["status"]), start)
    refused = op("update", clock=3, set={"status": "done"})
    unlock = decided(op("unlock", clock=4, by="human", unlock=["status"]),
                     [*start, lock, refused])
    item = compile_([*start, lock, refused, unlock], vocab)
    assert item.status == "todo_hard" and refused.nonce in rejected(item)


def test_causal_clear_spares_what_it_did_not_see(vocab):
    start = [create(), op("discuss", clock=2, message="old")]
    clear = decided(op("discuss_clear", clock=3, by="human"), start)
    unseen = op("discuss", clock=1, message="written while the human cleared")
    item = compile_([*start, clear, unseen], vocab)
    assert [e.message for e in item.discussion] == ["written while the human cleared"]


def test_causal_a_lock_commits_to_what_was_on_screen_only(vocab):
    start = [create()]
    shown = op("update", clock=2, set={"priority": 1})
    newer = op("update", clock=3, set={"status": "done"})
    ops = [*start, shown, newer]
    visible = {op_id(o, ITEM) for o in [*start, shown]}
    lock = decided(op("lock", clock=4, by="human", lock=["status"]), ops, visible=visible)
    item = compile_([*ops, lock], vocab)
    assert item.priority == 1 and item.status == "todo_hard"
    assert newer.nonce in rejected(item)


def test_causal_only_the_create_that_hashes_to_the_id_counts(vocab):
    genuine = create("Genuine", clock=1)
    item_id = make_id("WI", genuine.get("data"))
    planted = create("Planted", clock=0, at="2000-01-01T00:00:00Z", status="done", priority=0)
    item = compile_([genuine, planted], vocab, item_id=item_id)
    assert (item.title, item.status, item.priority) == ("Genuine", "todo_hard", 2)
    assert item.created_at == genuine.at and planted.nonce in rejected(item)


def test_causal_a_human_op_this_version_cannot_read_makes_the_item_read_only_for_agents(vocab):
    start = [create()]
    future = decided(op("claim-v9", clock=2, by="human"), start)
    late = op("update", clock=3, set={"title": "after"})
    item = compile_([*start, future, late], vocab)
    assert item.title == "Item" and late.nonce in rejected(item)
    assert "newer htrac" in item.read_only_reason


def test_causal_a_removed_op_the_human_saw_is_reported_as_tampering(vocab):
    start = [create(), op("lock", clock=2, by="human", lock=["status"])]
    later = decided(op("discuss", clock=3, by="human", message="ok"), start)
    item = compile_([start[0], later], vocab)  # the lock was deleted from the file
    assert [p.kind for p in item.problems if p.nonce == later.nonce] == [TAMPERED]


def test_causal_seen_lists_only_what_is_new_since_the_humans_last_op(vocab):
    first = [create(), op("update", clock=2, set={"priority": 1})]
    lock = decided(op("lock", clock=3, by="human", lock=["title"]), first)
    agent = op("discuss", clock=4, message="m")
    note = decided(op("discuss", clock=5, by="human", message="n"), [*first, lock, agent])
    assert note.get(SEEN) == [op_id(lock, ITEM), op_id(agent, ITEM)]


def test_causal_concurrent_human_branches_both_bind_an_agent_op_neither_saw(vocab):
    base = [create()]
    lock_a = decided(op("lock", clock=2, by="human", lock=["status"]), base)
    note_b = decided(op("discuss", clock=2, by="human", message="from clone b"), base)
    agent = op("update", clock=3, set={"status": "done"})
    item = compile_([*base, note_b, agent, lock_a], vocab)
    assert item.status == "todo_hard"
    merged = decided(op("unlock", clock=4, by="human", unlock=["status"]),
                     [*base, lock_a, note_b, agent])
    assert set(merged.get(SEEN)) == {op_id(lock_a, ITEM), op_id(note_b, ITEM),
                                      op_id(agent, ITEM)}


def test_causal_order_is_independent_of_file_order(vocab):
    base = [create(), op("update", clock=2, set={"priority": 3})]
    lock = decided(op("lock", clock=3, by="human", lock=["priority"]), base)
    rest = [op("update", clock=1, set={"priority": 0}), op("discuss", clock=9, message="x"),
            op("update", clock=4, set={"title": "t"})]
    ops = [*base, lock, *rest]
    states = {str(compile_(list(p), vocab).as_dict()) for p in itertools.permutations(ops)}
    assert len(states) == 1


def test_causal_version_changes_with_every_op_and_with_nothing_else(vocab):
    ops = [create(), op("update", clock=2, set={"priority": 3})]
    first = compile_(ops, vocab)
    assert compile_(list(reversed(ops)), vocab).version == first.version
    assert compile_([*ops, ops[1]], vocab).version == first.version  # a duplicate counts once
    later = compile_([*ops, op("update", clock=3, set={})], vocab)
    assert later.version != first.version and len(later.version) == 16
    assert first.version == version_of(op_id(o, ITEM) for o in ops)


@st.composite
def honest_histories(draw):
    """One branch, written by htrac's writer: each op one clock above the file, each human op
    committing to everything in the file before it."""
    ops: list[Op] = [create()]
    for clock in range(2, draw(st.integers(2, 12))):
        human = draw(st.booleans())
        kind = draw(st.sampled_from(["status", "title", "discuss", "lock", "unlock", "clear"]))
        by = "human" if human or kind in ("lock", "unlock", "clear") else "agent"
        if kind == "status":
            new = op("update", clock=clock, by=by, set={"status": draw(
                st.sampled_from(["todo_hard", "in_progress", "done"]))})
        elif kind == "title":
            new = op("update", clock=clock, by=by, set={"title": f"t{clock}"})
        elif kind == "discuss":
            new = op("discuss", clock=clock, by=by, message=f"m{clock}")
        elif kind == "clear":
            new = op("discuss_clear", clock=clock, by=by)
        else:
            new = op(kind, clock=clock, by=by, **{kind: draw(st.lists(
                st.sampled_from(["status", "title", "discussion"]), min_size=1, unique=True))})
        ops.append(decided(new, ops) if by == "human" else new)
    return ops


def _without_seen(ops: list[Op]) -> list[Op]:
    return [Op(o.type, o.at, o.by, o.actor, o.clock, o.nonce,
               {k: v for k, v in o.body.items() if k != SEEN}) for o in ops]


@settings(max_examples=200, deadline=None)
@given(honest_histories(), st.randoms(use_true_random=False))
def test_causal_honest_single_branch_histories_fold_as_the_classic_order(vocab, ops, rnd):
    rnd.shuffle(ops)
    ours = compile_(ops, vocab).as_dict()
    classic = compile_(_without_seen(ops), vocab).as_dict()
    for state in (ours, classic):
        state.pop("version")
        state.pop("problems", None)
    assert ours == classic


def test_causal_order_places_every_agent_op_after_each_human_op_that_lacks_it():
    """The rule itself, on random DAGs of human decisions over random agent ops."""
    rnd = random.Random(7)
    for _ in range(200):
        ops: list[Op] = [create()]
        for _ in range(2, 14):
            if rnd.random() < 0.4:
                visible = {op_id(o, ITEM) for o in ops if rnd.random() < 0.8}
                ops.append(decided(op("lock", clock=rnd.randint(1, 20), by="human",
                                      lock=["title"]), ops, visible=visible))
            else:
                ops.append(op("update", clock=rnd.randint(0, 20), set={"priority": 1}))
        placed = order(ITEM, ops, RULES)
        position = {p.ident: n for n, p in enumerate(placed)}
        past = _pasts(placed)
        for agent in (p for p in placed if p.who == "agent"):
            for human in (p for p in placed if p.who == "human"):
                if agent.ident not in past[human.ident]:
                    assert position[agent.ident] > position[human.ident]


def _pasts(placed: list[Placed]) -> dict[str, set[str]]:
    """Each human op's past, by following `seen:` lists (the definition, computed slowly)."""
    by_id = {p.ident: p for p in placed}
    result: dict[str, set[str]] = {}

    def past(ident: str) -> set[str]:
        if ident not in result:
            result[ident] = set()
            for listed in by_id[ident].op.get(SEEN) or []:
                result[ident].add(listed)
                if listed in by_id and by_id[listed].who == "human":
                    result[ident] |= past(listed)
        return result[ident]

    for p in placed:
        if p.who == "human":
            past(p.ident)
    return result


def test_causal_causal_order_of_nothing_but_agent_ops_is_the_classic_order():
    ops = [Placed(op("update", clock=c, set={}), "agent", str(c)) for c in (3, 1, 2)]
    assert [p.op.clock for p in causal_order(ops)] == [1, 2, 3]


def _toggle(kind: str, at: str, **body) -> Op:
    return op(kind, clock=0, by="human", at=at, **body)


def test_causal_edit_window_closed_by_a_commitment_refuses_a_backdated_edit(vocab):
    said = op("discuss", clock=2, by="human", message="the human's words")
    on = _toggle("edit-mode-on", "2026-01-01T00:00:00.000000Z", ttl_seconds=1800, cap_max=5)
    honest = op("edit-msg-text", clock=3, at="2026-01-01T00:05:00.000000Z", item=ITEM,
                target_nonce=said.nonce, new_text="tidied", reason="typo")
    off = _toggle("edit-mode-off", "2026-01-01T00:10:00.000000Z")
    off = Op(off.type, off.at, off.by, off.actor, 0, off.nonce,
             {SEEN: [op_id(on, "edit-mode"), op_id(honest, ITEM)]})
    forged = op("edit-msg-text", clock=4, at="2026-01-01T00:06:00.000000Z", item=ITEM,
                target_nonce=said.nonce, new_text="APPROVED", reason="typo")
    ops = [create(), said, honest, forged]
    item = fold(ITEM, ops, vocab, policy=RULES, global_ops=[on, off])
    assert item.discussion[0].message == "tidied"
    assert item.discussion[0].edit_history == ["the human's words"]
    assert forged.nonce in rejected(item)
    legacy_off = _toggle("edit-mode-off", "2026-01-01T00:10:00.000000Z")
    before = fold(ITEM, ops, vocab, policy=RULES, global_ops=[on, legacy_off])
    assert before.discussion[0].message == "APPROVED"  # judged by `at` alone, as before
