"""Root registering `htrac mcp` for a real agent user: written as the agent, in the agent's own
file, and a link the agent planted gets it nothing."""

from __future__ import annotations

import json
import os
import pwd

import pytest
from os_users import AGENT, machine_or_skip

from htrac.service.checks import CheckContext
from htrac.service.checks.mcp import check_mcp_server

pytestmark = pytest.mark.slow  # real users, a venv and pip


@pytest.fixture(scope="module")
def machine():
    yield from machine_or_skip()


def register_for_agent(repo, **options):
    return list(check_mcp_server(CheckContext(repo=repo, fix=True,
                                              options={"agent_user": AGENT, **options})))


def test_mcp_setup_writes_the_agents_own_config_as_the_agent(machine, tmp_tracker,
                                                             monkeypatch):
    monkeypatch.setenv("PATH", f"{machine.venv / 'bin'}:{os.environ['PATH']}")
    config = machine.home(AGENT) / ".claude.json"
    config.unlink(missing_ok=True)
    results = register_for_agent(tmp_tracker.path)
    assert [r.status for r in results] == ["fixed"], results
    info = os.stat(config)
    assert info.st_uid == pwd.getpwnam(AGENT).pw_uid and info.st_mode & 0o777 == 0o600
    entry = json.loads(config.read_text())["mcpServers"]["htrac"]
    assert entry["command"] == str(machine.venv / "bin" / "htrac")
    # what was registered runs, as the agent, and answers
    run = machine.run(AGENT, entry["command"], "mcp", "--tools", "nothing",
                      cwd=machine.home(AGENT))
    assert run.code == 1 and "no tool or toolset 'nothing'" in run.err
    assert [r.status for r in register_for_agent(tmp_tracker.path)] == ["ok"]


def test_mcp_setup_a_planted_link_gets_the_agent_nothing(machine, tmp_tracker, tmp_path,
                                                         monkeypatch):
    monkeypatch.setenv("PATH", f"{machine.venv / 'bin'}:{os.environ['PATH']}")
    victim = machine.base / "root-owned.json"
    victim.write_text("{}\n")
    victim.chmod(0o644)
    config = machine.home(AGENT) / ".claude.json"
    config.unlink(missing_ok=True)
    machine.run(AGENT, "ln", "-s", str(victim), str(config), cwd=machine.home(AGENT))
    assert config.is_symlink()
    results = register_for_agent(tmp_tracker.path)
    assert [r.status for r in results] == ["fixed"], results
    assert victim.read_text() == "{}\n" and os.stat(victim).st_uid == 0
    assert not config.is_symlink()
    assert os.stat(config).st_uid == pwd.getpwnam(AGENT).pw_uid


def test_mcp_setup_refuses_an_htrac_the_agent_cannot_run(machine, tmp_tracker, tmp_path,
                                                         monkeypatch):
    private = tmp_path / "private" / "bin"
    private.mkdir(parents=True)
    (private / "htrac").write_text("#!/bin/sh\n")
    (private / "htrac").chmod(0o700)
    monkeypatch.setenv("PATH", f"{private}:{os.environ['PATH']}")
    config = machine.home(AGENT) / ".claude.json"
    config.unlink(missing_ok=True)
    results = register_for_agent(tmp_tracker.path)
    assert results[0].status == "error" and f"can't run {private / 'htrac'}" in \
        results[0].message
    assert not config.exists()
