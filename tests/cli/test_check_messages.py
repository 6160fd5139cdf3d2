from __future__ import annotations


def test_check_messages_lists_items_waiting_for_an_agent(agent, human_says, jrun):
    assert agent.ok("check-messages").strip() == "(no unread human messages)"
    item = agent.add("Alpha", "--description", "the desc", "--pr-ref", "#7")
    agent.ok("discuss", item, "agent said")
    human_says(agent, item, "first")
    human_says(agent, item, "second")
    assert agent.ok("check-messages").splitlines() == [
        f"{item}  P2  todo_hard  [workspace]  Alpha",
        "  description: the desc",
        "  pr_ref: #7",
        "  prior discussion:",
        f"    [{_at(agent, item)}] {_me()} (agent): agent said",
        "  [2030-01-01T00:00:00Z] boss (human): first",
        "  [2030-01-01T00:00:00Z] boss (human): second",
    ]
    data = jrun(agent, "check-messages", "--autolimit", "1")
    assert data[0]["tier"] == "workspace"
    assert [m["message"] for m in data[0]["unread_messages"]] == ["second"]
    assert [m["message"] for m in data[0]["prior_discussion"]] == ["agent said", "first"]
    agent.ok("discuss", item, "answer", "--ack-thread")
    assert jrun(agent, "check-messages") == []


def _me() -> str:
    import getpass
    return getpass.getuser()


def _at(tracker, item: str) -> str:
    import json
    return json.loads(tracker.ok("--json", "show", item))["discussion"][0]["at"]
