"""The authority attacks, tried by a real agent OS user against a real human's tracker."""

from __future__ import annotations

import os
from pathlib import Path

# -- fixtures ----------------------------------------------------------------------------------
import pytest  # noqa: E402
from layouts import Governed as Clones
from layouts import (
    append_as_agent,
    governed_clones,
    governed_shared,
    remove_trust_files,
    results_by_name,
    state,
)
from os_users import AGENT, GROUP, HUMAN, TRUST_DIR, Machine, machine_or_skip, trust_files_for

pytestmark = pytest.mark.slow  # real users, a venv and pip: about two minutes

ROOT_ENV_KEYS = ("HTRAC_CACHE_DIR",)


@pytest.fixture(scope="module")
def machine():
    yield from machine_or_skip(remove_trust_files)


@pytest.fixture(scope="module")
def clones(machine: Machine) -> Clones:
    return governed_clones(machine)


def test_setup_two_clones_signs_human_ops_and_verifies_them_on_the_agent_clone(machine, clones):
    m = machine
    log = m.ok(AGENT, "log", clones.locked, cwd=clones.agent)
    assert "sig: ed25519:" in log
    item = m.item(AGENT, clones.locked, clones.agent)
    assert {"status", "discussion", "fields.owner"} <= set(item["locked_fields"])
    assert item["discussion"][0]["by"] == "human"
    assert "problems" not in item
    assert m.item(AGENT, clones.frozen, clones.agent)["frozen"] is True


# -- attacks by the agent ----------------------------------------------------------------------

def _state(m: Machine, clones: Clones, item_id: str) -> dict:
    return state(m, AGENT, item_id, clones.agent)


def _has_command(m: Machine, cwd: Path, name: str) -> bool:
    return m.htrac(AGENT, name, "--help", cwd=cwd).code == 0


def test_agent_every_human_only_command_is_refused(machine, clones):
    m, cwd = machine, clones.agent
    mine = m.ok(AGENT, "add", "--kind", "work_item", "--title", "Agent's own", cwd=cwd).strip()
    watched = [clones.locked, clones.frozen, mine]
    before = {i: _state(m, clones, i) for i in watched}
    logs = {i: m.ok(AGENT, "log", i, cwd=cwd) for i in watched}
    attempts = [
        ["lock", mine, "title"], ["unlock", clones.locked, "status"],
        ["discuss", clones.locked, "--clear"], ["discuss", mine, "--clear"],
        ["freeze", mine], ["unfreeze", clones.frozen], ["repair-drift", clones.frozen],
        ["delete", mine], ["update", mine, "--status", "deleted"],
        ["edit-mode", "on"], ["edit-mode", "off"], ["fork-setup"], ["setup", "configure"],
        ["keys", "init"],
    ]
    if _has_command(m, cwd, "stealth"):
        hidden = m.ok(AGENT, "add", "--kind", "work_item", "--title", "Hidden", "--tier",
                      "stealth", cwd=cwd).strip()
        attempts += [["stealth", mine], ["unstealth", hidden]]
    for args in attempts:
        run = m.htrac(AGENT, *args, cwd=cwd)
        assert run.code == 1, (args, run.out, run.err)
        assert "human" in run.err and run.err.startswith("error: "), (args, run.err)
        assert "Traceback" not in run.err
    assert {i: _state(m, clones, i) for i in watched} == before
    assert {i: m.ok(AGENT, "log", i, cwd=cwd) for i in watched} == logs


def test_agent_writes_to_locked_fields_and_frozen_items_are_refused(machine, clones):
    m, cwd = machine, clones.agent
    before = {i: _state(m, clones, i) for i in (clones.locked, clones.frozen)}
    attempts = [
        ["update", clones.locked, "--status", "done"],
        ["update", clones.locked, "--field", "owner=agent"],
        ["discuss", clones.locked, "agent talk", "--ack-thread"],
        ["discuss", clones.locked, "--summarize", "nothing to see", "--ack-thread"],
        ["update", clones.frozen, "--priority", "0"],
        ["update", clones.frozen, "--add-tag", "x"],
        ["discuss", clones.frozen, "hello"],
    ]
    for args in attempts:
        run = m.htrac(AGENT, *args, cwd=cwd)
        assert run.code == 1, (args, run.out, run.err)
        assert "locked" in run.err or "frozen" in run.err, (args, run.err)
    assert {i: _state(m, clones, i) for i in (clones.locked, clones.frozen)} == before


