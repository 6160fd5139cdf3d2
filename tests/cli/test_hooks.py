"""The stop-hook commands and the agent runtime hooks, run as the runtime runs them."""

from __future__ import annotations

import getpass
import hashlib
import json
import re
from pathlib import Path

DAMAGED_ID = "WI-dajam-vuvuf-dubin-duhig-habap-lijog-luvoz-mabab"
NEXT = ("Next: htrac ready --claim (claims the top item for you), do the work, "
        "htrac discuss <ID> \"<what you did>\", htrac update <ID> --status done. "
        "If you cannot go on with an item, say why with htrac discuss <ID>.")


def stop_event(tracker, *, active: bool, session: str = "sess-1") -> str:
    return json.dumps({"session_id": session, "transcript_path": "/tmp/t.jsonl",
                       "cwd": str(tracker.path), "permission_mode": "default",
                       "hook_event_name": "Stop", "stop_hook_active": active})


def start_event(tracker, source: str = "startup") -> str:
    return json.dumps({"session_id": "sess-1", "transcript_path": "/tmp/t.jsonl",
                       "cwd": str(tracker.path), "hook_event_name": "SessionStart",
                       "source": source})


def test_hook_stop_blocks_with_claude_code_json_naming_the_items(tmp_tracker):
    hard = tmp_tracker.add("Fix the parser", "--priority", "1")
    soft = tmp_tracker.add("Tidy docs", "--status", "todo_soft", "--priority", "3")
    tmp_tracker.add("Shipped", "--status", "done")
    run = tmp_tracker.htrac("hook", "stop", input=stop_event(tmp_tracker, active=False))
    assert run.code == 0 and run.err == ""
    assert json.loads(run.out) == {"decision": "block", "reason": "\n".join([
        "htrac: 2 blocking item(s) remain (status todo_hard, todo_soft); do not stop yet. "
        "Most urgent:",
        f"  - {hard}  P1  todo_hard  Fix the parser",
        f"  - {soft}  P3  todo_soft  Tidy docs",
        "",
        NEXT])}
    assert run.out.count("\n") == 1  # one line of JSON


def test_hook_stop_prints_nothing_when_the_agent_may_stop(tmp_tracker):
    tmp_tracker.add("Shipped", "--status", "done")
    run = tmp_tracker.htrac("hook", "stop", input=stop_event(tmp_tracker, active=False))
    assert (run.code, run.out, run.err) == (0, "", "")


def test_hook_stop_does_nothing_where_there_is_no_tracker(tmp_path, tmp_tracker):
    elsewhere = tmp_path / "not-a-project"
    elsewhere.mkdir()
    event = json.dumps({"session_id": "s", "cwd": str(elsewhere), "stop_hook_active": False})
    run = tmp_tracker.htrac("hook", "stop", input=event, cwd=elsewhere)
    assert (run.code, run.out, run.err) == (0, "", "")


def test_hook_stop_uses_the_cwd_from_the_hook_input(tmp_path, tmp_tracker):
    tmp_tracker.add("Pending")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = tmp_tracker.htrac("hook", "stop", input=stop_event(tmp_tracker, active=False),
                            cwd=elsewhere)
    assert run.code == 0 and json.loads(run.out)["decision"] == "block"


def test_hook_stop_circuit_breaker_lets_go_after_identical_blocks(tmp_tracker):
    tmp_tracker.add("Impossible task")
    answers = [tmp_tracker.htrac("hook", "stop", "--max-blocks", "2",
                                 input=stop_event(tmp_tracker, active=n > 0))
               for n in range(3)]
    assert [a.code for a in answers] == [0, 0, 0]
    assert [json.loads(a.out).get("decision") for a in answers[:2]] == ["block", "block"]
    assert json.loads(answers[2].out) == {"systemMessage": (
        "htrac: letting the agent stop although 1 blocking item(s) and 0 item(s) with unread "
        "human messages remain: 2 blocks in a row changed nothing on the tracker.")}


def test_hook_stop_without_stop_hook_active_never_trips_the_breaker(tmp_tracker):
    tmp_tracker.add("Pending")
    for _ in range(4):
        run = tmp_tracker.htrac("hook", "stop", "--max-blocks", "1",
                                input=stop_event(tmp_tracker, active=False))
        assert json.loads(run.out)["decision"] == "block"


def test_hook_stop_progress_restarts_the_breaker_count(tmp_tracker):
    first = tmp_tracker.add("One")
    tmp_tracker.add("Two")

    def stop(active: bool):
        run = tmp_tracker.htrac("hook", "stop", "--max-blocks", "1",
                                input=stop_event(tmp_tracker, active=active))
        return json.loads(run.out)

    assert stop(False)["decision"] == "block"
    tmp_tracker.ok("update", first, "--status", "done")
    assert stop(True)["decision"] == "block"  # the todo hash changed: progress
    assert "systemMessage" in stop(True)  # nothing changed since: let go


