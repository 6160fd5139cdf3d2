"""Claims in the fold: take, renew, reserve, release, conflicts decided by fold order, the
claim ending with the work, and the schema of the `claim` key."""

from __future__ import annotations

import itertools

import pytest

from htrac.core.claims import check_body
from htrac.core.config import Governance
from htrac.core.fold import fold
from htrac.core.oplog import read_oplog
from htrac.core.ops import LOCKABLE
from htrac.core.problems import REJECTED
from htrac.core.serialize import serialize_op
from htrac.policy.rules import Rules

from .conftest import create, op

T0 = "2026-01-01T10:00:00Z"


def at(minutes: float) -> str:
    seconds = int(minutes * 60)
    return f"2026-01-01T{10 + seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}Z"


def take(session="s1", *, clock=2, when=0.0, actor=None, by="agent", ttl=900, **claim):
    body = {"action": "take", "session": session, "ttl_seconds": ttl, **claim}
    return op("update", clock=clock, at=at(when), actor=actor, by=by,
              set={"status": "in_progress"}, claim=body)


def claim_op(action, session="s1", *, clock=3, when=1.0, actor=None, by="agent", set_=None,
             **claim):
    body = {"action": action, "session": session, **claim}
    if action != "release":
        body.setdefault("ttl_seconds", 900)
    return op("update", clock=clock, at=at(when), actor=actor, by=by, set=set_ or {},
              claim=body)


def compile_(ops, vocab):
    return fold("WI-x", ops, vocab)


def test_claim_take_sets_holder_status_and_remembers_the_status_before(vocab):
    item = compile_([create(), take()], vocab)
    assert item.status == "in_progress"
    assert item.claim.holder == "bot_agent/s1"
    assert item.claim.status_before == "todo_hard"
    assert item.claim.renewals == [at(0)]
    assert not item.problems and not item.lost_claims


def test_claim_second_take_while_live_is_lost_whatever_the_file_order(vocab):
    first = take("s1", when=0)
    second = take("s2", when=1, actor="other_agent")
    for ops in itertools.permutations([create(), first, second]):
        item = compile_(list(ops), vocab)
        assert item.claim.holder == "bot_agent/s1"
        [lost] = item.lost_claims
        assert (lost.actor, lost.session, lost.winner) == ("other_agent", "s2", "bot_agent/s1")
        assert "claimed by bot_agent/s1" in lost.reason
        assert not item.problems  # losing a race is not damage


def test_claim_equal_clocks_earlier_at_wins_then_nonce(vocab):
    early = take("s1", when=0, actor="a_agent")
    late = take("s2", when=0.5, actor="b_agent")
    assert compile_([create(), late, early], vocab).claim.actor == "a_agent"
    tie_a = op("update", clock=2, at=at(0), actor="a_agent", nonce="00000000000000aa",
               set={"status": "in_progress"},
               claim={"action": "take", "session": "x", "ttl_seconds": 60})
    tie_b = op("update", clock=2, at=at(0), actor="b_agent", nonce="00000000000000bb",
               set={"status": "in_progress"},
               claim={"action": "take", "session": "y", "ttl_seconds": 60})
    assert compile_([create(), tie_b, tie_a], vocab).claim.actor == "a_agent"


def test_claim_lower_clock_wins_over_an_at_within_the_skew(vocab):
    low = take("s1", clock=2, when=1.5, actor="a_agent")
    high = take("s2", clock=3, when=0, actor="b_agent")
    assert compile_([create(), high, low], vocab).claim.actor == "a_agent"


def test_claim_take_written_before_the_winner_beyond_the_skew_wins(vocab):
    # a_agent's take is first in fold order but dated five minutes after b_agent's: it was
    # not live yet when b_agent took the item, so b_agent's take displaces it
    low = take("s1", clock=2, when=5, actor="a_agent")
    high = take("s2", clock=3, when=0, actor="b_agent")
    item = compile_([create(), high, low], vocab)
    assert item.claim.actor == "b_agent" and item.claim.taken_from == "a_agent/s1"


def test_claim_take_after_expiry_takes_over_and_says_from_whom(vocab):
    item = compile_([create(), take("s1", ttl=60), take("s2", clock=3, when=2, actor="b_agent")],
                    vocab)
    assert item.claim.holder == "b_agent/s2"
    assert item.claim.taken_from == "bot_agent/s1"
    assert item.claim.status_before == "todo_hard"  # not in_progress: where it goes back
    assert not item.lost_claims


