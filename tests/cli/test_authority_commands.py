"""Governance commands run as the current user, without a trust root (single-user repository).

The in-repository config decides who is an agent here; making the current user match the
agent patterns lets these tests exercise agent refusals without creating OS users."""

from __future__ import annotations

import getpass
import json
import stat

import pytest

from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op


def _item(tracker, ref):
    return json.loads(tracker.ok("--json", "show", ref))


def _become_agent(tracker):
    config = tracker.agent_dir / "tracker/config.yaml"
    config.write_text(f"actor_resolution:\n  agent_usernames: ['{getpass.getuser()}']\n")


def test_lock_refuses_unknown_names_and_takes_fields_keys(tmp_tracker):
    item = tmp_tracker.add("One")
    run = tmp_tracker.htrac("lock", item, "bogus")
    assert run.code == 1 and "lockable names" in run.err
    assert tmp_tracker.ok("lock", item, "Status", "fields.owner").strip() == "locked"
    assert _item(tmp_tracker, item)["locked_fields"] == ["fields.owner", "status"]
    tmp_tracker.ok("unlock", item, "status")
    assert _item(tmp_tracker, item)["locked_fields"] == ["fields.owner"]


def test_freeze_is_in_the_op_log_and_unfreeze_keeps_earlier_locks(tmp_tracker):
    item = tmp_tracker.add("Frozen")
    tmp_tracker.ok("lock", item, "priority")
    assert tmp_tracker.ok("freeze", item).strip() == "frozen"
    ops = tmp_tracker.agent_dir / "tracker-workspace/.ops"
    sentinel = ops / f".{item}.frozen"
    assert stat.S_IMODE(sentinel.stat().st_mode) == 0o444
    assert tmp_tracker.ok("log", item).count("- op: lock") == 2
    sentinel.unlink()
    assert _item(tmp_tracker, item)["frozen"] is True  # the sentinel decides nothing
    assert tmp_tracker.ok("unfreeze", item).strip() == "unfrozen"
    shown = _item(tmp_tracker, item)
    assert shown["frozen"] is False and shown["locked_fields"] == ["priority"]


def test_repair_drift_appends_back_ops_removed_by_hand(tmp_tracker):
    item = tmp_tracker.add("Drifting")
    tmp_tracker.ok("discuss", item, "keep me")
    tmp_tracker.ok("freeze", item)
    path = tmp_tracker.agent_dir / "tracker-workspace/.ops" / f".{item}.ops"
    text = path.read_text()
    discuss = [b for b in text.split("- op: ") if b.startswith("discuss")][0]
    path.write_text(text.replace("- op: " + discuss, ""))
    assert _item(tmp_tracker, item)["discussion"] == []
    doctor = json.loads(tmp_tracker.htrac("--json", "doctor").out)
    assert any(r["name"] == "freeze_drift" and item in r["message"] for r in doctor["results"])
    assert "1 op(s) restored" in tmp_tracker.ok("repair-drift", item)
    assert [e["message"] for e in _item(tmp_tracker, item)["discussion"]] == ["keep me"]
    assert tmp_tracker.ok("repair-drift", item).strip() == "no drift"


def test_delete_marks_deleted_and_clears_inbound_references(tmp_tracker):
    lone = tmp_tracker.add("Lone")
    assert tmp_tracker.ok("delete", lone).splitlines() == ["deleted"]
    assert _item(tmp_tracker, lone)["status"] == "deleted"
    victim = tmp_tracker.add("Victim")
    pointer = tmp_tracker.add("Pointer", "--isbefore", victim)
    assert tmp_tracker.ok("delete", victim).splitlines() == [
        "deleted", "Cleared 1 inbound isbefore reference(s)."]
    assert _item(tmp_tracker, pointer)["isbefore"] == []


def test_edit_mode_window_allows_message_edits_only_while_open(tmp_tracker):
    item = tmp_tracker.add("Chat")
    tmp_tracker.ok("discuss", item, "tpyo")
    nonce = _item(tmp_tracker, item)["discussion"][0]["nonce"]
    run = tmp_tracker.htrac("edit-msg-text", item, nonce, "--new-text", "typo", "--reason", "r")
    assert run.code == 1 and "edit mode is not on" in run.err
    assert tmp_tracker.htrac("edit-mode", "on", "--ttl", "2h").code == 1
    assert tmp_tracker.ok("edit-mode", "on", "--ttl", "10m", "--cap-max", "2").strip() == \
        "edit-mode ON  (ttl=600s, cap=2)"
    tmp_tracker.ok("edit-msg-text", item, nonce, "--new-text", "typo", "--reason", "spelling")
    tmp_tracker.ok("delete-msg", item, nonce, "--reason", "noise")
    assert tmp_tracker.ok("edit-mode", "status").startswith("edit-mode ON  remaining=")
    assert "ops_used=2/2" in tmp_tracker.ok("edit-mode", "status")
    tmp_tracker.ok("undelete-msg", item, nonce, "--reason", "oops")
    tmp_tracker.ok("edit-mode", "off")
    assert tmp_tracker.ok("edit-mode", "status").strip() == "edit-mode OFF"
    entry = json.loads(tmp_tracker.ok("--json", "show", item, "--include-history"))["discussion"][0]
    assert entry["message"] == "typo" and entry["edit_history"] == ["tpyo"]
    assert not entry["is_tombstoned"]
    log = (tmp_tracker.agent_dir / "tracker-workspace/.edit-mode/edit-mode.ops").read_text()
    assert log.count("- op: edit-mode-on") == 1  # once per log, not twice as the reference