def test_hook_stop_breaker_counts_per_session(tmp_tracker):
    tmp_tracker.add("Pending")

    def stop(session: str, active: bool):
        run = tmp_tracker.htrac("hook", "stop", "--max-blocks", "1",
                                input=stop_event(tmp_tracker, active=active, session=session))
        return json.loads(run.out)

    assert "decision" in stop("a", False)
    assert "decision" in stop("b", True)
    assert "systemMessage" in stop("a", True)


def test_hook_stop_max_blocks_zero_blocks_forever(tmp_tracker):
    tmp_tracker.add("Pending")
    for n in range(4):
        run = tmp_tracker.htrac("hook", "stop", "--max-blocks", "0",
                                input=stop_event(tmp_tracker, active=n > 0))
        assert json.loads(run.out)["decision"] == "block"


def test_hook_stop_blocks_until_a_human_gets_an_answer(agent_tracker, human_says):
    item = agent_tracker.add("Question", "--status", "in_progress")
    human_says(agent_tracker, item, "Why did you pick this approach?")
    run = agent_tracker.htrac("hook", "stop", input=stop_event(agent_tracker, active=False))
    assert json.loads(run.out) == {"decision": "block", "reason": "\n".join([
        "htrac: 1 item(s) have human messages nobody has answered. Answer them first "
        "(htrac show <ID>, then htrac discuss <ID> \"<reply>\" --ack-thread):",
        f"  - {item}  P2  [in_progress]  Question  (1 unread): "
        "\"Why did you pick this approach?\""])}
    agent_tracker.ok("discuss", item, "Because it is simpler.", "--ack-thread")
    run = agent_tracker.htrac("hook", "stop", input=stop_event(agent_tracker, active=True))
    assert (run.code, run.out) == (0, "")


def test_hook_stop_blocks_on_a_damaged_item(tmp_tracker):
    (tmp_tracker.agent_dir / "tracker-workspace" / ".ops" / f".{DAMAGED_ID}.ops").write_text(
        "garbage: [\n")
    run = tmp_tracker.htrac("hook", "stop", input=stop_event(tmp_tracker, active=False))
    reason = json.loads(run.out)["reason"]
    assert f"  - [DAMAGED] {DAMAGED_ID}  P2  ?  (no title)" in reason
    assert "A [DAMAGED] item counts as blocking" in reason


def test_hook_stop_text_format_exit_codes(tmp_tracker):
    item = tmp_tracker.add("Pending")
    run = tmp_tracker.htrac("hook", "stop", "--format", "text", input="")
    assert run.code == 3
    assert run.out.splitlines()[1] == f"  - {item}  P2  todo_hard  Pending"
    tmp_tracker.ok("update", item, "--status", "done")
    run = tmp_tracker.htrac("hook", "stop", "--format", "text", input="")
    assert (run.code, run.out) == (0, "")


def test_hook_stop_text_format_counts_repeated_calls_as_continuing(tmp_tracker):
    tmp_tracker.add("Pending")
    codes = [tmp_tracker.htrac("hook", "stop", "--format", "text", "--max-blocks", "2",
                               input="").code for _ in range(3)]
    assert codes == [3, 3, 0]


def test_hook_stop_rejects_input_that_is_not_json(tmp_tracker):
    run = tmp_tracker.htrac("hook", "stop", input="{oops")
    assert run.code == 1 and run.out == ""
    assert run.err == ("error: the hook input on stdin is not JSON: pipe the runtime's hook "
                       "JSON object, or use --format text\n")


def test_hook_stop_rejects_a_non_boolean_stop_hook_active(tmp_tracker):
    run = tmp_tracker.htrac("hook", "stop", input='{"stop_hook_active": "yes"}')
    assert run.code == 1
    assert run.err == "error: hook input: 'stop_hook_active' must be true or false\n"


def test_hook_stop_rejects_json_that_is_not_an_object(tmp_tracker):
    run = tmp_tracker.htrac("hook", "stop", input="[1, 2]")
    assert (run.code, run.err) == (1, "error: the hook input on stdin must be a JSON object\n")


