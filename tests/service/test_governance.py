"""Locks in force on other branches bind an agent's writes (checked at write time)."""

from __future__ import annotations

import pytest

from htrac.core.errors import AuthorityError
from htrac.core.ops import AGENT
from htrac.policy.actor import Actor
from htrac.service.tracker import Tracker


def _as_agent(path) -> Tracker:
    human = Tracker.open(start=path)
    return Tracker(human.layout, human.config, Actor("bot_agent", AGENT), human.policy,
                   human.authority)


def test_governance_lock_on_another_branch_refuses_the_agent_here(tmp_tracker):
    item = tmp_tracker.add("Branch-locked")
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-q", "-m", "item")
    tmp_tracker.git("checkout", "-q", "-b", "dev")
    tmp_tracker.ok("lock", item, "status")
    tmp_tracker.git("commit", "-q", "-am", "lock on dev")
    tmp_tracker.git("checkout", "-q", "main")
    agent = _as_agent(tmp_tracker.path)
    assert agent.show(item).locked_fields == set()  # not locked on this branch's file
    with pytest.raises(AuthorityError, match="locked"):
        agent.update(item, set_={"status": "done"})
    agent.update(item, set_={"priority": 1})  # an unlocked field is still the agent's


def test_governance_agent_summary_keeps_the_human_messages(tmp_tracker):
    item = tmp_tracker.add("Thread")
    tmp_tracker.ok("discuss", item, "human words")
    agent = _as_agent(tmp_tracker.path)
    agent.discuss(item, "agent words")
    agent.discuss(item, "short version", summarize=True)
    assert [(e.by, e.message) for e in agent.show(item).discussion] == [
        ("human", "human words"), ("agent", "short version")]
