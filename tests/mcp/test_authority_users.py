"""An agent OS user's MCP server gets exactly the agent's rights: what the CLI refuses it, the
tools refuse with the same line; what the CLI lets it do, the tools do."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest
from mcp_client import answer, cli_error, drive, refusal
from os_users import AGENT, HUMAN, Machine, machine_or_skip

pytestmark = pytest.mark.slow  # real users, a venv and pip


@pytest.fixture(scope="module")
def machine():
    yield from machine_or_skip()


def _home_dir(machine: Machine, user: str, name: str) -> Path:
    path = machine.home(user) / f"{machine.base.name}-{name}"
    path.mkdir()
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def agent_server(machine: Machine, cwd: Path, *args: str):
    """`htrac mcp` started as the agent user, as its runtime would start it."""
    from mcp.client.stdio import StdioServerParameters

    env = {"HOME": str(machine.home(AGENT)), "LANG": "C.UTF-8",
           "PATH": f"{machine.venv / 'bin'}:/usr/bin:/bin"}
    return StdioServerParameters(
        command="runuser",
        args=["-u", AGENT, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()),
              "htrac", "--no-auto-sync", "mcp", *args],
        cwd=str(cwd))


@pytest.fixture(scope="module")
def project(machine: Machine):
    """The human's repository with a free item, one whose status the human locked (and spoke
    on) and one the human claimed, cloned by the agent: (agent clone, free, locked, held)."""
    m = machine
    human = _home_dir(m, HUMAN, "proj")
    m.git(HUMAN, "init", "-q", "-b", "main", cwd=human)
    m.ok(HUMAN, "init", cwd=human)
    free = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Free", cwd=human).strip()
    locked = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Locked", cwd=human).strip()
    m.ok(HUMAN, "lock", locked, "status", cwd=human)
    m.ok(HUMAN, "discuss", locked, "Leave the status to me", cwd=human)
    held = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Held", cwd=human).strip()
    m.ok(HUMAN, "claim", held, "--session", "human-desk", cwd=human)
    m.git(HUMAN, "add", "-A", cwd=human)
    m.git(HUMAN, "commit", "-q", "-m", "tracker", cwd=human)
    agent = m.home(AGENT) / f"{m.base.name}-clone"
    # git refuses to read another user's repository unless told it is safe (the test user's
    # own global config: the users are made for this test module and removed after it)
    m.git(AGENT, "config", "--global", "--add", "safe.directory", f"{human}/.git",
          cwd=m.home(AGENT))
    cloned = m.run(AGENT, "git", "clone", "-q", str(human), str(agent), cwd=m.home(AGENT))
    assert cloned.code == 0 and (agent / ".agent").is_dir(), cloned.err
    return agent, free, locked, held


REFUSED = [  # (tool, arguments, the same thing on the command line)
    ("lock", {"names": ["status"]}, ("lock", "{free}", "status")),
    ("lock", {"names": ["status"], "unlock": True}, ("unlock", "{locked}", "status")),
    ("freeze", {}, ("freeze", "{free}")),
    ("freeze", {"unfreeze": True}, ("unfreeze", "{free}")),
    ("clear_discussion", {}, ("discuss", "{locked}", "--clear")),
    ("delete", {}, ("delete", "{free}")),
    ("update", {"status": "deleted"}, ("update", "{free}", "--status", "deleted")),
    ("update", {"status": "done"}, ("update", "{locked}", "--status", "done")),
    ("discuss", {"message": "Talking past the human"},
     ("discuss", "{locked}", "Talking past the human")),
    ("claim", {"steal": True}, ("claim", "{held}", "--steal", "--session", "agent-cli")),
    ("release", {}, ("release", "{held}", "--session", "agent-cli")),
]


def test_authority_agent_gets_the_clis_refusals_word_for_word(machine, project):
    agent, free, locked, held = project
    names = {"free": free, "locked": locked, "held": held}
    cases = []
    for tool, args, command in REFUSED:
        command = tuple(part.format(**names) for part in command)
        target = next((i for i in (locked, held) if i in command), free)
        cases.append((tool, {"id": target, **args}, command))

    async def scenario(client):
        offered = [t.name for t in (await client.list_tools()).tools]
        return offered, [refusal(await client.call_tool(tool, args))
                         for tool, args, _ in cases]

    # the CLI commands below name the same session, so messages that name it compare equal
    offered, lines = drive(agent_server(machine, agent, "--allow-human-ops", "--session",
                                        "agent-cli"), scenario)
    assert {"lock", "freeze", "clear_discussion", "delete"} <= set(offered)
    for line, (tool, _, command) in zip(lines, cases, strict=True):
        cli = cli_error(machine.htrac(AGENT, *command, cwd=agent))
        assert line == cli, (tool, line, cli)
        assert any(w in line for w in ("human", "locked", "unread", "human-desk")), line
    item = machine.item(AGENT, free, agent)
    assert item["status"] == "todo_hard" and not item["locked_fields"] and not item["frozen"]
    assert machine.item(AGENT, locked, agent)["discussion"][0]["by"] == "human"


def test_authority_agent_can_do_what_the_cli_lets_it(machine, project):
    agent, free, locked, held = project

    async def scenario(client):
        offered = [t.name for t in (await client.list_tools()).tools]
        ready = answer(await client.call_tool("ready", {}))
        steps = [
            answer(await client.call_tool("update", {"id": free, "status": "in_progress"})),
            answer(await client.call_tool("discuss", {"id": free, "message": "On it"})),
            answer(await client.call_tool("discuss", {"id": locked, "message": "Understood",
                                                      "ack_thread": True})),
            answer(await client.call_tool("update", {"id": free, "status": "done",
                                                     "note": "Finished"})),
            answer(await client.call_tool("add", {"kind": "work_item",
                                                  "title": "Found along the way"})),
        ]
        found = steps[-1]["id"]
        steps.append(answer(await client.call_tool("claim", {"id": found})))
        steps.append(answer(await client.call_tool("release", {"id": found})))
        steps.append(answer(await client.call_tool("remember", {"id": found,
                                                                "text": "agent's own note"})))
        steps.append(answer(await client.call_tool("search", {"query": "along the way"})))
        steps.append(answer(await client.call_tool("brief", {"id": found})))
        return offered, ready, steps

    offered, ready, steps = drive(agent_server(machine, agent), scenario)
    noted, searched, brief = steps[-3:]
    steps = steps[:-3]
    memo = machine.item(AGENT, noted["id"], agent)["memory"]
    assert [(m["by"], m["actor"], m["text"]) for m in memo] == [
        ("agent", AGENT, "agent's own note")]
    assert [h["id"] for h in searched["items"]] == [noted["id"]]
    assert "agent's own note" in brief["text"] and f"you are {AGENT} (agent)" in brief["text"]
    assert not {"lock", "freeze", "clear_discussion", "delete"} & set(offered)
    assert {i["id"] for i in ready["items"]} == {free, locked}
    done = machine.item(AGENT, free, agent)
    assert done["status"] == "done"
    assert [(e["by"], e["actor"], e["message"]) for e in done["discussion"]] == [
        ("agent", AGENT, "On it"), ("agent", AGENT, "Finished")]
    assert machine.item(AGENT, locked, agent)["discussion"][-1]["message"] == "Understood"
    claimed, released = steps[-2], steps[-1]
    assert claimed["claim"]["holder"] == f"{AGENT}/{claimed['session']}"
    assert released["released"] == claimed["claim"]["holder"]
    assert machine.item(AGENT, claimed["id"], agent)["title"] == "Found along the way"
