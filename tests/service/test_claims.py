"""Claims through the service, with an injected clock (no sleeps): taking, refusing with the
holder's name, renewal, expiry and re-offer, steal, reclaim, a crashed holder, the session
limit, lifecycles, and what a session is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from htrac.core.errors import AuthorityError, ClaimedError, InvalidValueError
from htrac.core.ops import AGENT, HUMAN
from htrac.policy.actor import Actor
from htrac.service import claimnotices, claims, stale
from htrac.service.agents import agents
from htrac.service.holdings import holding
from htrac.service.listing import ready_view
from htrac.service.tracker import Tracker

T0 = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def as_(tmp_tracker, clock):
    """as_('bob_agent') -> a Tracker acting as that user, on the shared injected clock."""

    def open_as(name: str, config: str | None = None) -> Tracker:
        if config is not None:
            (tmp_tracker.agent_dir / "tracker" / "config.yaml").write_text(config)
        base = Tracker.open(start=tmp_tracker.path)
        who = Actor(name, AGENT if name.endswith("_agent") else HUMAN)
        tracker = Tracker(base.layout, base.config, who, base.policy, base.authority)
        tracker.clock = clock
        return tracker

    return open_as


def test_claim_takes_the_item_and_a_second_session_is_refused_naming_the_holder(tmp_tracker,
                                                                                 as_):
    item = tmp_tracker.add("Work")
    got = claims.claim(as_("bob_agent"), item, session="s1")
    assert got.item.status == "in_progress" and got.holding.holder == "bob_agent/s1"
    assert got.holding.lease.seconds_left == 15 * 60
    with pytest.raises(ClaimedError, match="claimed by bob_agent/s1 .15m left.") as refused:
        claims.claim(as_("carol_agent"), item, session="s9")
    assert refused.value.holder == "bob_agent/s1"
    with pytest.raises(ClaimedError, match="bob_agent/s1"):  # the same user, another session
        claims.claim(as_("bob_agent"), item, session="s2")


def test_claim_again_by_the_holder_renews(tmp_tracker, as_, clock):
    item = tmp_tracker.add("Work")
    bob = as_("bob_agent")
    claims.claim(bob, item, session="s1")
    clock.advance(minutes=10)
    again = claims.claim(bob, item, session="s1")
    assert again.renewed and again.holding.lease.seconds_left == 15 * 60


def test_claim_lease_expires_and_ready_offers_the_item_again(tmp_tracker, as_, clock):
    item = tmp_tracker.add("Work")
    bob = as_("bob_agent")
    claims.claim(bob, item, session="s1")
    assert item not in [i.id for i in ready_view(bob).ready]  # a live claim is never offered
    clock.advance(minutes=15)
    view = ready_view(bob)
    assert [i.id for i in view.ready] == [item]
    assert "expired" in view.notes[item]
    carol = as_("carol_agent")
    got = claims.claim(carol, item, session="c1")  # no --steal needed once expired
    assert got.took_from == "bob_agent/s1" and got.holding.holder == "carol_agent/c1"
    assert got.item.claim.status_before == "todo_hard"


def test_claim_any_write_by_the_holder_renews_the_lease(tmp_tracker, as_, clock):
    item = tmp_tracker.add("Work")
    bob = as_("bob_agent")
    claims.claim(bob, item, session="s1")
    clock.advance(minutes=14)
    bob.discuss(item, "still on it")
    clock.advance(minutes=14)
    assert holding(bob, bob.show(item)).live
    clock.advance(minutes=2)
    assert not holding(bob, bob.show(item)).live


def test_heartbeat_renews_at_most_once_per_third_of_the_ttl(tmp_tracker, as_, clock):
    item = tmp_tracker.add("Work")
    bob = as_("bob_agent")
    claims.claim(bob, item, session="s1")
    ops_before = len(bob.raw_log(item).splitlines())
    clock.advance(minutes=4)
    [beat] = claims.heartbeat(bob, session="s1")
    assert not beat.renewed and len(bob.raw_log(item).splitlines()) == ops_before
    clock.advance(minutes=1)
    [beat] = claims.heartbeat(bob, session="s1")
    assert beat.renewed and beat.holding.lease.seconds_left == 15 * 60
    assert claims.heartbeat(bob, session="other") == []
    with pytest.raises(ClaimedError, match="don't hold"):
        claims.heartbeat(bob, [item], session="other")


def test_claim_steal_by_a_human_says_from_whom_and_an_agent_must_wait(tmp_tracker, as_,
                                                                      clock):
    item = tmp_tracker.add("Work")
    claims.claim(as_("bob_agent"), item, session="s1")
    with pytest.raises(ClaimedError, match="only after its lease expires"):
        claims.claim(as_("carol_agent"), item, session="c1", steal=True)
    got = claims.claim(as_("alice"), item, session="h", steal=True)
    assert got.took_from == "bob_agent/s1" and got.holding.holder == "alice/h"
    assert got.item.claim.by == HUMAN


def test_claim_of_a_crashed_holder_is_stale_and_reclaimed_with_the_reason(tmp_tracker, as_,
                                                                          clock):
    item = tmp_tracker.add("Work")
    claims.claim(as_("bob_agent"), item, session="crashed")  # and never heard from again
    alice = as_("alice")
    assert stale.stale(alice) == []
    clock.advance(minutes=16)
    [entry] = stale.stale(alice)
    assert entry.holding.holder == "bob_agent/crashed" and "expired" in entry.why
    with pytest.raises(AuthorityError, match="requires a human"):
        stale.reclaim(as_("carol_agent"), session="c1")
    [done] = stale.reclaim(alice, session="h")
    assert done.item.claim is None and done.item.status == "todo_hard"
    assert b"stale --reclaim: lease expired at 2026-03-01T09:15:00Z" in alice.raw_log(item)
    assert stale.stale(alice) == []


def test_claim_reclaim_by_agents_when_the_config_allows(tmp_tracker, as_, clock):
    item = tmp_tracker.add("Work")
    claims.claim(as_("bob_agent"), item, session="s1")
    clock.advance(minutes=20)
    carol = as_("carol_agent", "claims: {reclaim: anyone}\n")
    [done] = stale.reclaim(carol, session="c1")
    assert done.released_from == "bob_agent/s1"


def test_claim_release_returns_the_item_and_only_the_holder_may(tmp_tracker, as_):
    item = tmp_tracker.add("Work", "--status", "todo_soft")
    bob = as_("bob_agent")
    claims.claim(bob, item, session="s1")
    with pytest.raises(ClaimedError, match="only the holder or a human"):
        claims.release(as_("carol_agent"), item, session="c1")
    done = claims.release(bob, item, session="s1", reason="blocked on review")
    assert done.item.status == "todo_soft" and done.item.claim is None
    with pytest.raises(InvalidValueError, match="nobody holds"):
        claims.release(bob, item, session="s1")


def test_claim_ends_when_the_holder_marks_it_done(tmp_tracker, as_):
    item = tmp_tracker.add("Work")
    bob = as_("bob_agent")
    claims.claim(bob, item, session="s1")
    bob.update(item, set_={"status": "done"})
    assert bob.show(item).claim is None


def test_claim_respects_isbefore_duplicates_and_resolved_items(tmp_tracker, as_):
    later = tmp_tracker.add("Later")
    tmp_tracker.add("First", "--isbefore", later)
    bob = as_("bob_agent")
    with pytest.raises(InvalidValueError, match="is blocked: WI-.* must finish first"):
        claims.claim(bob, later, session="s1")
    done = tmp_tracker.add("Done already", "--status", "done")
    with pytest.raises(InvalidValueError, match="only items in todo_hard, todo_soft"):
        claims.claim(bob, done, session="s1")


def test_claim_respects_locks_and_freeze(tmp_tracker, as_):
    locked = tmp_tracker.add("Status locked")
    tmp_tracker.ok("lock", locked, "status")
    with pytest.raises(AuthorityError, match="locked"):
        claims.claim(as_("bob_agent"), locked, session="s1")
    frozen = tmp_tracker.add("Frozen")
    tmp_tracker.ok("freeze", frozen)
    with pytest.raises(AuthorityError, match="frozen"):
        claims.claim(as_("bob_agent"), frozen, session="s1")


def test_claim_max_claims_per_session(tmp_tracker, as_):
    first, second = tmp_tracker.add("One"), tmp_tracker.add("Two")
    bob = as_("bob_agent", "claims: {max_claims_per_session: 1}\n")
    claims.claim(bob, first, session="s1")
    with pytest.raises(InvalidValueError, match="max_claims_per_session is 1"):
        claims.claim(bob, second, session="s1")
    claims.claim(bob, second, session="s2")  # another session has its own allowance


def test_claim_ready_takes_the_top_item_and_moves_past_a_taken_one(tmp_tracker, as_):
    top = tmp_tracker.add("Top", "--priority", "0")
    nxt = tmp_tracker.add("Next", "--priority", "1")
    got = claims.claim_ready(as_("bob_agent"), session="s1")
    assert got.item.id == top
    got = claims.claim_ready(as_("carol_agent"), session="c1")
    assert got.item.id == nxt
    assert claims.claim_ready(as_("dan_agent"), session="d1") is None


def test_claim_lifecycle_refuses_agents_naming_the_next_statuses_and_humans_need_force(
        tmp_tracker, as_):
    config = ("kinds:\n  work_item:\n    prefix: WI\n    transitions:\n"
              "      todo_hard: [in_progress]\n      in_progress: [needs_human_review]\n")
    item = tmp_tracker.add("Work")
    bob = as_("bob_agent", config)
    with pytest.raises(AuthorityError, match="allowed next: in_progress"):
        bob.update(item, set_={"status": "done"})
    claims.claim(bob, item, session="s1")
    with pytest.raises(AuthorityError, match="allowed next: needs_human_review"):
        bob.update(item, set_={"status": "done"})
    run = tmp_tracker.htrac("update", item, "--status", "done")
    assert run.code == 1 and "--force" in run.err
    tmp_tracker.ok("update", item, "--status", "done", "--force")


def test_claim_agents_lists_holders_with_last_heartbeat(tmp_tracker, as_, clock):
    a, b = tmp_tracker.add("A"), tmp_tracker.add("B")
    claims.claim(as_("bob_agent"), a, session="s1")
    clock.advance(minutes=3)
    claims.claim(as_("carol_agent"), b, session="c1")
    clock.advance(minutes=13)
    listed = agents(as_("alice"))
    assert [(x.holder, len(x.live), len(x.expired)) for x in listed] == [
        ("carol_agent/c1", 1, 0), ("bob_agent/s1", 0, 1)]
    assert listed[0].last_heartbeat == T0 + timedelta(minutes=3)


def test_claim_lost_is_told_on_touch_always_and_by_ready_once(tmp_tracker, as_):
    """A lost take (as a merge leaves it) is reported to the loser's session."""
    item = tmp_tracker.add("Contested")
    claims.claim(as_("bob_agent"), item, session="s1")
    carol = as_("carol_agent")
    _append_take(tmp_tracker, item, actor="carol_agent", session="c1")  # as if merged in
    after = carol.show(item)
    assert after.claim.holder == "bob_agent/s1"
    [told] = claimnotices.about_item(carol, after, "c1")
    assert "you (carol_agent/c1) do not hold" in told and "held by bob_agent/s1" in told
    assert claimnotices.about_item(as_("bob_agent"), after, "s1") == []
    notices = claimnotices.untold(carol, "c1")
    assert len(notices) == 1
    claimnotices.mark_told(carol, notices)
    assert claimnotices.untold(carol, "c1") == []
    assert claimnotices.about_item(carol, after, "c1")  # touching commands keep saying so


def _append_take(tracker_repo, item: str, *, actor: str, session: str) -> None:
    """A take written on another clone, at the same clock as the winner's, a second later."""
    from htrac.core.oplog import read_oplog
    from htrac.core.ops import make_op
    from htrac.core.serialize import serialize_op

    path = next(tracker_repo.agent_dir.rglob(f".{item}.ops"))
    current = read_oplog(path.read_bytes())
    winner = current.ops[-1]
    at = (datetime.strptime(winner.at, "%Y-%m-%dT%H:%M:%SZ") + timedelta(seconds=1))
    op = make_op("update", by="agent", actor=actor, clock=winner.clock,
                 at=at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                 body={"set": {"status": "in_progress"},
                       "claim": {"action": "take", "session": session, "ttl_seconds": 900}})
    with open(path, "a", encoding="utf-8") as out:
        out.write(serialize_op(op))