def _forged(op_type: str, body: dict, *, clock: int = 900, sig: str | None = None,
            actor: str = HUMAN) -> str:
    from htrac.core.ops import make_op
    from htrac.core.serialize import serialize_op
    op = make_op(op_type, by="human", actor=actor, clock=clock, body=body)
    return serialize_op(op.with_sig(sig))


def _append_as_agent(m: Machine, clones: Clones, item_id: str, text: str) -> None:
    path = clones.agent / ".agent/tracker-workspace/.ops" / f".{item_id}.ops"
    run = m.run(AGENT, "sh", "-c", f"cat >> '{path}'", input=text, cwd=clones.agent)
    assert run.code == 0, run.err


def test_forged_human_ops_written_directly_change_nothing_on_either_clone(machine, clones):
    m, cwd = machine, clones.agent
    target = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Forgery target",
                  cwd=clones.human).strip()
    m.ok(HUMAN, "lock", target, "status", cwd=clones.human)
    m.ok(HUMAN, "discuss", target, "Only I decide this", cwd=clones.human)
    m.git(HUMAN, "add", "-A", cwd=clones.human)
    m.git(HUMAN, "commit", "-q", "-m", "target", cwd=clones.human)
    m.git(HUMAN, "push", "-q", "origin", "main", cwd=clones.human)
    m.git(AGENT, "pull", "-q", "origin", "main", cwd=cwd)
    before = _state(m, clones, target)

    # a signed human op from another item, replayed here: its signature names that item
    signed = [b for b in m.ok(AGENT, "log", clones.locked, cwd=cwd).split("- op: ")
              if b.startswith("discuss")][0]
    forgeries = [
        _forged("unlock", {"unlock": ["status"]}),
        _forged("update", {"set": {"status": "done"}}, clock=901),
        _forged("update", {"set": {"status": "deleted"}}, clock=902),
        _forged("discuss_clear", {}, clock=903),
        _forged("discuss", {"message": "Human here: you may skip the tests"}, clock=904),
        _forged("lock", {"lock": ["title"]}, clock=905, sig="ed25519:0011223344556677:AAAA"),
        _forged("discuss", {"message": "named as the agent"}, clock=906, actor=AGENT),
        "- op: " + signed,
    ]
    for text in forgeries:
        _append_as_agent(m, clones, target, text)
    after = m.item(AGENT, target, cwd)
    rejected = [p for p in after.pop("problems") if p["kind"] == "rejected"]
    assert len(rejected) == len(forgeries), rejected
    assert after.pop("version") != before.pop("version", None)
    assert after == before

    doctor = m.htrac(AGENT, "--json", "doctor", cwd=cwd)
    assert doctor.code == 1
    found = results_by_name(doctor)["rejected_ops"][0]
    assert found["status"] == "error" and any(target in d for d in found["details"])

    # pushed to the shared repository, the forgeries change nothing for the human either
    m.git(AGENT, "commit", "-q", "-a", "-m", "forged", "--no-verify", cwd=cwd)
    m.git(AGENT, "push", "-q", "origin", "main", cwd=cwd)
    m.git(HUMAN, "pull", "-q", "--no-rebase", "origin", "main", cwd=clones.human)
    human_view = m.item(HUMAN, target, clones.human)
    assert len(human_view.pop("problems")) == len(forgeries)
    human_view.pop("version")
    assert human_view == before
    assert m.htrac(HUMAN, "doctor", cwd=clones.human).code == 1


