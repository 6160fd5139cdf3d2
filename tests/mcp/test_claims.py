"""Claims over MCP: a connection is one agent session; it claims, renews and releases with the
CLI's rules, and is told what the CLI tells about items another session holds."""

from __future__ import annotations

import json
import re

from mcp_client import answer, cli_error, drive, local_server, refusal


def test_claims_a_connection_claims_the_top_ready_item_as_its_own_session(serve, tmp_tracker):
    first = tmp_tracker.add("Urgent", "--priority", "0")
    tmp_tracker.add("Later", "--priority", "3")

    async def scenario(client):
        got = answer(await client.call_tool("claim", {}))
        ready = answer(await client.call_tool("ready", {}))
        shown = answer(await client.call_tool("show", {"id": first}))
        beat = answer(await client.call_tool("heartbeat", {}))
        done = answer(await client.call_tool("release", {"id": first, "reason": "wrong one"}))
        return got, ready, shown, beat, done

    got, ready, shown, beat, done = serve(scenario)
    session = got["session"]
    assert re.fullmatch(r"mcp:[0-9a-f]{8}", session)
    assert got["id"] == first and got["status"] == "in_progress"
    assert got["claim"]["holder"].endswith(f"/{session}") and got["claim"]["state"] == "live"
    assert [i["title"] for i in ready["items"]] == ["Later"]
    assert shown["claim"]["holder"] == got["claim"]["holder"]
    assert beat["claims"] == [{"id": first, "renewed": False,
                               "seconds_left": beat["claims"][0]["seconds_left"]}]
    assert done == {"id": first, "released": got["claim"]["holder"], "status": "todo_hard",
                    "session": session}


def test_claims_another_session_is_refused_as_on_the_cli(serve, tmp_tracker):
    item = tmp_tracker.add("Contended")

    async def take(client):
        return answer(await client.call_tool("claim", {"id": item}))

    async def try_again(client):
        return (refusal(await client.call_tool("claim", {"id": item})),
                answer(await client.call_tool("update", {"id": item, "note": "me too?"})))

    held = serve(take)
    refused, noted = serve(try_again)  # a second connection: another session
    assert refused == cli_error(tmp_tracker.htrac("claim", item, "--session", "cli-one"))
    assert held["claim"]["holder"] in refused
    assert noted["claim"]["holder"] == held["claim"]["holder"]
    assert any("don't hold it" in n for n in noted["notices"])


def test_claims_session_named_by_option_or_the_runtime(tmp_tracker, monkeypatch):
    item = tmp_tracker.add("Named")

    async def take(client):
        return answer(await client.call_tool("claim", {"id": item}))

    assert drive(local_server(tmp_tracker.path, "--session", "alpha-1"), take)["session"] \
        == "alpha-1"
    tmp_tracker.ok("release", item, "--session", "alpha-1")
    params = local_server(tmp_tracker.path)
    params.env["HTRAC_SESSION"] = "runtime-7"
    assert drive(params, take)["session"] == "runtime-7"
    held = json.loads(tmp_tracker.ok("--json", "show", item))["claim"]
    assert held["session"] == "runtime-7"
    run = tmp_tracker.htrac("mcp", "--session", "bad name!")
    assert run.code == 1 and run.err.startswith("error: --session: 'bad name!' is not a session")
