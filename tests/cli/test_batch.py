from __future__ import annotations

import json


def test_batch_runs_each_line_and_summarizes(tmp_tracker, tmp_path):
    item = tmp_tracker.add("Alpha")
    script = tmp_path / "ops.htrac"
    script.write_text(f"# a comment\n\nupdate {item} --priority 0\n"
                      f"discuss {item} \"quoted message\"\nshow {item}\nupdate nosuch --priority 1\n"
                      f"update {item} --bogus\n", encoding="utf-8")
    run = tmp_tracker.htrac("batch", str(script))
    assert run.code == 1
    assert run.out.splitlines() == [f"updated {item[:8]}: priority: P2 → P0", "discussed",
                                    "batch: 2/5 succeeded (FAIL)"]
    assert "  FAIL line 5: 'show' not allowed in batch" in run.err
    assert "  line 6: update — no item matches 'nosuch'" in run.err
    assert "line 7: invalid arguments for 'update'" in run.err
    assert "Traceback" not in run.err


def test_batch_json_reports_every_line(tmp_tracker, tmp_path):
    item = tmp_tracker.add("Alpha")
    run = tmp_tracker.htrac("--json", "batch", "-", input=f"update {item} --priority 1\n"
                            "add --kind work_item --title 'From batch'\nlog x\n")
    data = json.loads(run.out)
    assert run.code == 1
    assert (data["ok"], data["total"], data["succeeded"], data["failed"]) == (False, 3, 2, 1)
    first, second, third = data["results"]
    assert first == {"line": 1, "command": "update", "ok": True,
                     "output": {"ok": True, "changes": [{"field": "priority",
                                                         "detail": "P2 → P1"}]}}
    assert second["ok"] and second["output"]["id"].startswith("WI-")
    assert third == {"line": 3, "command": "log", "ok": False,
                     "error": "line 3: 'log' not allowed in batch (allowed: add, update, "
                              "discuss, lock, unlock, promote, demote)"}


def test_batch_all_ok_exits_zero_and_aliases_work(tmp_tracker, tmp_path):
    tmp_tracker.add("Alpha")
    tmp_tracker.ok("ready")
    run = tmp_tracker.htrac("batch", "-", input="update :1 --status in_progress\n")
    assert run.code == 0 and run.out.splitlines()[-1] == "batch: 1/1 succeeded (ok)"


def test_batch_unreadable_file_is_a_clear_error(tmp_tracker, tmp_path):
    run = tmp_tracker.htrac("batch", str(tmp_path / "missing"))
    assert run.code == 1 and run.err.startswith("error: cannot read batch file")


def test_batch_dispatches_lock_and_tier_moves_by_name(tracker, jrun):
    item = tracker.add("Alpha")
    run = tracker.htrac("--json", "batch", "-", input=f"lock {item} status\npromote {item}\n"
                        f"unlock {item} status\ndemote {item}\n")
    data = json.loads(run.out)
    assert run.code == 0 and data["succeeded"] == 4, data
    assert [r["command"] for r in data["results"]] == ["lock", "promote", "unlock", "demote"]
    shown = jrun(tracker, "show", item)
    assert shown["tier"] == "workspace" and shown["locked_fields"] == []