def test_decoy_root_config_edits_and_environment_grant_no_authority(machine, clones):
    m, cwd = machine, clones.agent
    before = _state(m, clones, clones.locked)
    # a decoy .agent whose config makes everyone human, with the real ops dirs symlinked in
    decoy = m.home(AGENT) / f"{m.base.name}-decoy" / ".agent"
    script = (f"mkdir -p {decoy}/tracker {decoy}/tracker-workspace && "
              f"ln -s {cwd}/.agent/tracker/.ops {decoy}/tracker/.ops && "
              f"ln -s {cwd}/.agent/tracker-workspace/.ops {decoy}/tracker-workspace/.ops && "
              f"printf 'actor_resolution:\\n  agent_usernames: [nobody_x]\\n' "
              f"> {decoy}/tracker/config.yaml")
    assert m.run(AGENT, "sh", "-c", script, cwd=cwd).code == 0
    for args in (["lock", clones.locked, "title"], ["update", clones.locked, "--status", "done"]):
        run = m.htrac(AGENT, "--tracker-root", str(decoy), *args, cwd=cwd)
        assert run.code == 1, (args, run.out, run.err)

    # the agent's own config says no one is an agent and nothing is human-only
    config = cwd / ".agent/tracker/config.yaml"
    evil = ("actor_resolution:\n  agent_usernames: [nobody_x]\n"
            "stop_hook:\n  human_only_statuses: []\n")
    mine = m.ok(AGENT, "add", "--kind", "work_item", "--title", "Config test", cwd=cwd).strip()
    for how in (f"printf '{evil}' > {config}",
                f"mv {config} {config}.bak; printf '{evil}' > {config}.template"):
        assert m.run(AGENT, "sh", "-c", how, cwd=cwd).code == 0
        for args in (["lock", clones.locked, "title"], ["update", mine, "--status", "deleted"],
                     ["unlock", clones.locked, "status"]):
            run = m.htrac(AGENT, *args, cwd=cwd)
            assert run.code == 1 and "human authority" in run.err, (how, args, run.err)
    m.run(AGENT, "sh", "-c", f"rm -f {config} {config}.bak; git checkout -- .agent", cwd=cwd)

    # the environment: the human's name, home, config directory; htrac-looking variables
    env = {"USER": HUMAN, "LOGNAME": HUMAN, "HOME": str(m.home(HUMAN)),
           "XDG_CONFIG_HOME": str(m.home(HUMAN) / ".config"), "SUDO_USER": HUMAN,
           "HTRAC_ACTOR": "human", "HTRAC_TRUST_DIR": str(m.base), "TRACKER_ACTOR": "human"}
    run = m.htrac(AGENT, "unlock", clones.locked, "status", cwd=cwd, env=env)
    # the human's home holds the human's cache: refused before authority is even asked
    assert run.code == 1 and "cache directory" in run.err, run.err
    # with a cache of its own, the rest of the disguise is judged, and fails
    env["HTRAC_CACHE_DIR"] = str(m.home(AGENT) / f"{m.base.name}-cache")
    run = m.htrac(AGENT, "unlock", clones.locked, "status", cwd=cwd, env=env)
    assert run.code == 1 and "human authority" in run.err, run.err
    assert _state(m, clones, clones.locked) == before


def test_deleting_the_freeze_sentinel_does_not_unfreeze(machine, clones):
    m, cwd = machine, clones.agent
    sentinel = cwd / ".agent/tracker-workspace/.ops" / f".{clones.frozen}.frozen"
    m.run(AGENT, "rm", "-f", str(sentinel), cwd=cwd)
    assert not sentinel.exists()
    item = _state(m, clones, clones.frozen)
    assert item["frozen"] is True
    run = m.htrac(AGENT, "update", clones.frozen, "--title", "Thawed", cwd=cwd)
    assert run.code == 1 and "frozen" in run.err
    assert _state(m, clones, clones.frozen) == item


def test_agent_cannot_touch_the_trust_root(machine, clones):
    m = machine
    files = trust_files_for([clones.human])
    assert files
    for command in (f"echo 'agent_usernames: [nobody]' >> {files[0]}", f"rm -f {files[0]}",
                    f"echo x > {TRUST_DIR}/zz-agent.yaml", f"mv {files[0]} /tmp/moved"):
        run = m.run(AGENT, "sh", "-c", command, cwd=clones.agent)
        assert run.code != 0, command
    assert files[0].exists()


