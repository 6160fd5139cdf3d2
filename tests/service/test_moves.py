"""Tier moves and reconcile-reset, through the CLI on a real tracker."""

from __future__ import annotations

import json
import shutil

from htrac.core.blocks import op_blocks
from htrac.core.oplog import read_oplog
from tests.cli.conftest import agent_tracker  # noqa: F401 (fixture)
from tests.gitio.conftest import append_op


def path_in(tracker, tier: str, item_id: str):
    base = {"canonical": "tracker/.ops", "workspace": "tracker-workspace/.ops",
            "stealth": "tracker-workspace/stealth"}[tier]
    return tracker.agent_dir / base / f".{item_id}.ops"


def test_promote_appends_an_audit_op_and_moves_the_file(tmp_tracker):
    item_id = tmp_tracker.add("Move me")
    assert tmp_tracker.ok("promote", item_id).strip() == "promoted"
    assert not path_in(tmp_tracker, "workspace", item_id).exists()
    ops = read_oplog(path_in(tmp_tracker, "canonical", item_id).read_bytes()).ops
    assert [op.type for op in ops] == ["create", "promote"]
    assert ops[1].clock == 2
    assert json.loads(tmp_tracker.ok("--json", "show", item_id))["tier"] == "canonical"
    assert tmp_tracker.ok("demote", item_id).strip() == "demoted"
    assert path_in(tmp_tracker, "workspace", item_id).exists()


def test_move_from_the_wrong_tier_is_refused(tmp_tracker):
    item_id = tmp_tracker.add("Stay")
    run = tmp_tracker.htrac("demote", item_id)
    assert run.code == 1
    assert "can only demote from canonical" in run.err


def test_stealth_round_trip_keeps_every_op(tmp_tracker):
    item_id = tmp_tracker.add("Secret")
    tmp_tracker.ok("discuss", item_id, "hush")
    tmp_tracker.ok("stealth", item_id)
    tmp_tracker.ok("unstealth", item_id)
    ops = read_oplog(path_in(tmp_tracker, "workspace", item_id).read_bytes()).ops
    assert [op.type for op in ops] == ["create", "discuss", "stealth", "unstealth"]


def test_move_refuses_to_overwrite_a_copy_in_the_target_tier(tmp_tracker):
    item_id = tmp_tracker.add("Twice")
    target = path_in(tmp_tracker, "canonical", item_id)
    shutil.copy(path_in(tmp_tracker, "workspace", item_id), target)
    run = tmp_tracker.htrac("promote", item_id)
    assert run.code == 1 and "reconcile-reset" in run.err


def test_validate_reports_cross_tier_duplicates(tmp_tracker):
    item_id = tmp_tracker.add("Twice")
    shutil.copy(path_in(tmp_tracker, "workspace", item_id),
                path_in(tmp_tracker, "canonical", item_id))
    run = tmp_tracker.htrac("validate")
    assert run.code == 1
    assert f"duplicate ID {item_id} in tiers: canonical, workspace" in run.out


def test_reconcile_reset_keeps_every_distinct_op(tmp_tracker):
    item_id = tmp_tracker.add("Split")
    workspace = path_in(tmp_tracker, "workspace", item_id)
    canonical = path_in(tmp_tracker, "canonical", item_id)
    shutil.copy(workspace, canonical)
    append_op(canonical, "discuss", {"message": "on canonical"}, by="human", actor="alice")
    append_op(workspace, "discuss", {"message": "on workspace"}, by="human", actor="alice")
    append_op(workspace, "discuss", {"message": "same nonce, other words"}, by="human",
              actor="alice")
    out = tmp_tracker.ok("reconcile-reset", item_id)
    assert out.startswith("reconciled:")
    assert not workspace.exists()
    merged = read_oplog(canonical.read_bytes())
    messages = sorted(op.get("message") for op in merged.ops if op.type == "discuss")
    assert messages == ["on canonical", "on workspace", "same nonce, other words"]
    assert [op.type for op in merged.ops].count("create") == 1
    assert merged.ops[-1].type == "reconcile"
    assert tmp_tracker.htrac("validate").code == 0


def test_reconcile_reset_keeps_ops_that_share_a_nonce_but_differ(tmp_tracker):
    item_id = tmp_tracker.add("Collide")
    workspace = path_in(tmp_tracker, "workspace", item_id)
    canonical = path_in(tmp_tracker, "canonical", item_id)
    shutil.copy(workspace, canonical)
    nonce = append_op(workspace, "discuss", {"message": "workspace words"}, by="human",
                      actor="alice")
    text = workspace.read_text().splitlines(keepends=True)
    block = "".join(line for line in text if line.endswith(f"  # {nonce}\n"))
    with canonical.open("a") as handle:
        handle.write(block.replace("workspace words", "canonical words"))
    tmp_tracker.ok("reconcile-reset", item_id)
    blocks = [b for b in op_blocks(canonical.read_bytes()) if b.tag == nonce]
    assert len(blocks) == 2


def test_reconcile_reset_is_refused_to_agents(agent_tracker):
    item_id = agent_tracker.add("Agent copy")
    shutil.copy(path_in(agent_tracker, "workspace", item_id),
                path_in(agent_tracker, "canonical", item_id))
    run = agent_tracker.htrac("reconcile-reset", item_id)
    assert run.code == 1
    assert "human" in run.err
    assert path_in(agent_tracker, "workspace", item_id).exists()


def test_stealth_is_refused_to_agents_and_nothing_moves(agent_tracker):
    item_id = agent_tracker.add("Agent item")
    before = path_in(agent_tracker, "workspace", item_id).read_bytes()
    run = agent_tracker.htrac("stealth", item_id)
    assert run.code == 1 and "human" in run.err
    assert path_in(agent_tracker, "workspace", item_id).read_bytes() == before
    assert agent_tracker.ok("promote", item_id).strip() == "promoted"


def test_agent_cannot_promote_blocking_or_locked_work_out_of_the_stop_hooks_scope(tmp_tracker):
    """Under `scope: workspace` a promote would end the agent's stop hook's count of the item:
    refused for blocking or human-locked items, allowed for finished ones and for humans."""
    import getpass

    config = tmp_tracker.agent_dir / "tracker" / "config.yaml"
    me = f"actor_resolution:\n  agent_usernames: ['{getpass.getuser()}']\n"
    config.write_text(me + "stop_hook:\n  scope: workspace\n", encoding="utf-8")
    blocking = tmp_tracker.add("Still to do")
    locked = tmp_tracker.add("Locked, in progress", "--status", "in_progress")
    append_op(path_in(tmp_tracker, "workspace", locked), "lock", {"lock": ["title"]},
              by="human", actor="alice")
    finished = tmp_tracker.add("Finished", "--status", "done")
    assert tmp_tracker.ok("count-todos").strip() == "1"
    for item_id, why in ((blocking, "it is todo_hard"), (locked, "a human locked it")):
        run = tmp_tracker.htrac("promote", item_id)
        assert run.code == 1 and why in run.err and "only a human" in run.err, run.err
        assert path_in(tmp_tracker, "workspace", item_id).exists()
    assert tmp_tracker.ok("count-todos").strip() == "1"
    assert tmp_tracker.ok("promote", finished).strip() == "promoted"
    config.write_text(me.replace(getpass.getuser(), "nobody_else") +
                      "stop_hook:\n  scope: workspace\n", encoding="utf-8")  # human now
    assert tmp_tracker.ok("promote", locked).strip() == "promoted"
