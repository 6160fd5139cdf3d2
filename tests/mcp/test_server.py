"""The server through the SDK's client: the handshake, the tool list, the agent's loop, and bad
input answered as tool errors by a server that goes on serving."""

from __future__ import annotations

import json

from mcp_client import answer, cli_error, refusal, text

LOOP_TOOLS = ["ready", "show", "list", "add", "update", "discuss", "check_messages",
              "count_todos", "claim", "heartbeat", "release", "brief", "search", "remember"]


def test_server_initializes_and_lists_its_tools_with_annotations(serve):
    async def scenario(client):
        tools = (await client.list_tools()).tools
        return client.server_info, client.instructions, tools

    info, instructions, tools = serve(scenario)
    assert info.name == "htrac" and info.version
    assert "ready" in instructions
    assert [t.name for t in tools] == LOOP_TOOLS
    for tool in tools:
        assert tool.description and tool.input_schema["type"] == "object"
        assert tool.annotations.read_only_hint is not None
        assert tool.annotations.destructive_hint is not None
    by_name = {t.name: t for t in tools}
    assert by_name["ready"].annotations.read_only_hint is True
    assert by_name["update"].annotations.destructive_hint is True
    assert by_name["add"].annotations.destructive_hint is False
    assert by_name["show"].input_schema["required"] == ["id"]


def test_server_speaks_the_stateless_protocol_era_too(tmp_tracker):
    from mcp_client import drive, local_server

    item = tmp_tracker.add("Either way")

    async def scenario(client):
        return answer(await client.call_tool("show", {"id": item}))

    assert drive(local_server(tmp_tracker.path), scenario, mode="auto")["title"] == "Either way"


def test_server_agent_loop_ready_update_discuss_done(serve, tmp_tracker):
    first = tmp_tracker.add("Fix the parser", "--priority", "1")
    tmp_tracker.add("Later", "--priority", "3")

    async def scenario(client):
        ready = answer(await client.call_tool("ready", {}))
        top = ready["items"][0]["id"]
        started = answer(await client.call_tool("update", {"id": top[:8] + top[8:12],
                                                           "status": "in_progress"}))
        posted = answer(await client.call_tool("discuss", {"id": top, "message": "Found it"}))
        done = answer(await client.call_tool("update", {"id": top, "status": "done",
                                                        "note": "Fixed in parse()"}))
        after = answer(await client.call_tool("ready", {}))
        shown = answer(await client.call_tool("show", {"id": top}))
        return ready, started, posted, done, after, shown

    ready, started, posted, done, after, shown = serve(scenario)
    assert ready["count"] == 2
    assert ready["items"][0] == {"id": first, "title": "Fix the parser", "status": "todo_hard",
                                 "priority": 1}
    assert started["changes"] == ["status: todo_hard → in_progress"]
    assert posted == {"id": first, "messages": 1}
    assert done["changes"] == ["status: in_progress → done"]
    assert [i["title"] for i in after["items"]] == ["Later"]
    assert shown["status"] == "done"
    assert [m["message"] for m in shown["discussion"]] == ["Found it", "Fixed in parse()"]
    on_disk = json.loads(tmp_tracker.ok("--json", "show", first))
    assert on_disk["status"] == "done" and len(on_disk["discussion"]) == 2


def test_server_add_list_and_fields(serve, tmp_tracker):
    async def scenario(client):
        made = answer(await client.call_tool("add", {
            "kind": "work_item", "title": "New one", "priority": 0, "tags": ["ui"],
            "description": "Longer text", "field": {"owner": "me"}}))
        listed = answer(await client.call_tool("list", {"query": "tag:ui",
                                                         "fields": ["tags", "fields", "tier"]}))
        counted = answer(await client.call_tool("count_todos", {}))
        shown = answer(await client.call_tool("show", {"id": made["id"]}))
        return made, listed, counted, shown

    made, listed, counted, shown = serve(scenario)
    assert shown["priority"] == 0 and shown["description"] == "Longer text"
    assert "discussion" not in shown and "parent" not in shown  # empty values left out
    assert listed == {"count": 1, "items": [{
        "id": made["id"], "title": "New one", "status": "todo_hard", "priority": 0,
        "tags": ["ui"], "fields": {"owner": "me"}, "tier": "workspace"}]}
    assert counted == {"count": 1}
    assert tmp_tracker.ok("count-todos").strip() == "1"