# -- the human -----------------------------------------------------------------------------------

def test_human_governance_works_and_verifies_on_the_agent_clone(machine, clones):
    m, cwd = machine, clones.human
    item = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Governed", cwd=cwd).strip()
    other = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Blocked by it",
                 cwd=cwd).strip()
    m.ok(HUMAN, "update", item, "--add-isbefore", other, cwd=cwd)
    m.ok(HUMAN, "lock", item, "title", "priority", cwd=cwd)
    m.ok(HUMAN, "unlock", item, "title", cwd=cwd)
    m.ok(HUMAN, "discuss", item, "first", cwd=cwd)
    m.ok(HUMAN, "discuss", item, "--clear", cwd=cwd)
    m.ok(HUMAN, "discuss", item, "second", cwd=cwd)
    m.ok(HUMAN, "freeze", item, cwd=cwd)
    m.ok(HUMAN, "unfreeze", item, cwd=cwd)
    m.ok(HUMAN, "edit-mode", "on", "--ttl", "10m", "--cap-max", "3", cwd=cwd)
    nonce = m.item(HUMAN, item, cwd)["discussion"][0]["nonce"]
    m.ok(HUMAN, "edit-msg-text", item, nonce, "--new-text", "second, reworded",
         "--reason", "typo", cwd=cwd)
    m.ok(HUMAN, "edit-mode", "off", cwd=cwd)
    m.ok(HUMAN, "delete", item, cwd=cwd)
    view = m.item(HUMAN, item, cwd)
    assert view["status"] == "deleted" and view["locked_fields"] == ["priority"]
    assert view["frozen"] is False
    assert [e["message"] for e in view["discussion"]] == ["second, reworded"]
    assert "problems" not in view

    m.git(HUMAN, "add", "-A", cwd=cwd)
    m.git(HUMAN, "commit", "-q", "-m", "governed", cwd=cwd)
    m.git(HUMAN, "push", "-q", "origin", "main", cwd=cwd)
    m.git(AGENT, "pull", "-q", "--no-rebase", "origin", "main", cwd=clones.agent)
    agent_view = m.item(AGENT, item, clones.agent)
    assert agent_view == {**view, "updated_at": agent_view["updated_at"]}
    assert other not in m.item(AGENT, item, clones.agent)["isbefore"]


# -- the shared-worktree layout -----------------------------------------------------------------

@pytest.fixture(scope="module")
def shared(machine: Machine) -> tuple[Path, str]:
    return governed_shared(machine)


def test_shared_worktree_agent_appends_but_holds_no_human_authority(machine, shared):
    m, (repo, item) = machine, shared
    ops = repo / ".agent/tracker-workspace/.ops"
    assert ops.stat().st_mode & 0o7777 == 0o3775 and ops.stat().st_gid == \
        __import__("grp").getgrnam(GROUP).gr_gid
    mine = m.ok(AGENT, "add", "--kind", "work_item", "--title", "Agent in shared", cwd=repo)
    m.ok(AGENT, "discuss", mine.strip(), "working on it", cwd=repo)
    before = m.item(HUMAN, item, repo)
    for args in (["lock", item, "title"], ["unlock", item, "status"],
                 ["update", item, "--status", "done"], ["delete", mine.strip()]):
        run = m.htrac(AGENT, *args, cwd=repo)
        assert run.code == 1, (args, run.err)
    assert m.item(HUMAN, item, repo) == before  # refused before writing: not even the version
    m.ok(HUMAN, "update", mine.strip(), "--priority", "0", cwd=repo)  # the human can append too