def test_claim_human_steals_a_live_claim_naming_the_holder(vocab):
    steal = take("h", clock=3, when=1, by="human", **{"from": "bot_agent/s1"})
    item = compile_([create(), take("s1"), steal], vocab)
    assert item.claim.actor == "alice" and item.claim.by == "human"
    assert item.claim.taken_from == "bot_agent/s1"
    unnamed = compile_([create(), take("s1"), take("h", clock=3, when=1, by="human")], vocab)
    assert unnamed.claim.actor == "bot_agent"  # two humans racing don't both win
    wrong = take("h", clock=3, when=1, by="human", **{"from": "someone_agent/x"})
    assert compile_([create(), take("s1"), wrong], vocab).claim.actor == "bot_agent"


def test_claim_same_session_again_renews(vocab):
    item = compile_([create(), take("s1"), take("s1", clock=3, when=5, ttl=120)], vocab)
    assert item.claim.renewals == [at(0), at(5)] and item.claim.ttl_seconds == 120
    assert not item.lost_claims


def test_claim_same_actor_other_session_is_lost(vocab):
    item = compile_([create(), take("s1"), take("s2", clock=3, when=1)], vocab)
    assert item.claim.session == "s1"
    assert item.lost_claims[0].session == "s2"


def test_claim_any_write_by_the_holder_renews(vocab):
    item = compile_([create(), take(), op("discuss", clock=3, at=at(10), message="working")],
                    vocab)
    assert item.claim.renewals[-1] == at(10)
    other = compile_([create(), take(), op("discuss", clock=3, at=at(10), actor="x_agent",
                                           message="hi")], vocab)
    assert other.claim.renewals == [at(0)]


def test_claim_renew_and_reserve_by_holder_extend_the_lease_and_add_paths(vocab):
    item = compile_([create(), take(), claim_op("renew", when=4),
                     claim_op("reserve", clock=4, when=6, paths=["src/*.py", "docs/"]),
                     claim_op("reserve", clock=5, when=7, paths=["docs/"])], vocab)
    assert item.claim.renewals == [at(0), at(4), at(6), at(7)]
    assert item.claim.paths == ["src/*.py", "docs/"]


def test_claim_renew_by_another_session_is_lost(vocab):
    item = compile_([create(), take("s1"), claim_op("renew", "s2")], vocab)
    assert item.claim.renewals == [at(0)]
    assert item.lost_claims[0].action == "renew"


def test_claim_release_by_holder_ends_it_and_restores_status(vocab):
    item = compile_([create(), take(),
                     claim_op("release", set_={"status": "todo_hard"}, reason="blocked")], vocab)
    assert item.claim is None and item.status == "todo_hard"


def test_claim_release_of_a_live_claim_by_another_agent_is_lost_with_its_status(vocab):
    item = compile_([create(), take("s1"),
                     claim_op("release", "s2", actor="b_agent", set_={"status": "todo_hard"},
                              **{"from": "bot_agent/s1"})], vocab)
    assert item.claim.holder == "bot_agent/s1" and item.status == "in_progress"
    assert item.lost_claims[0].action == "release"


def test_claim_release_of_an_expired_claim_by_anyone_and_of_a_live_one_by_a_human(vocab):
    expired = compile_([create(), take("s1", ttl=60),
                        claim_op("release", "s2", when=5, actor="b_agent",
                                 set_={"status": "todo_hard"}, reason="stale",
                                 **{"from": "bot_agent/s1"})], vocab)
    assert expired.claim is None and expired.status == "todo_hard"
    human = compile_([create(), take("s1"),
                      claim_op("release", "h", by="human", set_={"status": "todo_hard"},
                               **{"from": "bot_agent/s1"})], vocab)
    assert human.claim is None


def test_claim_ends_when_the_item_leaves_the_working_statuses(vocab):
    item = compile_([create(), take(), op("update", clock=3, at=at(5), set={"status": "done"})],
                    vocab)
    assert item.claim is None and item.status == "done"
    by_other = compile_([create(), take(), op("update", clock=3, at=at(5), actor="h",
                                              by="human", set={"status": "needs_human_review"})],
                        vocab)
    assert by_other.claim is None