def test_server_update_based_on_a_stale_version_writes_nothing(serve, tmp_tracker):
    item = tmp_tracker.add("Contended")

    async def scenario(client):
        seen = answer(await client.call_tool("show", {"id": item}))
        tmp_tracker.ok("update", item, "--title", "Renamed meanwhile")
        stale = await client.call_tool("update", {"id": item, "status": "done",
                                                  "version": seen["version"]})
        fresh = answer(await client.call_tool("show", {"id": item}))
        ok = answer(await client.call_tool("update", {"id": item, "status": "done",
                                                      "version": fresh["version"]}))
        rows = answer(await client.call_tool("list", {"fields": ["version"]}))
        return seen, stale, fresh, ok, rows

    seen, stale, fresh, ok, rows = serve(scenario)
    assert len(seen["version"]) == 16 and fresh["version"] != seen["version"]
    first, now = text(stale).split("\n")
    assert first.startswith(f"error: {item} changed since you looked")
    assert json.loads(now)["now"]["title"] == "Renamed meanwhile"
    assert ok["changes"] == ["status: todo_hard → done"]
    assert rows["items"][0]["version"] != fresh["version"]  # the update made a new one


def test_server_large_lists_are_previewed_with_a_count(serve, tmp_tracker):
    for n in range(25):
        tmp_tracker.add(f"Item {n}")

    async def scenario(client):
        return (answer(await client.call_tool("list", {})),
                answer(await client.call_tool("ready", {"limit": 3})),
                answer(await client.call_tool("list", {"limit": 0})))

    listed, ready, everything = serve(scenario)
    assert listed["count"] == 25 and len(listed["items"]) == 20
    assert ready["count"] == 25 and len(ready["items"]) == 3
    assert len(everything["items"]) == 25


def test_server_list_answers_the_query_language_as_the_cli_does(serve, tmp_tracker):
    urgent = tmp_tracker.add("Parser crash on torn write", "--priority", "0", "--tag", "parser")
    tmp_tracker.add("Docs for the parser", "--priority", "1", "--tag", "docs")
    tmp_tracker.add("Unrelated", "--priority", "1", "--tag", "parser")
    tmp_tracker.ok("update", urgent, "--status", "in_progress")
    queries = ["tag:parser", "parser -tag:docs", '"torn write"', "priority:<=0",
               "status:todo_hard,in_progress is:ready", ""]

    async def scenario(client):
        return [answer(await client.call_tool("list", {"query": q, "limit": 0}))
                for q in queries]

    for query, listed in zip(queries, serve(scenario), strict=True):
        cli = json.loads(tmp_tracker.ok("--json", "list", "-q", query) if query
                         else tmp_tracker.ok("--json", "list"))
        assert [i["id"] for i in listed["items"]] == [i["id"] for i in cli], query


def test_server_does_not_renumber_the_users_cli_aliases(serve, tmp_tracker):
    tmp_tracker.add("Alpha", "--priority", "0")
    beta = tmp_tracker.add("Beta", "--priority", "1")
    tmp_tracker.ok("list", "--status", "todo_hard", "--limit", "1")  # :1 Alpha, :2 Beta
    tmp_tracker.ok("update", ":2", "--priority", "0")

    async def scenario(client):
        return answer(await client.call_tool("list", {"fields": ["priority"]}))

    serve(scenario)
    assert json.loads(tmp_tracker.ok("--json", "show", ":2"))["id"] == beta


