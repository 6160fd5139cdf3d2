"""setup registers `htrac mcp` for Claude Code in a user's own config or the managed file —
never in the project — and doctor reports where it is."""

from __future__ import annotations

import json
import os

import pytest

from htrac.service.checks import CheckContext
from htrac.service.checks.mcp import check_mcp_server


def run(repo, *, fix=True, **options):
    return list(check_mcp_server(CheckContext(repo=repo, fix=fix, options=options)))


@pytest.fixture
def user_file(tmp_path):
    return tmp_path / "home" / ".claude.json"


def test_mcp_setup_user_registers_in_the_users_own_config_once(tmp_tracker, user_file):
    user_file.parent.mkdir()
    user_file.write_text(json.dumps({"numStartups": 3, "mcpServers": {"other": {
        "type": "stdio", "command": "other-server"}}}))
    user_file.chmod(0o600)
    first = run(tmp_tracker.path, mcp="user", claude_user_config=str(user_file))
    assert [r.status for r in first] == ["fixed"], first
    data = json.loads(user_file.read_text())
    assert data["numStartups"] == 3 and "other" in data["mcpServers"]
    entry = data["mcpServers"]["htrac"]
    assert entry["args"] == ["mcp"] and entry["type"] == "stdio"
    assert os.path.isabs(entry["command"]) and os.access(entry["command"], os.X_OK)
    assert user_file.stat().st_mode & 0o777 == 0o600
    again = run(tmp_tracker.path, mcp="user", claude_user_config=str(user_file))
    assert [r.status for r in again] == ["ok"] and "is registered" in again[0].message
    assert not (tmp_tracker.path / ".mcp.json").exists()


def test_mcp_setup_auto_asks_and_writes_nothing_without_a_yes(tmp_tracker, user_file):
    results = run(tmp_tracker.path, claude_user_config=str(user_file),
                  claude_managed_mcp=str(user_file.parent / "managed.json"))
    assert [r.status for r in results] == ["ok"] and "not registered" in results[0].message
    assert not user_file.exists()
    asked = []
    results = run(tmp_tracker.path, claude_user_config=str(user_file),
                  confirm=lambda q: asked.append(q) or True)
    assert asked and results[0].status == "fixed" and user_file.exists()


def test_mcp_setup_managed_names_the_consequence(tmp_tracker, tmp_path):
    managed = tmp_path / "etc" / "managed-mcp.json"
    results = run(tmp_tracker.path, mcp="managed", claude_managed_mcp=str(managed))
    assert results[0].status == "fixed" and "only the servers this file names" in \
        results[0].message
    assert "htrac" in json.loads(managed.read_text())["mcpServers"]
    report = run(tmp_tracker.path, fix=False, claude_managed_mcp=str(managed))
    if os.geteuid() == 0:
        assert report[0].status == "ok" and "managed" in report[0].message


def test_mcp_doctor_warns_about_a_project_mcp_json(tmp_tracker, user_file):
    (tmp_tracker.path / ".mcp.json").write_text(json.dumps({"mcpServers": {"tracker": {
        "command": "htrac", "args": ["mcp", "--allow-human-ops"]}}}))
    results = run(tmp_tracker.path, fix=False, claude_user_config=str(user_file))
    warned = [r for r in results if r.status == "warn"]
    assert len(warned) == 1 and "an agent can edit that file" in warned[0].message


def test_mcp_setup_leaves_a_broken_config_alone(tmp_tracker, user_file):
    user_file.parent.mkdir()
    user_file.write_text("{not json")
    results = run(tmp_tracker.path, mcp="user", claude_user_config=str(user_file))
    assert results[0].status == "error" and "not valid JSON" in results[0].message
    assert user_file.read_text() == "{not json"


def test_mcp_doctor_changes_nothing(tmp_tracker, user_file, tmp_path):
    managed = tmp_path / "managed-mcp.json"
    for mode in ("user", "managed"):
        run(tmp_tracker.path, fix=False, mcp=mode, claude_user_config=str(user_file),
            claude_managed_mcp=str(managed))
    assert not user_file.exists() and not managed.exists()
