"""Two real OS users on one repository: each has a watcher of their own, reads through it stay
fresh for both, and neither can reach the other's."""

from __future__ import annotations

import json
import os
import signal

import pytest
from os_users import AGENT, HUMAN, machine_or_skip
from watching import is_watcher, wait_until

pytestmark = pytest.mark.slow  # real users and a venv of their own

CONNECT = """
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as exc:
    print(type(exc).__name__)
else:
    print("connected")
"""


@pytest.fixture(scope="module")
def machine():
    yield from machine_or_skip()


def test_watch_each_user_has_their_own_watcher(machine):
    home = machine.home(HUMAN)
    repo = home / "htrac-watch"
    machine.run(HUMAN, "mkdir", "-p", str(repo), cwd=home)
    machine.git(HUMAN, "init", "-q", cwd=repo)
    machine.ok(HUMAN, "init", cwd=repo)
    item = machine.ok(HUMAN, "add", "--kind", "work_item", "--title", "Shared", cwd=repo).strip()
    pids = []
    try:
        states = {}
        for user in (HUMAN, AGENT):
            state = json.loads(machine.ok(user, "--json", "watch", "start", cwd=repo))
            pids.append(state["pid"])
            states[user] = json.loads(machine.ok(user, "--json", "watch", "status", cwd=repo))
        assert pids[0] != pids[1]
        assert states[HUMAN]["socket"].startswith(str(home))
        assert states[AGENT]["socket"].startswith(str(machine.home(AGENT)))

        for user in (HUMAN, AGENT):  # the first read records a token, the next use it
            machine.ok(user, "list", cwd=repo)
        machine.ok(HUMAN, "update", item, "--status", "in_progress", cwd=repo)
        for user in (HUMAN, AGENT):
            assert machine.item(user, item, cwd=repo)["status"] == "in_progress"
            listed = json.loads(machine.ok(user, "--json", "list", cwd=repo))
            assert [i["status"] for i in listed] == ["in_progress"], user
            status = json.loads(machine.ok(user, "--json", "watch", "status", cwd=repo))
            assert status["requests"] >= 2, (user, status)

        run = machine.run(AGENT, "python3", "-c", CONNECT, states[HUMAN]["socket"], cwd=repo)
        assert run.out.strip() == "PermissionError", run
    finally:
        for user in (HUMAN, AGENT):
            machine.htrac(user, "watch", "stop", cwd=repo)
        for pid in pids:
            if is_watcher(pid):
                os.kill(pid, signal.SIGKILL)
            wait_until(lambda pid=pid: not is_watcher(pid), what=f"watcher {pid} to end")
