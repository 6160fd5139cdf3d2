"""Loops of isbefore and parent links: refused on write, reported when they arrive by merge."""

from __future__ import annotations

import json
import re
import subprocess

from htrac.service.cycles import looped_ids
from htrac.service.search import search
from htrac.service.tracker import Tracker
from tests.gitio.conftest import wire_git


def ops(tracker, item_id):
    return tracker.agent_dir / "tracker-workspace" / ".ops" / f".{item_id}.ops"


def refused(tracker, *args: str) -> str:
    run = tracker.htrac(*args)
    assert run.code == 1, (run.code, run.out, run.err)
    assert run.err.count("\n") == 1 and "Traceback" not in run.err
    return run.err


def test_update_refuses_an_item_before_itself(tmp_tracker):
    a = tmp_tracker.add("A")
    before = ops(tmp_tracker, a).read_bytes()
    err = refused(tmp_tracker, "update", a, "--add-isbefore", a)
    assert "loop" in err and "WI-" in err
    assert ops(tmp_tracker, a).read_bytes() == before


def test_update_refuses_closing_an_isbefore_loop_and_names_it(tmp_tracker):
    a, b, c = tmp_tracker.add("A"), tmp_tracker.add("B"), tmp_tracker.add("C")
    tmp_tracker.ok("update", a, "--add-isbefore", b)
    tmp_tracker.ok("update", b, "--add-isbefore", c)
    err = refused(tmp_tracker, "update", c, "--add-isbefore", a)
    short = [i.split("-")[0] + "-" + i.split("-")[1] for i in (c, a, b)]
    assert " -> ".join([*short, short[0]]) in err
    # the same loop asked for the other way round: --add-blocked-by writes on the other item
    err = refused(tmp_tracker, "update", a, "--add-blocked-by", c)
    assert "isbefore loop" in err


def test_update_refuses_parent_loops_and_clear_parent_removes_one(tmp_tracker):
    a, b = tmp_tracker.add("A"), tmp_tracker.add("B")
    assert "own ancestor" in refused(tmp_tracker, "update", a, "--parent", a)
    tmp_tracker.ok("update", a, "--parent", b)
    assert "parent loop" in refused(tmp_tracker, "update", b, "--parent", a)
    assert "--clear-parent" in refused(tmp_tracker, "update", a, "--parent", "")
    out = tmp_tracker.ok("update", a, "--clear-parent")
    assert "no longer child of" in out
    assert json.loads(tmp_tracker.ok("--json", "show", a))["parent"] is None
    tmp_tracker.ok("update", b, "--parent", a)  # no loop any more


def merge_in_a_loop(tracker) -> tuple[str, str]:
    """Two branches each add one half of a loop; git's union merge joins them."""
    wire_git(tracker.path)
    a, b = tracker.add("A"), tracker.add("B")
    tracker.git("add", "-A")
    tracker.git("commit", "-q", "-m", "two items")
    tracker.git("checkout", "-q", "-b", "other")
    tracker.ok("update", b, "--add-isbefore", a)
    tracker.ok("update", b, "--parent", a)
    tracker.git("commit", "-q", "-am", "b before a")
    tracker.git("checkout", "-q", "main")
    tracker.ok("update", a, "--add-isbefore", b)
    tracker.ok("update", a, "--parent", b)
    tracker.git("commit", "-q", "-am", "a before b")
    tracker.git("merge", "-q", "--no-edit", "other")
    return a, b


def test_a_loop_that_arrives_by_merge_is_reported_everywhere(tmp_tracker):
    a, b = merge_in_a_loop(tmp_tracker)
    run = tmp_tracker.htrac("validate")
    assert run.code == 1
    assert "cycle in isbefore links" in run.out + run.err
    assert "cycle in parent links" in run.out + run.err
    fixes = re.findall(r"\(fix: htrac (update [^)]*)\)", run.out)
    assert len(fixes) == 2 and {f.split()[1] for f in fixes} <= {a, b}
    shown = json.loads(tmp_tracker.ok("--json", "show", b))
    assert {p["kind"] for p in shown["problems"]} == {"loop"}
    assert "isbefore loop" in tmp_tracker.ok("show", b)
    doctor = tmp_tracker.htrac("doctor")
    assert doctor.code == 1 and "[error] link_loops" in doctor.out
    assert a not in tmp_tracker.ok("ready") and b not in tmp_tracker.ok("ready")
    assert looped_ids(Tracker.open(start=tmp_tracker.path).store) == {a, b}
    for query in ("is:looped", "is:needs-human"):
        assert {a, b} <= set(tmp_tracker.ok("list", "--query", query).split())
        folded = Tracker.open(start=tmp_tracker.path)
        folded.store.index = None  # the definition the index's answer must equal
        assert {i.id for i in search(folded, query, items=True)} >= {a, b}
    # breaking it with the commands validate gave ends every report
    for fix in fixes:
        tmp_tracker.ok(*fix.split())
    assert tmp_tracker.htrac("validate").code == 0
    assert "problems" not in json.loads(tmp_tracker.ok("--json", "show", b))
    assert tmp_tracker.ok("list", "--query", "is:looped").strip() == "(no items)"


def test_the_pre_commit_hook_refuses_a_commit_that_closes_a_loop(tmp_tracker):
    wire_git(tmp_tracker.path)
    a, b = tmp_tracker.add("A"), tmp_tracker.add("B")
    tmp_tracker.ok("update", a, "--add-isbefore", b)
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-q", "-m", "a before b")
    from tests.gitio.conftest import append_op  # a hand-written op, as a tool or a merge brings

    append_op(ops(tmp_tracker, b), "update", {"set": {}, "add": {"isbefore": [a]}})
    tmp_tracker.git("add", "-A")
    result = subprocess.run(["git", "commit", "-q", "-m", "loop"], cwd=tmp_tracker.path,
                            capture_output=True, text=True)
    assert result.returncode != 0
    said = result.stderr + result.stdout
    assert "cycle in isbefore links" in said
    assert f"htrac update {b} --remove-isbefore {a}" in said \
        or f"htrac update {a} --remove-isbefore {b}" in said
