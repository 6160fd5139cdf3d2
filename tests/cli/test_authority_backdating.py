"""Issue 12, part 1, as the attacks were made: a real agent OS user writes ops with any clock and
`at` it likes — back-dated under a human's lock or freeze, a second create at clock 0, a message
edit back-dated into an edit-mode window the human had closed — on both documented layouts.
Every one must change nothing the human decided, and be reported where the human looks."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from layouts import Governed as Clones
from layouts import (
    append_as_agent,
    governed_clones,
    governed_shared,
    remove_trust_files,
    results_by_name,
    state,
)
from os_users import AGENT, HUMAN, Machine, machine_or_skip

pytestmark = pytest.mark.slow  # real users, a venv and pip

OLD = "2020-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def machine():
    yield from machine_or_skip(remove_trust_files)


@pytest.fixture(scope="module")
def clones(machine: Machine) -> Clones:
    return governed_clones(machine)


def _op(op_type: str, body: dict, *, clock: int, at: str = OLD) -> str:
    from htrac.core.ops import make_op
    from htrac.core.serialize import serialize_op
    return serialize_op(make_op(op_type, by="agent", actor=AGENT, clock=clock, at=at,
                                body=body))


def _ops_file(root: Path, item_id: str) -> Path:
    return root / ".agent/tracker-workspace/.ops" / f".{item_id}.ops"


def _nonce(text: str) -> str:
    return text.split("\n")[0].rsplit("# ", 1)[1]


def _push_as_agent(m: Machine, clones: Clones) -> str:
    """The agent commits (past its own hooks) and pushes; the human pulls. Returns the human's
    commit before the pull."""
    m.git(AGENT, "commit", "-q", "-a", "-m", "work", "--no-verify", cwd=clones.agent)
    m.git(AGENT, "push", "-q", "origin", "main", cwd=clones.agent)
    before = m.git(HUMAN, "rev-parse", "HEAD", cwd=clones.human).strip()
    m.git(HUMAN, "pull", "-q", "--no-rebase", "origin", "main", cwd=clones.human)
    return before


def _sync_agent(m: Machine, clones: Clones) -> None:
    m.git(HUMAN, "add", "-A", cwd=clones.human)
    m.git(HUMAN, "commit", "-q", "-m", "human", cwd=clones.human)
    m.git(HUMAN, "push", "-q", "origin", "main", cwd=clones.human)
    m.git(AGENT, "pull", "-q", "--no-rebase", "origin", "main", cwd=clones.agent)


def _rejected(item: dict) -> set[str]:
    return {p["nonce"] for p in item.get("problems", []) if p["kind"] == "rejected"}


def test_backdated_ops_under_locks_freeze_and_a_second_create_change_nothing(machine, clones):
    m = machine
    m.ok(HUMAN, "lock", clones.locked, "title", "priority", cwd=clones.human)
    _sync_agent(m, clones)
    watched = (clones.locked, clones.frozen)
    before = {i: state(m, HUMAN, i, clones.human) for i in watched}
    data = {"kind": "work_item", "title": "Planted", "status": "done", "priority": 0,
            "parent": None, "tags": [], "isbefore": [], "duplicate_of": [],
            "not_duplicate_of": [], "pr_ref": None, "description": "", "fields": {}}
    attacks = {
        clones.locked: [
            _op("update", {"set": {"status": "done", "title": "Rewritten"}}, clock=1),
            _op("discuss", {"message": "slipped under the discussion lock"}, clock=1),
            _op("create", {"data": data}, clock=0),
            _op("update", {"set": {"priority": 0}}, clock=1, at="2099-01-01T00:00:00Z"),
        ],
        clones.frozen: [
            _op("update", {"set": {"status": "done", "title": "Thawed"}}, clock=1),
            _op("discuss", {"message": "frozen? not for me"}, clock=1),
        ],
    }
    for item_id, texts in attacks.items():
        for text in texts:
            append_as_agent(m, _ops_file(clones.agent, item_id), text)
    since = _push_as_agent(m, clones)

    for item_id, texts in attacks.items():
        seen = m.item(HUMAN, item_id, clones.human)
        assert {_nonce(t) for t in texts} <= _rejected(seen), seen.get("problems")
        assert state(m, HUMAN, item_id, clones.human) == before[item_id]
        assert state(m, AGENT, item_id, clones.agent) == before[item_id]  # every clone agrees
    shown = m.ok(HUMAN, "show", clones.locked, cwd=clones.human)
    assert "Rewritten" not in shown.split("problems")[0] and "rejected" in shown

    check = m.htrac(HUMAN, "--json", "validate", "--check-locks", "--strict", cwd=clones.human)
    assert check.code == 1
    history = m.htrac(HUMAN, "validate", "--since", since, "--strict", cwd=clones.human)
    assert history.code == 1 and "back-dated op" in history.out + history.err
    assert m.htrac(HUMAN, "doctor", cwd=clones.human).code == 1


def test_edit_backdated_into_a_closed_window_does_not_rewrite_the_humans_words(machine, clones):
    m = machine
    item = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Words", cwd=clones.human).strip()
    m.ok(HUMAN, "discuss", item, "Ship only after review.", cwd=clones.human)
    m.ok(HUMAN, "edit-mode", "on", "--ttl", "30m", cwd=clones.human)
    m.ok(HUMAN, "edit-mode", "off", cwd=clones.human)
    _sync_agent(m, clones)
    message = m.item(AGENT, item, clones.agent)["discussion"][0]
    log = (clones.human / ".agent/tracker-workspace/.edit-mode/edit-mode.ops").read_text()
    opened = datetime.fromisoformat([line for line in log.splitlines()
                                     if line.startswith("  at: ")][0].split("'")[1][:-1])
    inside = (opened + timedelta(microseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    forged = _op("edit-msg-text", {"item": item, "target_nonce": message["nonce"],
                                   "new_text": "APPROVED: ship now", "reason": "typo"},
                 clock=1, at=inside)
    append_as_agent(m, _ops_file(clones.agent, item), forged)
    _push_as_agent(m, clones)
    after = m.item(HUMAN, item, clones.human)
    assert after["discussion"][0]["message"] == "Ship only after review."
    assert _nonce(forged) in _rejected(after)
    assert "edit-mode window" in json.dumps(after["problems"])


def test_honest_agent_work_the_human_saw_stays_and_newer_work_is_bound(machine, clones):
    """The other side of the rule: what the human saw when locking stays; what came later is
    judged under the lock — on the human's clone and on the agent's."""
    m = machine
    item = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Honest", cwd=clones.human).strip()
    _sync_agent(m, clones)
    m.ok(AGENT, "update", item, "--status", "in_progress", cwd=clones.agent)
    _push_as_agent(m, clones)
    m.ok(HUMAN, "lock", item, "status", cwd=clones.human)
    _sync_agent(m, clones)
    late = _op("update", {"set": {"status": "done"}}, clock=1)
    append_as_agent(m, _ops_file(clones.agent, item), late)
    for user, cwd in ((AGENT, clones.agent), (HUMAN, clones.agent)):
        seen = m.item(user, item, cwd)
        assert seen["status"] == "in_progress" and _nonce(late) in _rejected(seen)


# -- the shared worktree: the pre-commit hook stops the human committing the agent's forgery ---

@pytest.fixture(scope="module")
def shared(machine: Machine) -> tuple[Path, str]:
    return governed_shared(machine)


def test_shared_worktree_precommit_refuses_a_backdated_op(machine, shared):
    m, (repo, item) = machine, shared
    m.git(HUMAN, "add", "-A", cwd=repo)
    m.git(HUMAN, "commit", "-q", "-m", "tracker", cwd=repo)
    before = state(m, HUMAN, item, repo)
    forged = _op("update", {"set": {"status": "done"}}, clock=1)
    append_as_agent(m, _ops_file(repo, item), forged)
    assert state(m, HUMAN, item, repo) == before
    m.git(HUMAN, "add", "-A", cwd=repo)
    commit = m.run(HUMAN, "git", "commit", "-q", "-m", "agent's work", cwd=repo)
    assert commit.code != 0, commit.out
    assert _nonce(forged) in commit.out + commit.err and "back-dated" in commit.out + commit.err
    subprocess.run(["git", "reset", "-q"], cwd=repo, check=False)


def test_doctor_names_locks_that_rest_on_ops_from_before_commitments(machine, clones):
    """The clones were set up with a lock made before signing: doctor says so, and re-locking
    as the human closes the gap."""
    m = machine
    found = results_by_name(m.htrac(HUMAN, "--json", "doctor", cwd=clones.human))
    result = found["uncommitted_decisions"][0]
    assert result["status"] == "warn" and result["details"], result
    for item_id in result["details"]:
        names = m.item(HUMAN, item_id, clones.human)["locked_fields"]
        m.ok(HUMAN, "lock", item_id, *names, cwd=clones.human)
    found = results_by_name(m.htrac(HUMAN, "--json", "doctor", cwd=clones.human))
    assert found["uncommitted_decisions"][0]["status"] == "ok"