def test_fork_setup_without_a_config_writes_a_valid_one(tmp_tracker):
    tmp_tracker.add("Still works")
    assert tmp_tracker.ok("fork-setup").strip() == "scope set to 'workspace'"
    config = tmp_tracker.agent_dir / "tracker/config.yaml"
    assert "scope: workspace" in config.read_text()
    assert stat.S_IMODE(config.stat().st_mode) == 0o444
    assert "Still works" in tmp_tracker.ok("list")


def test_fork_setup_keeps_comments_of_an_existing_config(tmp_tracker):
    config = tmp_tracker.agent_dir / "tracker/config.yaml"
    config.write_text("# ours\nlamport_branches: [main]  # only main\n")
    tmp_tracker.ok("fork-setup")
    text = config.read_text()
    assert "# ours" in text and "# only main" in text and "scope: workspace" in text


def test_setup_configure_saves_only_a_valid_config(tmp_tracker, tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf 'statuses: []\\n' > \"$1\"\n")
    editor.chmod(0o755)
    run = tmp_tracker.htrac("setup", "configure", env={"EDITOR": str(editor), "VISUAL": ""})
    assert run.code == 1 and "invalid" in run.err
    assert not (tmp_tracker.agent_dir / "tracker/config.yaml").exists()
    editor.write_text("#!/bin/sh\nprintf 'lamport_branches: [main]\\n' > \"$1\"\n")
    assert tmp_tracker.ok("setup", "configure", env={"EDITOR": str(editor), "VISUAL": ""}) \
        .strip() == "config saved"


def test_keys_init_creates_a_private_key_once(tmp_tracker, tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    out = tmp_tracker.ok("--json", "keys", "init", env=env)
    first = json.loads(out)
    assert first["created"] and first["public_key"].startswith("ed25519:")
    private = tmp_path / "cfg/htrac/keys/ed25519.key"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    again = json.loads(tmp_tracker.ok("--json", "keys", "init", env=env))
    assert again["created"] is False and again["public_key"] == first["public_key"]


def test_setup_then_doctor_report_the_single_user_state(tmp_tracker):
    setup = tmp_tracker.htrac("setup")
    assert "[warn] trust_root: no trust root governs this repository" in setup.out
    assert "Setup complete." in setup.out
    doctor = json.loads(tmp_tracker.htrac("--json", "doctor").out)
    names = {r["name"]: r["status"] for r in doctor["results"]}
    assert names["trust_root"] == "warn" and names["rejected_ops"] == "ok"


@pytest.mark.parametrize("args", [
    ["lock", "ITEM", "title"], ["unlock", "ITEM", "status"], ["discuss", "ITEM", "--clear"],
    ["freeze", "ITEM"], ["unfreeze", "ITEM"], ["repair-drift", "ITEM"], ["delete", "ITEM"],
    ["update", "ITEM", "--status", "deleted"], ["edit-mode", "on"], ["edit-mode", "off"],
    ["fork-setup"], ["setup", "configure"],
])
def test_agent_is_refused_every_human_only_command(tmp_tracker, args):
    item = tmp_tracker.add("Guarded")
    tmp_tracker.ok("lock", item, "status")
    _become_agent(tmp_tracker)
    before = tmp_tracker.ok("log", item)
    run = tmp_tracker.htrac(*[item if a == "ITEM" else a for a in args])
    assert run.code == 1, run.err
    assert run.err.startswith("error: ") and "human" in run.err
    assert tmp_tracker.ok("log", item) == before


def test_forged_human_op_naming_an_agent_user_is_rejected_and_reported(tmp_tracker):
    item = tmp_tracker.add("Forged")
    tmp_tracker.ok("lock", item, "status")
    before = _item(tmp_tracker, item)
    op = make_op("unlock", by="human", actor="build_agent", clock=50,
                 body={"unlock": ["status"]})
    path = tmp_tracker.agent_dir / "tracker-workspace/.ops" / f".{item}.ops"
    with open(path, "a") as handle:
        handle.write(serialize_op(op))
    after = _item(tmp_tracker, item)
    problems = after.pop("problems")
    assert after.pop("version") != before.pop("version")  # an op was added; nothing it did
    assert after == before and problems[0]["kind"] == "rejected"
    assert "names agent user" in problems[0]["reason"]
    assert tmp_tracker.htrac("doctor").code == 1


def test_doctor_reports_hooks_hookspath_textconv_and_pid_files_an_agent_could_change(
        tmp_tracker, tmp_path):
    # `nobody` stands in for the agent account: it exists on every machine
    config = tmp_tracker.agent_dir / "tracker/config.yaml"
    config.write_text("actor_resolution:\n  agent_usernames: [nobody]\n")
    clean = json.loads(tmp_tracker.htrac("--json", "doctor").out)
    assert [r["status"] for r in clean["results"] if r["name"] == "agent_writable"] == ["ok"]

    hooks = tmp_path / "hooks"
    hooks.mkdir()
    hooks.chmod(0o777)
    driver = tmp_path / "textconv.sh"
    driver.write_text("#!/bin/sh\ncat \"$1\"\n")
    driver.chmod(0o757)
    pid = tmp_tracker.agent_dir / "htrac-serve.pid"
    pid.write_text("1\n")
    pid.chmod(0o666)
    tmp_tracker.git("config", "core.hooksPath", str(hooks))
    tmp_tracker.git("config", "diff.tracker.textconv", str(driver))
    run = tmp_tracker.htrac("--json", "doctor")
    assert run.code == 1
    flagged = " ".join(r["message"] for r in json.loads(run.out)["results"]
                       if r["name"] == "agent_writable" and r["status"] == "error")
    for path in (hooks, driver, pid):
        assert str(path) in flagged, (path, flagged)
