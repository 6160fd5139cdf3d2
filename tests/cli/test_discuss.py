from __future__ import annotations


def test_discuss_without_message_prints_the_thread(tracker):
    item = tracker.add("Alpha")
    assert tracker.ok("discuss", item).splitlines() == [
        f"{item} — Alpha", "Discussion: (no entries)"]
    tracker.ok("discuss", item, "line1\nline2")
    tracker.ok("discuss", item, "second")
    lines = tracker.ok("discuss", item).splitlines()
    assert lines[:3] == [f"{item} — Alpha", "Discussion (2 entries):", ""]
    assert lines[3].startswith("  [1] ") and lines[3].endswith("  human  " + lines[3].split()[-1])
    assert lines[4:6] == ["      line1", "      \u2506 line2"]  # a line break is marked
    assert lines[8] == "      second"


def test_discuss_json_view_lists_full_entries(tracker, jrun):
    item = tracker.add("Alpha")
    assert tracker.ok("--json", "discuss", item, "hi").strip() == '{"ok": true}'
    entries = jrun(tracker, "discuss", item)
    assert list(entries[0]) == ["by", "actor", "at", "message", "is_summary", "nonce",
                                "is_tombstoned", "edit_history"]
    assert entries[0]["message"] == "hi" and len(entries[0]["nonce"]) == 16


def test_discuss_human_may_post_twice_without_ack(tracker):
    item = tracker.add("Alpha")
    assert tracker.ok("discuss", item, "one").strip() == "discussed"
    assert tracker.ok("discuss", item, "two").strip() == "discussed"


def test_discuss_agent_after_human_needs_ack_thread(agent, human_says, jrun):
    item = agent.add("Alpha")
    agent.ok("discuss", item, "agent first")
    agent.ok("discuss", item, "agent again")  # no human spoke: no gate
    human_says(agent, item, "stop and explain")
    run = agent.htrac("discuss", item, "ok")
    assert run.code == 1
    assert "[2030-01-01T00:00:00Z] boss: stop and explain" in run.out
    assert "--ack-thread" in run.err and "Traceback" not in run.err
    assert "ok" not in [e["message"] for e in jrun(agent, "discuss", item)]
    assert agent.ok("discuss", item, "explained", "--ack-thread").strip() == "discussed"


def test_discuss_agent_note_is_not_gated_but_warned(agent, human_says):
    item = agent.add("Alpha")
    human_says(agent, item, "question")
    run = agent.htrac("update", item, "--note", "answer")
    assert run.code == 0 and "unread human message" in run.err


def test_discuss_summarize_replaces_the_thread(tracker, jrun):
    item = tracker.add("Alpha")
    tracker.ok("discuss", item, "one")
    tracker.ok("discuss", item, "two")
    assert tracker.ok("discuss", item, "--summarize", "both said").strip() == "discussed"
    entries = jrun(tracker, "discuss", item)
    assert [(e["message"], e["is_summary"]) for e in entries] == [("both said", True)]


def test_discuss_clear_by_a_human_empties_the_thread(tracker, jrun):
    item = tracker.add("Alpha")
    tracker.ok("discuss", item, "one")
    assert jrun(tracker, "discuss", item, "--clear") == {"ok": True}
    assert jrun(tracker, "discuss", item) == []


def test_discuss_message_and_clear_together_are_refused(tracker):
    item = tracker.add("Alpha")
    run = tracker.htrac("discuss", item, "hi", "--clear")
    assert run.code == 1 and "only one of" in run.err


def test_discuss_clear_by_an_agent_is_refused(agent, jrun):
    item = agent.add("Alpha")
    agent.ok("discuss", item, "keep me")
    run = agent.htrac("discuss", item, "--clear")
    assert run.code == 1 and "human" in run.err
    assert [e["message"] for e in jrun(agent, "discuss", item)] == ["keep me"]


def test_discuss_view_hides_deleted_messages_and_says_so(tracker, jrun):
    item = tracker.add("Alpha")
    tracker.ok("discuss", item, "spam")
    tracker.ok("discuss", item, "kept")
    nonce = jrun(tracker, "discuss", item)[0]["nonce"]
    tracker.ok("edit-mode", "on")
    tracker.ok("delete-msg", item, nonce, "--reason", "spam")
    lines = tracker.ok("discuss", item).splitlines()
    assert lines[1] == "Discussion (1 entries):"
    assert lines[4] == "      kept" and lines[-1] == "(not shown: 1 deleted messages)"
    assert [e["is_tombstoned"] for e in jrun(tracker, "discuss", item)] == [True, False]


def test_discuss_refuses_empty_messages_summaries_and_notes(tracker, jrun):
    """Issue 18 item 4: empty messages were posted, and an empty summary replaced the thread."""
    item = tracker.add("Alpha")
    tracker.ok("discuss", item, "keep me")
    log = tracker.ok("log", item)
    for args in ((item, ""), (item, "   "), (item, "\n\t"), (item, "--summarize", ""),
                 (item, "--summarize", "  ")):
        run = tracker.htrac("discuss", *args)
        assert run.code == 1 and "empty" in run.err and run.err.count("\n") == 1, args
    for note in ("", " "):  # nothing of the request is written, not even its other changes
        run = tracker.htrac("update", item, "--priority", "0", "--note", note)
        assert run.code == 1 and "empty --note" in run.err
    assert tracker.ok("log", item) == log
    assert [e["message"] for e in jrun(tracker, "discuss", item)] == ["keep me"]
