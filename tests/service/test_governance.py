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


def test_governance_a_linked_worktree_is_looked_up_by_its_main_worktree(tmp_tracker, tmp_path):
    from htrac.service.governance import worktrees
    from htrac.store.layout import Layout

    tmp_tracker.add("Committed")
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-q", "-m", "tracker")
    linked = tmp_path / "elsewhere"
    tmp_tracker.git("worktree", "add", "-q", str(linked))
    found = worktrees(Layout(linked / ".agent"))
    assert found == [linked.resolve(), tmp_tracker.path.resolve()]
    assert worktrees(Layout(tmp_tracker.agent_dir)) == [tmp_tracker.path.resolve()]


def test_governance_a_tracker_holding_an_op_a_trusted_key_signed_is_governed(tmp_tracker,
                                                                              tmp_path):
    """A copy at a path no trust file names is governed by the trust root whose key signed an
    op in it; a tracker with no such op is not; the answer is remembered."""
    import hashlib
    import os

    from htrac.core.config import Governance
    from htrac.policy import trustroot
    from htrac.policy.signing import format_public_key
    from htrac.service.governance import CACHE_NAME, governed_by_content
    from htrac.store.aliases import cache_dir
    from htrac.store.layout import Layout
    from tests.gitio.conftest import append_op

    raw = os.urandom(32)
    trust = tmp_path / "trust.d"
    trust.mkdir(mode=0o755)
    path = trust / "p.yaml"
    path.write_text(trustroot.render(["/nowhere/proj"],
                                     Governance(("*_bot",), True, (format_public_key(raw),))))
    os.chmod(path, 0o644)
    item = tmp_tracker.add("Copied")
    layout = Layout(tmp_tracker.agent_dir)
    assert governed_by_content(layout, trust) is None
    ops = tmp_tracker.agent_dir / "tracker-workspace" / ".ops" / f".{item}.ops"
    key_id = hashlib.sha256(raw).hexdigest()[:16]
    append_op(ops, "discuss", {"message": "signed elsewhere"}, by="human", actor="alice")
    with ops.open("a") as handle:  # the signature needn't verify: being governed takes only
        handle.write(f"  sig: ed25519:{key_id}:AAAA  # 0000\n")  # authority away
    root = governed_by_content(layout, trust)
    assert root is not None and root.path == path
    assert (cache_dir(layout.root) / CACHE_NAME).read_text().strip() == key_id
    ops.write_bytes(ops.read_bytes().replace(key_id.encode(), b"0" * 16))
    assert governed_by_content(layout, trust).path == path  # remembered: no scan needed