def test_server_human_waiting_gate_and_check_messages(serve, tmp_tracker):
    item = tmp_tracker.add("Asked about")
    tmp_tracker.ok("discuss", item, "Agent question")
    # the test runs as a human user: write the human's reply, then ask as the agent would
    tmp_tracker.ok("discuss", item, "Human answer")

    async def scenario(client):
        waiting = answer(await client.call_tool("check_messages", {}))
        ready = answer(await client.call_tool("ready", {}))
        return waiting, ready

    waiting, ready = serve(scenario)
    assert waiting["count"] == 1 and waiting["items"][0]["id"] == item
    assert ready["awaiting_reply"][0]["id"] == item


def test_server_bad_input_is_a_tool_error_and_the_server_goes_on(serve, tmp_tracker):
    item = tmp_tracker.add("Target")
    cases = [
        ("update", {"id": item, "priority": "high"}, "error: update: argument 'priority' "
                                                     "must be an integer"),
        ("update", {"id": item, "colour": "red"}, "error: update: unknown argument 'colour'"),
        ("show", {}, "error: show: missing argument 'id'"),
        ("show", {"id": ":1"}, "error: ':1': name items by ID or prefix here"),
        ("list", {"fields": ["nonsense"]}, "error: unknown field(s) 'nonsense'"),
        ("ready", {"limit": -1}, "error: limit must be 0 (all) or more"),
        ("nope", {}, "error: no tool 'nope' here"),
        ("add", {"kind": "work_item", "title": "x", "field": {"k": 1}},
         "error: add: argument 'field' must be an object of strings"),
    ]
    # The same refusals as the command line, word for word:
    same_as_cli = [
        ("update", {"id": item, "status": "bogus"}, ("update", item, "--status", "bogus")),
        ("update", {"id": item, "priority": 9}, ("update", item, "--priority", "9")),
        ("update", {"id": item}, ("update", item)),
        ("show", {"id": "WI-nothere"}, ("show", "WI-nothere")),
        ("add", {"kind": "nokind", "title": "x"}, ("add", "--kind", "nokind", "--title", "x")),
        ("add", {"kind": "work_item", "title": "x", "tags": ["Bad Tag"]},
         ("add", "--kind", "work_item", "--title", "x", "--tag", "Bad Tag")),
        ("add", {"kind": "invariant", "title": "x"}, ("add", "--kind", "invariant",
                                                      "--title", "x")),
        ("list", {"query": "status:todo_hard foo:bar"},
         ("list", "-q", "status:todo_hard foo:bar")),
        ("list", {"query": "status:nope"}, ("list", "-q", "status:nope")),
    ]

    async def scenario(client):
        got = [refusal(await client.call_tool(name, args)) for name, args, _ in cases]
        cli = [refusal(await client.call_tool(name, args)) for name, args, _ in same_as_cli]
        still = answer(await client.call_tool("show", {"id": item}))
        return got, cli, still

    got, cli, still = serve(scenario)
    for line, (_, _, expected) in zip(got, cases, strict=True):
        assert line.startswith(expected), (line, expected)
    for line, (_, _, command) in zip(cli, same_as_cli, strict=True):
        assert line == cli_error(tmp_tracker.htrac(*command)), command
    assert still["title"] == "Target"


def test_server_survives_its_tracker_vanishing(serve, tmp_tracker):
    import shutil

    item = tmp_tracker.add("Target")

    async def scenario(client):
        shutil.rmtree(tmp_tracker.agent_dir)
        gone = await client.call_tool("show", {"id": item})
        tmp_tracker.ok("init")
        made = await client.call_tool("add", {"kind": "work_item", "title": "Again"})
        return gone, made

    gone, made = serve(scenario)
    assert refusal(gone).startswith("error: no tracker found in ")
    assert answer(made)["id"].startswith("WI-")