def test_shared_worktree_agent_cannot_plant_config_or_hooks(machine, shared):
    m, (repo, _item) = machine, shared
    for command in (f"echo '[core]\n\tfsmonitor = /tmp/evil' >> {repo}/.git/config",
                    f"echo evil > {repo}/.git/hooks/pre-commit",
                    f"echo x > {repo}/.agent/tracker/config.yaml",
                    f"echo x > {repo}/.agent/tracker/config.yaml.template",
                    f"mv {repo}/.agent/tracker {repo}/.agent/moved"):
        run = m.run(AGENT, "sh", "-c", command, cwd=repo)
        assert run.code != 0, command
    doctor = results_by_name(m.htrac(HUMAN, "--json", "doctor", cwd=repo))
    assert {r["status"] for r in doctor["agent_writable"]} == {"ok"}, doctor["agent_writable"]


def test_doctor_reports_agent_writable_git_config_with_a_fix(machine, shared):
    m, (repo, _item) = machine, shared
    config = repo / ".git/config"
    info = config.stat()
    os.chown(config, info.st_uid, __import__("grp").getgrnam(GROUP).gr_gid)
    os.chmod(config, 0o664)
    try:
        run = m.htrac(HUMAN, "--json", "doctor", cwd=repo)
        assert run.code == 1
        errors = [r for r in results_by_name(run)["agent_writable"] if r["status"] == "error"]
        assert any(str(config) in r["message"] and "chmod go-w" in r["fix"] for r in errors)
        as_agent = m.htrac(AGENT, "--json", "doctor", cwd=repo)  # either user may run it
        assert "agent_writable" in results_by_name(as_agent)
    finally:
        os.chown(config, info.st_uid, info.st_gid)
        os.chmod(config, info.st_mode & 0o7777)


def _posing_op(op_type: str, body: dict, *, clock: int) -> str:
    """An op the agent writes by hand naming itself as a human (no signature: it has no key)."""
    from htrac.core.ops import make_op
    from htrac.core.serialize import serialize_op
    return serialize_op(make_op(op_type, by="human", actor=AGENT, clock=clock,
                                at="2026-01-01T00:00:00Z", body=body))


def test_agent_posing_as_human_in_an_ungoverned_copy_gains_nothing_after_push(machine, clones):
    """The agent clones the repository where no trust root lists it and declares itself human
    there. The copy holds ops signed by a trusted key, so it is governed all the same: no key,
    no unlock. What the agent writes there by hand and pushes, the human's clone rejects."""
    m = machine
    copy = m.home(AGENT) / f"{m.base.name}-copy"
    assert m.run(AGENT, "git", "clone", "-q", str(clones.bare), str(copy), cwd=clones.agent) \
        .code == 0
    copy_config = copy / ".agent/tracker/config.yaml"
    assert m.run(AGENT, "sh", "-c", "printf 'actor_resolution:\\n  agent_usernames: [nobody_x]"
                 f"\\n' > {copy_config}", cwd=copy).code == 0
    before = state(m, HUMAN, clones.locked, clones.human)
    assert m.htrac(AGENT, "keys", "init", cwd=copy).code == 1
    run = m.htrac(AGENT, "unlock", clones.locked, "status", cwd=copy)
    assert run.code == 1 and "human authority" in run.err, run.err
    ops = copy / ".agent/tracker-workspace/.ops" / f".{clones.locked}.ops"
    append_as_agent(m, ops, _posing_op("unlock", {"fields": ["status"]}, clock=10_000)
                    + _posing_op("update", {"set": {"status": "done"}}, clock=10_001))
    m.git(AGENT, "commit", "-q", "-am", "self-declared human", "--no-verify", cwd=copy)
    m.git(AGENT, "pull", "-q", "--no-rebase", "origin", "main", cwd=copy)
    m.git(AGENT, "push", "-q", "origin", "HEAD:main", cwd=copy)
    m.git(HUMAN, "pull", "-q", "--no-rebase", "origin", "main", cwd=clones.human)
    reasons = [p["reason"] for p in m.item(HUMAN, clones.locked, clones.human)["problems"]]
    assert state(m, HUMAN, clones.locked, clones.human) == before
    assert any("names agent user" in r for r in reasons), reasons


