"""`htrac brief` and the session-start hook that uses it."""

from __future__ import annotations

import json


def test_brief_command_text_json_and_focus(agent_tracker):
    item = agent_tracker.add("Mine", "--description", "Make the parser keep comments")
    agent_tracker.ok("update", item, "--status", "in_progress")
    agent_tracker.ok("remember", item, "run the slow tests before landing")
    text = agent_tracker.ok("brief")
    assert "Your work in progress (1):" in text and "run the slow tests" in text
    data = json.loads(agent_tracker.ok("--json", "brief", "--budget", "200"))
    assert set(data) == {"text", "tokens", "budget"} and data["tokens"] <= data["budget"] == 200
    assert agent_tracker.ok("brief", item).split("Focus:\n", 1)[1].startswith(f"  - {item}")
    run = agent_tracker.htrac("brief", "--budget", "10")
    assert run.code == 2 and "10" in run.err  # below the smallest budget: a usage error


def test_session_start_hook_reports_changes_per_session(agent_tracker):
    item = agent_tracker.add("Watched")

    def context(session):
        event = json.dumps({"session_id": session, "cwd": str(agent_tracker.path),
                            "hook_event_name": "SessionStart", "source": "compact"})
        run = agent_tracker.htrac("hook", "session-start", input=event)
        return json.loads(run.out)["hookSpecificOutput"]["additionalContext"]

    assert "Changed since" not in context("abc")
    agent_tracker.ok("update", item, "--priority", "0")
    assert f"Changed since you last looked (1):\n  - {item}" in context("abc")
    assert "Nothing changed since you last looked." in context("abc")


def test_brief_lists_the_sessions_claims_with_their_lease_and_the_board(agent_tracker):
    claimed = agent_tracker.add("Claimed", "--description", "Finish the claimed thing")
    other = agent_tracker.add("Other work")
    agent_tracker.ok("claim", claimed, "--session", "s-1")
    agent_tracker.ok("remember", claimed, "the lease renews on every write")
    agent_tracker.ok("update", other, "--status", "in_progress")
    agent_tracker.ok("board", "-m", "taking the parser, leave src/parse alone")
    text = agent_tracker.ok("brief", "--session", "s-1")
    claims = text.split("Your claims (session s-1) (1):\n", 1)[1]
    assert claims.startswith(f"  - {claimed}") and "left)" in claims.splitlines()[0]
    assert "goal: Finish the claimed thing" in claims and "the lease renews" in claims
    assert f"Your other work in progress (1):\n  - {other}" in text
    assert text.rstrip().endswith("taking the parser, leave src/parse alone")
    elsewhere = agent_tracker.ok("brief", "--session", "s-2")  # another session holds nothing
    assert "Your claims" not in elsewhere and "Your work in progress (2):" in elsewhere
