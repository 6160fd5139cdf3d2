"""Evidence-gated close against a real git repository: refused without evidence, checked when
written, re-checked by `verify` and counted by the stop hook once git no longer confirms it."""

from __future__ import annotations

import getpass
import json

import pytest

from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op


def _configure(tracker, *, agent: bool) -> None:
    lines = ["evidence:", "  require: {work_item: [done]}", "  branches: [main]"]
    if agent:
        lines += ["actor_resolution:", f"  agent_usernames: ['{getpass.getuser()}']"]
    (tracker.agent_dir / "tracker/config.yaml").write_text("\n".join(lines) + "\n")


def _commit(tracker, message: str, path: str = "work.txt", text: str | None = None) -> str:
    (tracker.path / path).write_text(message if text is None else text)
    tracker.git("add", path)
    tracker.git("commit", "-q", "-m", message)
    return tracker.git("rev-parse", "HEAD").strip()


@pytest.fixture
def gated(tmp_tracker):
    """A repository on main with one commit and the rule `work_item: [done]` on main;
    this OS user is an agent."""
    _commit(tmp_tracker, "start")
    _configure(tmp_tracker, agent=True)
    return tmp_tracker


def _status(tracker, ref):
    return json.loads(tracker.ok("--json", "show", ref))


def test_agent_close_needs_evidence_that_git_confirms(gated):
    item = gated.add("Ship it")
    run = gated.htrac("update", item, "--status", "done")
    assert run.code == 1 and "needs evidence" in run.err
    run = gated.htrac("update", item, "--status", "done", "--evidence", "commit:deadbeef")
    assert run.code == 1 and "no such commit" in run.err
    gated.git("checkout", "-q", "-b", "side")
    side = _commit(gated, "on a side branch")
    run = gated.htrac("update", item, "--status", "done", "--evidence", f"commit:{side[:8]}")
    assert run.code == 1 and "not on main" in run.err
    gated.git("checkout", "-q", "main")
    run = gated.htrac("update", item, "--status", "done", "--evidence", "test:test_nowhere")
    assert run.code == 1 and "no test" in run.err
    assert _status(gated, item)["status"] == "todo_hard"

    sha = _commit(gated, "the work")
    out = gated.ok("update", item, "--status", "done", "--evidence", f"commit:{sha[:7]}")
    assert "evidence: commit:" + sha in out
    shown = _status(gated, item)
    assert shown["status"] == "done" and shown["evidence"] == [f"commit:{sha}"]
    report = json.loads(gated.ok("--json", "verify"))
    assert report["ok"] and report["items"][0]["state"] == "verified"
    assert gated.ok("count-todos").strip() == "0"


def test_rewritten_history_reopens_the_item_for_the_stop_hook(gated):
    item = gated.add("Ship it")
    sha = _commit(gated, "the work")
    gated.ok("update", item, "--status", "done", "--evidence", f"commit:{sha}")
    before = gated.ok("hash-todos")
    gated.git("reset", "-q", "--hard", "HEAD~1")  # the work is no longer on main
    run = gated.htrac("verify")
    assert run.code == 1 and "gone" in run.out and "is not on main" in run.out
    assert gated.ok("count-todos").strip() == "1"
    assert gated.ok("hash-todos") != before
    hook = gated.htrac("hook", "stop", "--format", "text", input="")
    assert hook.code == 3 and "closed without evidence git still confirms" in hook.out


def test_other_forms_test_pr_url(gated):
    _commit(gated, "tests", "tests_x.py", "def test_parser_roundtrip():\n    pass\n")
    merged = _commit(gated, "Merge pull request #42 from someone/branch")
    one, two, three = gated.add("One"), gated.add("Two"), gated.add("Three")
    gated.ok("update", one, "--status", "done", "--evidence", "test:test_parser_roundtrip")
    gated.ok("update", two, "--status", "done", "--evidence", "pr:42")
    gated.ok("update", three, "--status", "done", "--evidence", "url:https://ci.example.org/1")
    report = {i["id"]: i["state"] for i in json.loads(gated.htrac("--json", "verify").out)["items"]}
    assert report == {one: "verified", two: "verified", three: "unverifiable"}
    assert gated.ok("count-todos").strip() == "1"  # the URL can't be checked: still open
    assert merged


def test_malformed_evidence_is_refused_in_one_line(gated):
    item = gated.add("Ship it")
    for bad, said in (("nope", "is not one of"), ("pr:abc", "pull request number"),
                      ("url:javascript:alert(1)", "http(s) URL"), ("commit:", "commit hash")):
        run = gated.htrac("update", item, "--status", "done", "--evidence", bad)
        assert run.code == 1 and said in run.err and "Traceback" not in run.err, bad
    run = gated.htrac("update", item, "--priority", "1", "--evidence", "pr:1")
    assert run.code == 1 and "goes with the --status" in run.err


def test_human_closes_without_evidence_and_is_never_counted(tmp_tracker):
    _commit(tmp_tracker, "start")
    _configure(tmp_tracker, agent=False)
    item = tmp_tracker.add("Human's call")
    tmp_tracker.ok("update", item, "--status", "done")
    report = json.loads(tmp_tracker.ok("--json", "verify"))
    assert report["ok"] and report["items"][0]["state"] == "human"
    assert tmp_tracker.ok("count-todos").strip() == "0"


def test_fold_rejects_a_hand_written_agent_close_without_evidence(gated):
    item = gated.add("Ship it")
    path = next(gated.agent_dir.rglob(f".{item}.ops"))
    op = make_op("update", by="agent", actor="x_agent", clock=99,
                 body={"set": {"status": "done"}})
    with path.open("a", encoding="utf-8") as log:
        log.write(serialize_op(op))
    shown = _status(gated, item)
    assert shown["status"] == "todo_hard"
    assert any("needs evidence" in p["reason"] for p in shown["problems"])
