"""A server run by a real agent OS user gives its web users that agent's rights, never a
human's: logging in to it is logging in as the agent."""

from __future__ import annotations

import json
import os

import pytest
import requests
from os_users import AGENT, machine_or_skip
from webserver import PASSWORD, start

pytestmark = pytest.mark.slow  # real users and a venv of their own


@pytest.fixture(scope="module")
def machine():
    yield from machine_or_skip()


def test_agent_run_server_gives_only_agent_rights(machine):
    home = machine.home(AGENT)
    repo = home / "htrac-web"
    machine.run(AGENT, "mkdir", "-p", str(repo), cwd=home)
    machine.git(AGENT, "init", "-q", cwd=repo)
    machine.ok(AGENT, "init", cwd=repo)
    item_id = machine.ok(AGENT, "add", "--kind", "work_item", "--title", "Agent's item",
                         cwd=repo).strip()
    machine.ok(AGENT, "serve", "passwd", "--stdin", cwd=repo, input=PASSWORD + "\n")
    env = {"HOME": str(home), "LANG": "C.UTF-8", "PATH": f"{machine.venv / 'bin'}:/usr/bin:/bin"}
    prefix = ("runuser", "-u", AGENT, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()))
    server = start(repo, dict(os.environ), python=str(machine.venv / "bin" / "python"), prefix=prefix)
    try:
        client = server.login()
        session = client.get(server.url("/api/auth/session")).json()
        assert (session["user"], session["by"]) == (AGENT, "agent")
        url = server.url(f"/api/items/{item_id}")
        for path, body in (("/lock", {"fields": ["status"]}), ("/unlock", {"fields": ["status"]}),
                           ("/freeze", {}), ("/unfreeze", {}), ("/clear", {}),
                           ("/repair", {}), ("/update", {"status": "deleted"})):
            answer = client.post(url + path, json=body)
            assert answer.status_code == 403, (path, answer.text)
        for body in ({"on": True}, {"on": False}):
            answer = client.post(server.url("/api/edit-mode"), json=body)
            assert answer.status_code == 403, answer.text
        assert client.get(server.url("/api/edit-mode")).json()["active"] is False
        # another session's live claim: only its holder or a human may release it
        machine.ok(AGENT, "claim", item_id, "--session", "s1", cwd=repo)
        answer = client.post(url + "/release", json={})
        assert answer.status_code == 400 and "only the holder or a human" in answer.text
        assert machine.item(AGENT, item_id, cwd=repo)["claim"]["session"] == "s1"
        assert not list(repo.glob("**/.edit-mode/*"))
        assert client.post(url + "/update", json={"priority": 0}).status_code == 200
        assert client.post(url + "/discuss", json={"message": "from the web"}).status_code == 200
        shown = machine.item(AGENT, item_id, cwd=repo)
        assert shown["locked_fields"] == [] and not shown["frozen"]
        assert [e["by"] for e in shown["discussion"]] == ["agent"]
        activity = client.get(server.url("/api/activity")).json()["ops"]
        assert {(o["type"], o["counts_as"]) for o in activity} == {
            ("create", "agent"), ("update", "agent"), ("discuss", "agent")}
        history = client.get(url + "/history").json()["ops"]
        assert {op["by"] for op in history} == {"agent"}
        assert requests.get(server.url("/api/items")).status_code == 401
    finally:
        server.stop()
    assert json.loads(machine.ok(AGENT, "--json", "serve", "--status", cwd=repo)) == {
        "running": False}