def test_claim_of_a_resolved_item_is_lost(vocab):
    item = compile_([create(status="done"), take()], vocab)
    assert item.claim is None and item.status == "done"
    assert "can't be claimed" in item.lost_claims[0].reason


def test_claim_future_renewal_does_not_block_a_present_take(vocab):
    forged = take("s1", when=600)  # ten hours ahead of the others
    honest = take("s2", clock=3, when=1, actor="b_agent")
    item = compile_([create(), forged, honest], vocab)
    assert item.claim.holder == "b_agent/s2"
    assert item.claim.taken_from == "bot_agent/s1"


def test_claim_ops_on_a_frozen_or_status_locked_item_are_rejected(vocab):
    rules = Rules(Governance())
    lock = op("lock", clock=2, by="human", lock=["status"])
    item = fold("WI-x", [create(), lock, take(clock=3)], vocab, policy=rules)
    assert item.claim is None
    assert [p.kind for p in item.problems] == [REJECTED]
    freeze = op("lock", clock=3, by="human", lock=list(LOCKABLE))
    item = fold("WI-x", [create(), take(), freeze, claim_op("renew", clock=4)], vocab,
                policy=rules)
    assert item.claim.renewals == [at(0)]
    assert "frozen" in item.problems[0].reason


def test_claim_take_must_follow_the_lifecycle(vocab):
    rules = Rules(Governance(), lifecycles=(
        ("work_item", (("todo_hard", ("needs_human_review",)),)),))
    item = fold("WI-x", [create(), take()], vocab, policy=rules)
    assert item.claim is None and item.status == "todo_hard"
    assert "allowed next: needs_human_review" in item.problems[0].reason


def test_claim_schema_refuses_bad_bodies(vocab):
    assert check_body({"action": "take", "session": "s", "ttl_seconds": 60}) is None
    assert "action" in check_body({"action": "grab", "session": "s", "ttl_seconds": 60})
    assert "session" in check_body({"action": "take", "session": "a b", "ttl_seconds": 60})
    assert "ttl_seconds" in check_body({"action": "take", "session": "s", "ttl_seconds": 0})
    assert "ttl_seconds" in check_body({"action": "release", "session": "s", "ttl_seconds": 5})
    assert "paths" in check_body({"action": "reserve", "session": "s", "ttl_seconds": 5})
    assert "paths" in check_body({"action": "take", "session": "s", "ttl_seconds": 5,
                                  "paths": ["x"]})
    assert "from" in check_body({"action": "take", "session": "s", "ttl_seconds": 5,
                                 "from": "nobody"})
    assert "not a claim key" in check_body({"action": "take", "session": "s",
                                            "ttl_seconds": 5, "owner": "x"})
    item = compile_([create(), op("update", clock=2, set={}, claim={"action": "take"})], vocab)
    assert item.claim is None and item.problems[0].kind == REJECTED


@pytest.mark.parametrize("claim", [
    {"action": "take", "session": "9b1f0c2e-5d7a", "ttl_seconds": 900},
    {"action": "take", "session": "s", "ttl_seconds": 900, "from": "bob_agent/old"},
    {"action": "reserve", "session": "s", "ttl_seconds": 900,
     "paths": ["src/*.py", "*.md", "docs/a b/[x].txt"]},
    {"action": "release", "session": "s", "from": "a_agent/x", "reason": "expired: 'q' \"d\""},
])
def test_claim_ops_read_back_as_written(claim):
    written = op("update", clock=2, set={"status": "in_progress"}, claim=claim)
    text = serialize_op(written)
    assert read_oplog(text.encode()).ops == [written]
    assert "  claim:  #" in text


def test_claim_forged_human_steal_is_rejected_and_the_holder_stays(vocab):
    rules = Rules(Governance())
    forged = take("h", clock=3, when=1, by="human", actor="mallory_agent",
                  **{"from": "bot_agent/s1"})
    item = fold("WI-x", [create(), take("s1"), forged], vocab, policy=rules)
    assert item.claim.holder == "bot_agent/s1"
    assert item.problems[0].kind == REJECTED and "forged" in item.problems[0].reason