def test_hook_session_start_answers_with_additional_context(agent_tracker, human_says):
    user = getpass.getuser()
    first = agent_tracker.add("First", "--priority", "0")
    second = agent_tracker.add("Second")
    mine = agent_tracker.add("Mine", "--status", "todo_soft")
    agent_tracker.ok("update", mine, "--status", "in_progress")
    human_says(agent_tracker, second, "Please do this one next")
    run = agent_tracker.htrac("hook", "session-start", input=start_event(agent_tracker))
    assert run.code == 0 and run.err == ""
    answer = json.loads(run.out)
    assert list(answer) == ["hookSpecificOutput"]
    assert answer["hookSpecificOutput"]["hookEventName"] == "SessionStart"
    assert answer["hookSpecificOutput"]["additionalContext"] == "\n".join([
        f"htrac tracker at {agent_tracker.path.resolve()} — you are {user} (agent).",
        "Protocol: answer humans first (htrac discuss <ID> \"<reply>\" --ack-thread); "
        "then htrac ready --claim (claims :1 for your session) → work → "
        "htrac discuss <ID> \"<what you did>\" → htrac update <ID> --status done "
        "(or htrac release <ID> to give it back).",
        "",
        "Humans waiting for your answer (1 item(s)) — reply first:",
        f"  - {second}  P2  [todo_hard]  Second  (1 unread): \"Please do this one next\"",
        "Your work in progress (1):",
        f"  - {mine}  P2  [in_progress]  Mine",
        "Ready (2):",
        f"   1  {first}  P0  todo_hard  First",
        f"   2  {second}  P2  todo_hard  Second",
        "Blocking items in the stop hook's scope: 2."])


def test_hook_session_start_numbers_ready_items_as_aliases(agent_tracker):
    agent_tracker.add("Later", "--priority", "3")
    first = agent_tracker.add("Sooner", "--priority", "1")
    agent_tracker.htrac("hook", "session-start", input=start_event(agent_tracker, "compact"))
    agent_tracker.ok("update", ":1", "--status", "in_progress")
    assert json.loads(agent_tracker.ok("--json", "show", first))["status"] == "in_progress"


def test_hook_session_start_is_bounded(tmp_tracker):
    lines = [f'add --kind work_item --title "A rather long title for item {n} {"x" * 60}"'
             for n in range(40)]
    tmp_tracker.ok("batch", "-", input="\n".join(lines) + "\n")
    run = tmp_tracker.htrac("hook", "session-start", "--max-chars", "1200",
                            input=start_event(tmp_tracker))
    context = json.loads(run.out)["hookSpecificOutput"]["additionalContext"]
    assert len(context) <= 1200
    assert re.search(r"… and \d+ more \(htrac ready\)", context)
    assert context.endswith("Blocking items in the stop hook's scope: 40.")


def test_hook_session_start_text_format_prints_the_brief(tmp_tracker):
    tmp_tracker.add("Only")
    run = tmp_tracker.htrac("hook", "session-start", "--format", "text")
    assert run.code == 0
    assert run.out.startswith("htrac tracker at ")
    assert "Ready (1):" in run.out


def test_hook_session_start_does_nothing_where_there_is_no_tracker(tmp_path, tmp_tracker):
    run = tmp_tracker.htrac("hook", "session-start", input="{}", cwd=tmp_path)
    assert (run.code, run.out, run.err) == (0, "", "")


def test_hook_with_missing_tracker_root_is_an_error(tmp_tracker, tmp_path):
    run = tmp_tracker.htrac("--tracker-root", str(tmp_path / "nope"), "hook", "stop", input="{}")
    assert run.code == 1 and run.err.startswith("error: --tracker-root")


def test_count_todos_and_hash_todos_print_text_and_json(tmp_tracker):
    a = tmp_tracker.add("Hard")
    b = tmp_tracker.add("Soft", "--status", "todo_soft")
    tmp_tracker.add("Busy", "--status", "in_progress")
    digest = hashlib.sha256("".join(sorted(
        [f"{a}\ttodo_hard\tHard\n", f"{b}\ttodo_soft\tSoft\n"])).encode()).hexdigest()
    assert tmp_tracker.ok("count-todos") == "2\n"
    assert tmp_tracker.ok("count-todos", "--hard") == "1\n"
    assert tmp_tracker.ok("--json", "count-todos", "--soft") == '{"count": 1}\n'
    assert tmp_tracker.ok("count-todos", "--json") == '{"count": 2}\n'
    assert tmp_tracker.ok("hash-todos") == digest + "\n"
    assert tmp_tracker.ok("--json", "hash-todos") == json.dumps({"hash": digest}) + "\n"


def test_count_todos_counts_damaged_items(tmp_tracker):
    tmp_tracker.add("Soft", "--status", "todo_soft")
    (tmp_tracker.agent_dir / "tracker" / ".ops" / f".{DAMAGED_ID}.ops").write_bytes(b"\xff\xfe")
    assert tmp_tracker.ok("count-todos") == "2\n"
    assert tmp_tracker.ok("count-todos", "--hard") == "1\n"


