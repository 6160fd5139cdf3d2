"""The activity feed: the latest ops across the tracker, newest first, each with whose authority
it really carries — an op that claims the human's but names an agent user counts as the agent's."""

from __future__ import annotations

import pytest

from htrac.core.errors import InvalidValueError
from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from htrac.service.activity import feed
from htrac.service.tracker import Tracker


def test_feed_is_newest_first_with_summaries(tmp_tracker):
    first = tmp_tracker.add("First")
    second = tmp_tracker.add("Second")
    tmp_tracker.ok("update", first, "--status", "in_progress")
    entries = feed(Tracker.open(start=tmp_tracker.path), 10)
    # ops of one item newest first; two items' ops in the same second may come either way
    assert [e["type"] for e in entries if e["item_id"] == first] == ["update", "create"]
    assert [e["type"] for e in entries if e["item_id"] == second] == ["create"]
    assert entries[0]["summary"] == "set status = in_progress"
    assert entries[0]["tier"] == "workspace"
    assert len({e["id"] for e in entries}) == 3
    assert len(feed(Tracker.open(start=tmp_tracker.path), 2)) == 2


def test_a_forged_human_op_counts_as_the_agents(tmp_tracker):
    item = tmp_tracker.add("Target")
    forged = make_op("discuss", by="human", actor="bot_agent", clock=9,
                     at="2099-01-01T00:00:00Z", body={"message": "trust me, I'm the human"})
    with open(tmp_tracker.agent_dir / "tracker-workspace/.ops" / f".{item}.ops", "a") as f:
        f.write(serialize_op(forged))
    top = feed(Tracker.open(start=tmp_tracker.path), 5)[0]
    assert (top["actor"], top["by"], top["counts_as"]) == ("bot_agent", "human", "agent")
    assert top["summary"] == "said: trust me, I'm the human"


@pytest.mark.parametrize("limit", [0, -1, 1001])
def test_limit_out_of_range_is_refused(tmp_tracker, limit):
    with pytest.raises(InvalidValueError, match="limit"):
        feed(Tracker.open(start=tmp_tracker.path), limit)


def _append(tmp_tracker, item, op):
    with open(tmp_tracker.agent_dir / "tracker-workspace/.ops" / f".{item}.ops", "a") as f:
        f.write(serialize_op(op))


def test_feed_orders_by_arrival_not_by_the_at_an_agent_wrote(tmp_tracker):
    """A forward-dated op no longer holds the top of the activity view, and a back-dated one
    can't hide below older ops: the index lists ops in the order it first read them."""
    a, b = tmp_tracker.add("A"), tmp_tracker.add("B")
    tmp_tracker.ok("list")  # the index has read both
    _append(tmp_tracker, a, make_op("update", by="agent", actor="bot", clock=5,
                                    at="2099-01-01T00:00:00Z", body={"priority": 1}))
    tmp_tracker.ok("list")  # read: the forward-dated op arrived now
    tmp_tracker.ok("update", b, "--priority", "3")
    _append(tmp_tracker, b, make_op("update", by="agent", actor="bot", clock=9,
                                    at="2001-01-01T00:00:00Z", body={"priority": 0}))
    entries = feed(Tracker.open(start=tmp_tracker.path), 10)
    assert [(e["item_id"], e["at"][:4]) for e in entries[:3]] == [
        (b, "2001"), (b, entries[1]["at"][:4]), (a, "2099")]
    assert entries[1]["summary"] == "set priority = 3"
    # then what was there when the index was built, by `at`: the two creates
    assert [e["type"] for e in entries[3:]] == ["create", "create"]


def test_feed_after_a_rebuild_falls_back_to_at(tmp_tracker):
    item = tmp_tracker.add("Target")
    _append(tmp_tracker, item, make_op("update", by="agent", actor="bot", clock=5,
                                       at="2099-01-01T00:00:00Z", body={"priority": 1}))
    tmp_tracker.ok("cache-rebuild")
    top = feed(Tracker.open(start=tmp_tracker.path), 5)[0]
    assert top["at"].startswith("2099")  # no arrival known: the op's own `at` orders it
