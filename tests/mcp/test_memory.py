"""Memory over MCP: brief, search and remember through a real `htrac mcp` process — the CLI's
answers and refusals, the CLI's `:N` rows left alone, bad input a tool error."""

from __future__ import annotations

import json

from mcp_client import answer, cli_error, refusal

from htrac.service.tokens import count_tokens


def test_memory_remember_then_brief_and_search_find_it(serve, tmp_tracker):
    item = tmp_tracker.add("Migrate the café database", "--priority", "0")
    tmp_tracker.add("Unrelated chore", "--priority", "3")

    async def scenario(client):
        noted = answer(await client.call_tool("remember", {"id": item[:12],
                                                           "text": "run the fixture as root"}))
        claimed = answer(await client.call_tool("claim", {"id": item}))
        brief = answer(await client.call_tool("brief", {}))
        focused = answer(await client.call_tool("brief", {"id": item, "budget": 300}))
        found = answer(await client.call_tool("search", {"query": "cafe migrat*"}))
        noted_hit = answer(await client.call_tool("search", {"query": '"fixture as root"'}))
        nothing = answer(await client.call_tool("search", {"query": "zebra"}))
        return noted, claimed, brief, focused, found, noted_hit, nothing

    noted, claimed, brief, focused, found, noted_hit, nothing = serve(scenario)
    assert noted["id"] == item and noted["notes"] == 1 and len(noted["name"]) == 8
    shown = json.loads(tmp_tracker.ok("--json", "show", item))
    assert [m["text"] for m in shown["memory"]] == ["run the fixture as root"]
    assert shown["memory"][0]["nonce"].startswith(noted["name"])
    # the brief: this connection's session, its claim with the note, in the tools' words
    assert f"session {claimed['session']}" in brief["text"]
    assert "run the fixture as root" in brief["text"] and noted["name"] in brief["text"]
    assert "claim (no id: the top ready item)" in brief["text"]
    assert brief["tokens"] == count_tokens(brief["text"]) <= 1000
    assert focused["text"].count(item) >= 1 and focused["tokens"] <= 300
    assert [h["id"] for h in found["items"]] == [item] and found["count"] == 1
    assert "«café»" in found["items"][0]["snippet"].lower() or "«" in found["items"][0]["snippet"]
    assert [h["id"] for h in noted_hit["items"]] == [item]
    assert nothing == {"count": 0, "items": []}
    # the same search on the command line finds the same items
    cli = json.loads(tmp_tracker.ok("--json", "search", "cafe", "migrat*"))
    assert [r["id"] for r in cli["results"]] == [h["id"] for h in found["items"]]


def test_memory_brief_leaves_the_users_cli_aliases_alone(serve, tmp_tracker):
    tmp_tracker.add("Alpha", "--priority", "0")
    beta = tmp_tracker.add("Beta", "--priority", "1")
    tmp_tracker.ok("list", "--status", "todo_hard", "--limit", "1")  # :1 Alpha, :2 Beta
    tmp_tracker.ok("update", ":2", "--priority", "0")  # now Beta sorts first in ready

    async def scenario(client):
        return answer(await client.call_tool("brief", {}))

    brief = serve(scenario)
    assert beta in brief["text"]
    assert json.loads(tmp_tracker.ok("--json", "show", ":2"))["id"] == beta


def test_memory_bad_input_is_a_tool_error_and_the_server_goes_on(serve, tmp_tracker):
    item = tmp_tracker.add("Target")
    cases = [
        ("remember", {"id": item}, "error: remember: missing argument 'text'"),
        ("remember", {"id": ":1", "text": "x"}, "error: ':1': name items by ID or prefix here"),
        ("remember", {"id": item, "text": 5}, "error: remember: argument 'text' must be a "
                                                "string"),
        ("search", {}, "error: search: missing argument 'query'"),
        ("search", {"query": "x", "limit": -1}, "error: limit must be 0 (all) or more"),
        ("search", {"query": "x" * 1001}, "error: a search query is at most 1000 characters"),
        ("brief", {"budget": 10}, "error: budget must be 50 to 20000 tokens"),
        ("brief", {"budget": "lots"}, "error: brief: argument 'budget' must be an integer"),
        ("brief", {"colour": "red"}, "error: brief: unknown argument 'colour'"),
    ]
    same_as_cli = [
        ("remember", {"id": item, "text": "   "}, ("remember", item, "   ")),
        ("remember", {"id": "WI-nothere", "text": "x"}, ("remember", "WI-nothere", "x")),
        ("search", {"query": "-- @@"}, ("search", "--", "-- @@")),
        ("brief", {"id": "WI-nothere"}, ("brief", "WI-nothere")),
    ]

    async def scenario(client):
        got = [refusal(await client.call_tool(name, args)) for name, args, _ in cases]
        cli = [refusal(await client.call_tool(name, args)) for name, args, _ in same_as_cli]
        still = answer(await client.call_tool("search", {"query": "target"}))
        return got, cli, still

    got, cli, still = serve(scenario)
    for line, (_, _, expected) in zip(got, cases, strict=True):
        assert line.startswith(expected), (line, expected)
    for line, (_, _, command) in zip(cli, same_as_cli, strict=True):
        assert line == cli_error(tmp_tracker.htrac(*command)), command
    assert [h["id"] for h in still["items"]] == [item]
    assert "memory" not in json.loads(tmp_tracker.ok("--json", "show", item))


def test_memory_tools_are_a_toolset(serve):
    async def scenario(client):
        return [t.name for t in (await client.list_tools()).tools]

    assert serve(scenario, "--tools", "memory") == ["brief", "search", "remember"]
    assert serve(scenario, "--tools", "memory", "--read-only") == ["brief", "search"]