def test_guidance_writes_the_note_and_prints_its_path(tmp_tracker, tmp_path):
    hard = tmp_tracker.add("Hard one", "--priority", "1")
    soft = tmp_tracker.add("Soft one", "--status", "todo_soft")
    out = tmp_tracker.ok("guidance", "--guidance-dir", str(tmp_path / "notes")).strip()
    assert re.fullmatch(re.escape(str(tmp_path / "notes")) + r"/stop_guidance_\d{8}_\d{4}\.md",
                        out)
    lines = Path(out).read_text(encoding="utf-8").splitlines()
    assert re.fullmatch(r"# Stop Hook Guidance — \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lines[0])
    assert lines[1:12] == [
        "", "## Status", "- Hard TODO Items: 1", "- Soft TODO Items: 1", "",
        "## Hard TODO Items", f"- [{hard}] P1 Hard one", "",
        "## Soft TODO Items", f"- [{soft}] P2 Soft one", ""]
    assert lines[12] == "## Guidance"
    again = json.loads(tmp_tracker.ok("--json", "guidance", "--guidance-dir",
                                      str(tmp_path / "notes")))
    assert list(again) == ["path"]


def test_guidance_is_a_reply_first_cycle_when_humans_wait(agent_tracker, human_says, tmp_path):
    blocking = agent_tracker.add("Blocking", "--priority", "1")
    other = agent_tracker.add("Other", "--status", "in_progress")
    human_says(agent_tracker, blocking, "one")
    human_says(agent_tracker, other, "two")
    human_says(agent_tracker, other, "three")
    path = agent_tracker.ok("guidance", "--guidance-dir", str(tmp_path)).strip()
    text = Path(path).read_text(encoding="utf-8")
    assert text.startswith("# REPLY-FIRST CYCLE — ")
    assert "**3 unread human message(s) across 2 item(s).**" in text
    assert (f"## Blocking items with unread messages\n- [{blocking}] P1 Blocking (1 unread)\n"
            in text)
    assert (f"## Non-blocking items with unread messages\n- [{other}] P2 Other (2 unread)\n"
            in text)
    assert "## Hard TODO Items" not in text


def test_guidance_lists_damaged_items_and_invariant_violations(tmp_tracker, tmp_path):
    (tmp_tracker.agent_dir / "tracker" / "config.yaml").write_text(
        "statuses: [todo_hard, violated, todo_soft, in_progress, done, wont_do, deleted]\n"
        "stop_hook:\n  blocking_statuses: [todo_hard, violated, todo_soft]\n")
    bad = tmp_tracker.add("Broken invariant", "--status", "violated")
    (tmp_tracker.agent_dir / "tracker-workspace" / ".ops" / f".{DAMAGED_ID}.ops").write_text(
        "nope: [\n")
    text = Path(tmp_tracker.ok("guidance", "--guidance-dir", str(tmp_path)).strip()).read_text()
    assert ("## Status\n- Hard TODO Items: 0\n- Invariant Violations: 1\n- Soft TODO Items: 0\n"
            "- Damaged Items: 1\n") in text
    assert f"## Damaged Items\n- [{DAMAGED_ID}] P2 (no title)\n" in text
    assert f"## Invariant Violations\n- [{bad}] P2 Broken invariant\n" in text


def test_guidance_refuses_an_unwritable_directory(tmp_tracker, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    run = tmp_tracker.htrac("guidance", "--guidance-dir", str(blocker / "sub"))
    assert run.code == 1
    assert run.err.startswith("error: cannot write the guidance note in ")
    assert run.err.count("\n") == 1


def test_setup_installs_the_hooks_and_doctor_says_where(tmp_tracker):
    setup = tmp_tracker.htrac("setup", "--hooks", "project")
    assert ("[fixed] agent_hooks: installed the Claude Code Stop and SessionStart hooks in "
            f"{tmp_tracker.path.resolve() / '.claude' / 'settings.json'} (the project's settings; "
            "an agent can edit this file)") in setup.out.splitlines()
    assert "[fixed] agents_md: created AGENTS.md" in setup.out.splitlines()
    doctor = tmp_tracker.htrac("doctor")
    lines = doctor.out.splitlines()
    assert ("[warn] agent_hooks: Claude Code hooks are in the project's .claude/settings.json, "
            "which an agent can edit or remove") in lines
    assert "      fix: sudo htrac setup --hooks managed (machine-wide managed settings)" in lines
    assert "[ok] agents_md: AGENTS.md describes the htrac protocol (managed block)" in lines
    # the hook setup installed answers as Claude Code expects
    tmp_tracker.add("Pending")
    stop = tmp_tracker.htrac("hook", "stop", input=stop_event(tmp_tracker, active=False))
    assert json.loads(stop.out)["decision"] == "block"


def test_setup_hooks_skip_installs_nothing(tmp_tracker):
    tmp_tracker.htrac("setup", "--hooks", "skip")
    assert not (tmp_tracker.path / ".claude").exists()
