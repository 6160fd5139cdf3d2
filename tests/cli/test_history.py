"""Time travel against real git: `show/list --as-of` give exactly the fold of the files as
they were in that commit (or the last commit on or before a date); `log --explain` walks the
fold order."""

from __future__ import annotations

import json
import os
import subprocess

from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op


def _commit(tracker, message: str, date: str) -> str:
    tracker.git("add", "-A")
    env = {**os.environ, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date}
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=tracker.path, env=env,
                   check=True)
    return tracker.git("rev-parse", "HEAD").strip()


def _json(tracker, *args):
    return json.loads(tracker.ok("--json", *args))


def test_as_of_a_commit_is_the_fold_of_the_files_in_it(tmp_tracker, tmp_path):
    one = tmp_tracker.add("One", "--priority", "1")
    two = tmp_tracker.add("Two")
    tmp_tracker.ok("discuss", one, "first words")
    tmp_tracker.ok("remember", one, "keep this")
    first = _commit(tmp_tracker, "first", "2026-03-01T12:00:00Z")
    then = {i: _json(tmp_tracker, "show", i) for i in (one, two)}
    listed = _json(tmp_tracker, "list")

    tmp_tracker.ok("update", one, "--title", "One, renamed", "--status", "in_progress")
    tmp_tracker.ok("discuss", one, "later words")
    tmp_tracker.add("Three")
    path_two = next(tmp_tracker.agent_dir.rglob(f".{two}.ops"))
    path_two.unlink()  # gone from the tracker now
    _commit(tmp_tracker, "second", "2026-03-05T12:00:00Z")
    tmp_tracker.ok("update", one, "--priority", "4")  # not committed at all

    for when in (first, first[:10], "HEAD~1", "2026-03-01", "2026-03-04T23:00:00Z"):
        assert _json(tmp_tracker, "show", one, "--as-of", when) == then[one], when
        assert _json(tmp_tracker, "show", two, "--as-of", when) == then[two], when
        assert _json(tmp_tracker, "list", "--as-of", when) == listed, when
    assert "as of commit" in tmp_tracker.ok("show", one, "--as-of", first)
    now = _json(tmp_tracker, "show", one, "--as-of", "2026-03-05")
    assert now["title"] == "One, renamed" and now["priority"] == 1  # committed, not the worktree

    # The same bytes folded in a tracker of their own give the same item.
    blob = tmp_tracker.git("show", f"{first}:{path_two.relative_to(tmp_tracker.path)}")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=scratch, check=True)
    from conftest import TrackerRepo
    other = TrackerRepo(scratch)
    other.ok("init")
    (scratch / ".agent/tracker-workspace/.ops" / path_two.name).write_text(blob)
    assert _json(other, "show", two) == then[two]


def test_as_of_refuses_what_it_cannot_answer(tmp_tracker, tmp_path):
    item = tmp_tracker.add("One")
    _commit(tmp_tracker, "first", "2026-03-01T12:00:00Z")
    for when, said in (("1999-01-01", "no commit on or before"),
                       ("nosuchbranch", "not a commit"), ("--oops", "give a commit")):
        run = tmp_tracker.htrac("show", item, "--as-of", when)
        assert run.code == 1 and said in run.err and "Traceback" not in run.err, when
    run = tmp_tracker.htrac("show", "WI-nothing", "--as-of", "HEAD")
    assert run.code == 1 and "did not exist as of" in run.err


def test_log_explain_walks_the_fold_order_with_reasons(tmp_tracker):
    item = tmp_tracker.add("Explained")
    tmp_tracker.ok("lock", item, "priority")  # by this user, a human
    path = next(tmp_tracker.agent_dir.rglob(f".{item}.ops"))
    ops = [make_op("update", by="agent", actor="x_agent", clock=10, body={"set": {"priority": 0}}),
           make_op("update", by="agent", actor="x_agent", clock=5, body={"set": {"title": "T2"}}),
           make_op("mystery", by="agent", actor="x_agent", clock=20, body={})]
    with path.open("a", encoding="utf-8") as log:
        log.write("".join(serialize_op(op) for op in ops))
    steps = _json(tmp_tracker, "log", item, "--explain")["steps"]
    judged = [s["clock"] for s in steps if s["outcome"] != "unknown"]  # unreadable ops first
    assert judged == sorted(judged) and steps[0]["outcome"] == "unknown"
    by_clock = {s["clock"]: s for s in steps}
    assert by_clock[5]["outcome"] == "applied" and by_clock[5]["changes"] == [
        {"field": "title", "before": "Explained", "after": "T2"}]
    assert by_clock[10]["outcome"] == "rejected" and "locked" in by_clock[10]["reason"]
    assert by_clock[20]["outcome"] == "unknown"
    assert [s["n"] for s in steps] == list(range(1, len(steps) + 1))
    # the same steps, identities and outcomes as the history view of the TUI and the web
    from htrac.service.history import history
    from htrac.service.tracker import Tracker
    same = history(Tracker.open(start=tmp_tracker.path), item)
    assert [(s["id"], s["outcome"]) for s in same] == [(s["id"], s["outcome"]) for s in steps]
    text = tmp_tracker.ok("log", item, "--explain")
    assert "rejected" in text and "why: field 'priority'" in text
    assert "title: 'Explained' → 'T2'" in text


def test_log_explain_shows_notes_links_and_evidence_changing(tmp_tracker):
    item = tmp_tracker.add("Remembered")
    tmp_tracker.ok("remember", item, "the fixture needs root")
    tmp_tracker.ok("link", item, "https://example.com/pr/7")
    tmp_tracker.ok("update", item, "--status", "done", "--evidence", "url:https://ci.example/1")
    text = tmp_tracker.ok("log", item, "--explain")
    assert "must-remember +" in text and "the fixture needs root" in text
    assert "links: +https://example.com/pr/7" in text
    assert "evidence: +url:https://ci.example/1" in text and "status: todo_hard → done" in text


def test_log_explain_shows_a_claim_taken_renewed_and_released(tmp_tracker):
    item = tmp_tracker.add("Claimed")
    tmp_tracker.ok("claim", item, "--session", "s1")
    tmp_tracker.ok("heartbeat", item, "--session", "s1", "--force")
    tmp_tracker.ok("release", item, "--session", "s1")
    steps = _json(tmp_tracker, "log", item, "--explain")["steps"]
    claims = [c for s in steps for c in s["changes"] if c["field"] == "claim"]
    # the heartbeat shows as a change when it lands in a later second than the take
    assert 2 <= len(claims) <= 3, claims
    taken, released = claims[0], claims[-1]
    assert taken["before"] is None and "/s1 (" in taken["after"] and "lease 900s" in taken["after"]
    assert released["before"] is not None and released["after"] is None
    assert "claim:" in tmp_tracker.ok("log", item, "--explain")
