"""`htrac validate` on the whole tracker and on named files: what each check reports."""

from __future__ import annotations

import json

from tests.gitio.conftest import append_op


def ops_path(tracker, item_id: str, tier: str = "tracker-workspace"):
    return tracker.agent_dir / tier / ".ops" / f".{item_id}.ops"


def report(tracker, *args: str) -> tuple[int, dict]:
    run = tracker.htrac("--json", "validate", *args)
    return run.code, json.loads(run.out)


def test_validate_clean_tracker_passes(tmp_tracker):
    tmp_tracker.add("One")
    assert tmp_tracker.ok("validate").strip() == "validation passed"


def test_validate_reports_isbefore_cycles(tmp_tracker):
    first = tmp_tracker.add("First")
    second = tmp_tracker.add("Second", "--isbefore", first)
    append_op(ops_path(tmp_tracker, first), "update", {"set": {}, "add": {"isbefore": [second]}},
              by="human", actor="alice")
    code, found = report(tmp_tracker)
    assert code == 1
    assert any("cycle in isbefore links" in e and first in e and second in e
               for e in found["errors"])


def test_validate_reports_dangling_references(tmp_tracker):
    item_id = tmp_tracker.add("Lonely")
    missing = "WI-babab-babab-babab-babab-babab-babab-babab-babab"
    append_op(ops_path(tmp_tracker, item_id), "update", {"set": {}, "add": {"isbefore": [missing]}},
              by="human", actor="alice")
    code, found = report(tmp_tracker)
    assert code == 1
    assert any(f"isbefore points to missing item {missing}" in e for e in found["errors"])


def test_validate_names_file_line_and_fix_for_a_torn_op(tmp_tracker):
    item_id = tmp_tracker.add("Torn")
    path = ops_path(tmp_tracker, item_id)
    with path.open("a") as handle:
        handle.write("- op: discuss  # 0123456789abcdef\n  at: '2026-")
    code, found = report(tmp_tracker, str(path))
    assert code == 1
    error = found["errors"][0]
    lines = path.read_text().count("\n")
    assert error.startswith(f".agent/tracker-workspace/.ops/.{item_id}.ops:{lines}: damaged")
    assert "(fix: " in error


def test_validate_warns_on_unknown_fields_and_strict_makes_it_an_error(tmp_tracker):
    item_id = tmp_tracker.add("Invariant-free")
    append_op(ops_path(tmp_tracker, item_id), "update", {"set": {"title": "x"}}, by="human",
              actor="alice")
    text = ops_path(tmp_tracker, item_id).read_text()
    ops_path(tmp_tracker, item_id).write_text(text + "  stray: line without a tag\n")
    code, found = report(tmp_tracker, str(ops_path(tmp_tracker, item_id)))
    assert any("no '  # <nonce>' tag" in w for w in found["warnings"])
    code, strict = report(tmp_tracker, "--strict", str(ops_path(tmp_tracker, item_id)))
    assert code == 1 and strict["warnings"] == []
    assert any("no '  # <nonce>' tag" in e for e in strict["errors"])


def test_validate_reports_required_fields_of_a_kind(tmp_tracker):
    item_id = tmp_tracker.ok("add", "--kind", "invariant", "--title", "Inv", "--field",
                             "statement=s", "--field", "root_cause=r").strip()
    append_op(ops_path(tmp_tracker, item_id), "update", {"set": {"fields": {"root_cause": None}}},
              by="human", actor="alice")
    code, found = report(tmp_tracker)
    assert code == 1
    assert any("required field 'root_cause' is missing" in e for e in found["errors"])


def test_validate_check_locks_reports_agent_op_after_human_lock(tmp_tracker):
    item_id = tmp_tracker.add("Locked")
    path = ops_path(tmp_tracker, item_id)
    append_op(path, "lock", {"lock": ["priority"]}, by="human", actor="alice")
    nonce = append_op(path, "update", {"set": {"priority": 0}})
    code, found = report(tmp_tracker, "--check-locks", str(path))
    assert code == 1
    assert any(nonce in e and "locked" in e for e in found["errors"])


def test_validate_missing_file_is_an_error(tmp_tracker):
    code, found = report(tmp_tracker, "nope.ops")
    assert code == 1 and found["errors"] == ["nope.ops: file not found (fix: check the path)"]


def test_validate_warns_when_config_and_template_kinds_differ(tmp_tracker):
    tracker_dir = tmp_tracker.agent_dir / "tracker"
    (tracker_dir / "config.yaml.template").write_text(
        "kinds:\n  work_item: {prefix: WI}\n  bug: {prefix: BUG}\n")
    (tracker_dir / "config.yaml").write_text("kinds:\n  work_item: {prefix: WI}\n")
    code, found = report(tmp_tracker)
    assert code == 0
    assert any("kinds only in config.yaml.template: bug" in w for w in found["warnings"])


def test_validate_reports_a_committed_item_pointing_into_stealth(tmp_tracker):
    hidden = tmp_tracker.add("Hidden", "--tier", "stealth")
    public = tmp_tracker.add("Public")
    append_op(ops_path(tmp_tracker, public), "update", {"set": {}, "add": {"isbefore": [hidden]}},
              by="human", actor="alice")
    code, found = report(tmp_tracker)
    assert code == 1
    assert any(f"refers (isbefore) to stealth item {hidden}" in e for e in found["errors"])


def test_validate_a_file_that_is_not_an_ops_file_is_one_clear_error(tmp_tracker, tmp_path):
    for target in ("/etc/passwd", "/etc/hostname"):
        run = tmp_tracker.htrac("validate", target)
        assert run.code == 1 and run.err == "", run.err
        assert run.out.splitlines() == [f"ERROR: {target}: not an ops file (an item's file is "
                                        "named .<ID>.ops) (fix: name an item's ops file)"]


def test_validate_an_ops_file_outside_the_tracker_is_checked_on_its_own(tmp_tracker, tmp_path):
    item = tmp_tracker.add("Copied out")
    copy = tmp_path / f".{item}.ops"
    copy.write_bytes(ops_path(tmp_tracker, item).read_bytes())
    assert tmp_tracker.ok("validate", str(copy)).strip() == "validation passed"
    garbage = tmp_path / ".WI-garbage.ops"
    garbage.write_text("root:x:0:0:root:/root:/bin/bash\n")
    run = tmp_tracker.htrac("validate", str(garbage))
    assert run.code == 1 and "internal error" not in run.out + run.err
    assert "damaged item" in run.out
