"""The writer's side of causal commitments: a signed human op lists what it saw, a surface's
lock commits to what was on screen, a stale edit is refused, an expired edit window is closed.

A real tracker in a real git repository, a real Ed25519 key in a private config directory and
the real rules; the governance that a trust root would supply is given to the Tracker directly
(the trust root itself lives in /etc and is exercised by the OS-user tests)."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from htrac.core.config import Governance, load_config
from htrac.core.errors import AuthorityError, StaleVersionError
from htrac.core.identity import op_id
from htrac.core.oplog import read_oplog
from htrac.core.ops import SEEN, make_op
from htrac.core.serialize import serialize_op
from htrac.policy import keys
from htrac.policy.actor import Actor
from htrac.policy.authority import Authority
from htrac.policy.rules import Rules
from htrac.service.editwindow import switch
from htrac.service.humanops import freeze
from htrac.service.tracker import Tracker, init_tracker


@pytest.fixture
def signed(tmp_path, monkeypatch) -> Tracker:
    """A human's tracker in a repository whose governance requires signed human ops."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    pair, _ = keys.create()
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    layout = init_tracker(repo)
    governance = Governance(require_signatures=True, human_keys=(pair.public,),
                            source="test trust root")
    config = replace(load_config(layout.tracker_dir), governance=governance)
    rules = Rules(governance, config.human_only_statuses)
    authority = Authority(config, Actor("alice", "human"), rules, None)
    return Tracker(layout, config, authority.actor, rules, authority)


def _agent_writes(tracker: Tracker, item_id: str, op_type: str, *, clock: int, **body) -> str:
    op = make_op(op_type, by="agent", actor="bot_agent", clock=clock,
                 at="2020-01-01T00:00:00Z", body=body)
    with open(tracker.layout.item_path("workspace", item_id), "a") as handle:
        handle.write(serialize_op(op))
    return op.nonce


def _ops(tracker: Tracker, item_id: str):
    return read_oplog(tracker.layout.item_path("workspace", item_id).read_bytes()).ops


def test_commitment_signed_human_ops_list_what_they_saw_and_bind_the_rest(signed):
    item = signed.add(kind="work_item", title="Governed")
    assert _ops(signed, item.id)[0].get(SEEN) == [] and _ops(signed, item.id)[0].sig
    seen_before = _agent_writes(signed, item.id, "update", clock=2, set={"priority": 0})
    signed.lock(item.id, ["priority", "status"])
    lock = _ops(signed, item.id)[-1]
    create, agent = _ops(signed, item.id)[:2]
    assert lock.get(SEEN) == [op_id(create, item.id), op_id(agent, item.id)]
    late = _agent_writes(signed, item.id, "update", clock=1, set={"status": "done"})
    after = signed.show(item.id)
    assert after.priority == 0 and after.status == "todo_hard"
    assert {p.nonce for p in after.problems} == {late} and seen_before != late


def test_commitment_a_lock_from_a_screen_binds_what_appeared_after_it(signed):
    item = signed.add(kind="work_item", title="On screen")
    on_screen = [op_id(op, item.id) for op in _ops(signed, item.id)]
    newer = _agent_writes(signed, item.id, "update", clock=2, set={"status": "done"})
    assert signed.show(item.id).status == "done"
    locked = signed.lock(item.id, ["status"], seen=on_screen)
    assert locked.status == "todo_hard" and newer in {p.nonce for p in locked.problems}


def test_commitment_edit_based_on_an_old_version_is_refused_and_nothing_written(signed):
    item = signed.add(kind="work_item", title="Versioned")
    _agent_writes(signed, item.id, "discuss", clock=2, message="meanwhile")
    size = signed.layout.item_path("workspace", item.id).stat().st_size
    with pytest.raises(StaleVersionError) as caught:
        signed.update(item.id, set_={"title": "mine"}, expected_version=item.version)
    assert caught.value.item.version != item.version
    assert caught.value.item.discussion[0].message == "meanwhile"
    assert signed.layout.item_path("workspace", item.id).stat().st_size == size
    current = signed.show(item.id).version
    assert signed.update(item.id, set_={"title": "mine"},
                         expected_version=current)[1].title == "mine"


def test_commitment_freeze_is_never_stale_and_agents_are_bound(signed):
    item = signed.add(kind="work_item", title="Freeze me")
    shown = [op_id(op, item.id) for op in _ops(signed, item.id)]
    late = _agent_writes(signed, item.id, "update", clock=2, set={"title": "grabbed"})
    frozen = freeze(signed, item.id, seen=shown)
    assert frozen.frozen and frozen.title == "Freeze me"
    assert late in {p.nonce for p in frozen.problems}


def test_commitment_expired_window_is_closed_by_the_humans_next_write(signed):
    item = signed.add(kind="work_item", title="Window")
    switch(signed, True, ttl=1)
    log = signed.layout.edit_log("workspace")
    import time
    time.sleep(1.1)  # a window of one second runs out; nothing here is timed, only ordered
    signed.discuss(item.id, "later")
    toggles = [op.type for op in read_oplog(log.read_bytes()).ops]
    assert toggles == ["edit-mode-on", "edit-mode-off"]
    assert read_oplog(log.read_bytes()).ops[-1].get(SEEN) is not None


def test_commitment_an_item_a_newer_human_op_governs_is_read_only_for_agents(signed):
    item = signed.add(kind="work_item", title="From the future")
    future = make_op("lock", by="human", actor="alice", clock=2,
                     body={"lock": ["title"], "quorum": 2})
    pair = keys.load()
    from htrac.policy.signing import sign
    with open(signed.layout.item_path("workspace", item.id), "a") as handle:
        handle.write(serialize_op(sign(future, item.id, pair.private_pem())))
    assert "newer htrac" in signed.show(item.id).read_only_reason
    agent = Tracker(signed.layout, signed.config, Actor("bot_agent", "agent"), signed.policy)
    with pytest.raises(AuthorityError, match="read-only for agents"):
        agent.update(item.id, set_={"priority": 1})
    assert Path(signed.layout.item_path("workspace", item.id)).exists()
