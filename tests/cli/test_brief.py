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