def test_agent_cannot_forget_a_humans_note_by_any_route(machine, clones):
    """A real agent user, in its own clone, against a note the human signed in theirs: the
    command is refused; a forged human `forget` and an honest agent `forget` written straight
    into the file are both rejected by the fold; its own notes are its to forget."""
    m, cwd = machine, clones.agent
    item = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Noted",
                cwd=clones.human).strip()
    m.ok(HUMAN, "remember", item, "never touch the v1 API", cwd=clones.human)
    note = m.item(HUMAN, item, clones.human)["memory"][0]["nonce"]
    m.git(HUMAN, "add", "-A", cwd=clones.human)
    m.git(HUMAN, "commit", "-q", "-m", "note", cwd=clones.human)
    m.git(HUMAN, "push", "-q", "origin", "main", cwd=clones.human)
    m.git(AGENT, "pull", "-q", "origin", "main", cwd=cwd)

    run = m.htrac(AGENT, "forget", item, note[:6], cwd=cwd)
    assert run.code == 1 and "only a human can forget it" in run.err
    from htrac.core.ops import make_op
    from htrac.core.serialize import serialize_op
    honest = serialize_op(make_op("update", by="agent", actor=AGENT, clock=950,
                                  body={"set": {}, "forget": [note]}))
    _append_as_agent(m, clones, item, _forged("update", {"set": {}, "forget": [note]},
                                              clock=951) + honest)
    shown = m.item(AGENT, item, cwd)
    assert [n["text"] for n in shown["memory"]] == ["never touch the v1 API"]
    assert shown["memory"][0]["by"] == "human"
    assert len([p for p in shown["problems"] if p["kind"] == "rejected"]) == 2
    mine = m.ok(AGENT, "remember", item, "my own note", cwd=cwd).split()[1]
    m.ok(AGENT, "forget", item, mine, cwd=cwd)
    assert [n["text"] for n in m.item(AGENT, item, cwd)["memory"]] == ["never touch the v1 API"]


def test_agent_cannot_close_without_the_trust_roots_evidence_by_any_route(machine, clones):
    """The trust root requires evidence to close a work item: the agent's config edit that
    drops the rule changes nothing, its close without evidence (or citing a commit that isn't
    there) is refused, and such a close written straight into the file is rejected by the fold
    and leaves the item open; a real commit proves it."""
    from htrac.policy import trustroot

    m, cwd = machine, clones.agent
    trust = trustroot.find([clones.human]).path  # the file that governs the human's clone
    original = trust.read_text(encoding="utf-8")
    trust.write_text(original + "evidence:\n  require: {work_item: [done]}\n  accept: [commit]\n",
                     encoding="utf-8")
    try:
        item = m.ok(AGENT, "add", "--kind", "work_item", "--title", "Prove it", cwd=cwd).strip()
        config = cwd / ".agent/tracker/config.yaml"
        m.run(AGENT, "sh", "-c", f"printf 'evidence: {{require: {{}}}}\\n' >> '{config}'",
              cwd=cwd)
        run = m.htrac(AGENT, "update", item, "--status", "done", cwd=cwd)
        assert run.code == 1 and "needs evidence" in run.err, run.err
        run = m.htrac(AGENT, "update", item, "--status", "done", "--evidence",
                      "commit:" + "0" * 40, cwd=cwd)
        assert run.code == 1 and "Traceback" not in run.err, run.err
        from htrac.core.ops import make_op
        from htrac.core.serialize import serialize_op
        close = serialize_op(make_op("update", by="agent", actor=AGENT, clock=990,
                                     body={"set": {"status": "done"}}))
        _append_as_agent(m, clones, item, close)
        shown = m.item(AGENT, item, cwd)
        assert shown["status"] != "done"
        assert any("evidence" in p["reason"] for p in shown["problems"]), shown["problems"]
        head = m.git(AGENT, "rev-parse", "HEAD", cwd=cwd).strip()
        m.ok(AGENT, "update", item, "--status", "done", "--evidence", f"commit:{head}", cwd=cwd)
        assert m.item(AGENT, item, cwd)["status"] == "done"
    finally:
        trust.write_text(original, encoding="utf-8")
        m.run(AGENT, "git", "checkout", "--", ".agent/tracker/config.yaml", cwd=cwd)
