from __future__ import annotations


def test_ready_lists_actionable_items_numbered_by_priority(tracker):
    low = tracker.add("Low", "--priority", "3")
    high = tracker.add("High", "--priority", "0")
    tracker.add("Started", "--status", "in_progress")
    out = tracker.ok("ready").splitlines()
    assert out == [f" 1  {high}  todo_hard    P0  [workspace]  High",
                   f" 2  {low}  todo_hard    P3  [workspace]  Low"]


def test_ready_leaves_out_items_blocked_by_unresolved_predecessors(tracker):
    later = tracker.add("Later")
    first = tracker.add("First", "--isbefore", later)
    assert [line.split()[1] for line in tracker.ok("ready").splitlines()] == [first]
    tracker.ok("update", first, "--status", "done")
    assert [line.split()[1] for line in tracker.ok("ready").splitlines()] == [later]


def test_ready_leaves_out_duplicates(tracker):
    original = tracker.add("Original")
    copy = tracker.add("Copy")
    tracker.ok("update", copy, "--add-duplicate-of", original)
    assert copy not in tracker.ok("ready")


def test_ready_empty_says_so(tracker):
    assert tracker.ok("ready").strip() == "(no ready items)"


def test_ready_limit_cuts_the_list_but_not_the_aliases(tracker):
    ids = [tracker.add(f"Item {n}", "--priority", str(n)) for n in range(3)]
    out = tracker.ok("ready", "--limit", "1").splitlines()
    assert len(out) == 1 and ids[0] in out[0]
    assert tracker.ok("show", ":3").startswith(ids[2])


def test_ready_lists_unread_human_messages_after_the_items(tracker):
    item = tracker.add("Asked")
    tracker.ok("discuss", item, "Why is this slow?")
    lines = tracker.ok("ready").splitlines()
    assert lines[0].startswith(" 1  ")
    assert lines[1:] == [
        "",
        "--- 1 item(s) with unread human message(s) ---",
        f"  {item}  [todo_hard]  Asked  (1 unread)",
        "",
        "  View:  htrac show <ID>",
        "  Reply: htrac discuss <ID> \"your reply\"",
    ]


def test_ready_json_has_items_and_unread_only_when_any(tracker, jrun):
    item = tracker.add("One", "--priority", "1")
    data = jrun(tracker, "ready")
    assert list(data) == ["ready"]
    assert [i["id"] for i in data["ready"]] == [item]
    assert list(data["ready"][0])[:4] == ["id", "kind", "title", "status"]
    tracker.ok("discuss", item, "ping")
    data = jrun(tracker, "ready")
    assert data["items_with_unread_messages"] == [
        {"id": item, "title": "One", "status": "todo_hard", "priority": 1, "unread_count": 1}]


def test_ready_json_flag_works_after_the_subcommand(tracker):
    tracker.add("One")
    assert tracker.ok("ready", "--json") == tracker.ok("--json", "ready")


def test_ready_agent_reply_clears_the_unread_section(agent, human_says):
    item = agent.add("Asked")
    human_says(agent, item, "please look")
    assert "1 item(s) with unread human message(s)" in agent.ok("ready")
    agent.ok("discuss", item, "looking", "--ack-thread")
    assert "unread" not in agent.ok("ready")


def test_ready_never_hides_a_damaged_item(tracker, jrun):
    item = tracker.add("Will break")
    path = next((tracker.agent_dir / "tracker-workspace" / ".ops").glob(".*.ops"))
    path.write_bytes(b"garbage that is no op\n\x00\xff\n")
    lines = tracker.ok("ready").splitlines()
    assert lines[0] == "(no ready items)"
    assert lines[2] == "--- 1 damaged item(s): state uncertain, see htrac show <ID> ---"
    assert lines[3].startswith(f"  {item}  [workspace]  ")
    assert jrun(tracker, "ready")["damaged_items"] == [
        {"id": item, "tier": "workspace", "problems": 2}]
    assert item in tracker.ok("list", "--status", "done")


def test_ready_without_a_usable_index_prints_the_same(tracker, tmp_path):
    blocker = tracker.add("Blocker", "--priority", "3")
    tracker.add("Blocked", "--isbefore", blocker)
    tracker.add("Free", "--priority", "1")
    tracker.ok("discuss", blocker, "human question")
    broken = tmp_path / "not-a-dir"
    broken.write_text("")
    indexed = tracker.ok("ready")
    assert tracker.ok("ready", env={"HTRAC_CACHE_DIR": str(broken)}) == indexed
