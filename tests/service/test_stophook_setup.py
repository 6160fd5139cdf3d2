"""Setup/doctor checks that wire htrac into agent runtimes: Claude Code hooks, AGENTS.md."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from htrac.service import claudesettings as cs
from htrac.service.checks import ERROR, FIXED, OK, WARN, CheckContext, all_checks
from htrac.service.checks.hooks import (
    BEGIN,
    BLOCK,
    END,
    check_agent_hooks,
    check_agents_md,
    with_block,
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    return path


@pytest.fixture
def managed(tmp_path: Path) -> Path:
    return tmp_path / "etc" / "claude-code" / "managed-settings.json"


def hooks_check(repo: Path, managed: Path, *, fix: bool, **options):
    ctx = CheckContext(repo, fix, {"claude_managed_settings": str(managed), **options})
    return list(check_agent_hooks(ctx))


def test_checks_module_is_registered():
    assert check_agent_hooks in all_checks() and check_agents_md in all_checks()


def test_agent_hooks_doctor_reports_missing_hooks_and_changes_nothing(repo, managed):
    [result] = hooks_check(repo, managed, fix=False)
    assert result.status == WARN
    assert result.message == "no htrac hook for Claude Code's SessionStart, Stop"
    assert not (repo / ".claude").exists() and not managed.exists()


def test_agent_hooks_setup_installs_in_project_settings_without_an_offer(repo, managed):
    [result] = hooks_check(repo, managed, fix=True)
    assert result.status == FIXED
    assert str(repo / ".claude" / "settings.json") in result.message
    assert "an agent can edit this file" in result.message
    assert not managed.exists()
    settings = json.loads((repo / ".claude" / "settings.json").read_text())
    assert settings == {"hooks": {
        "Stop": [{"hooks": [{"type": "command", "command": "htrac hook stop", "timeout": 30}]}],
        "SessionStart": [{"hooks": [{"type": "command", "command": "htrac hook session-start",
                                     "timeout": 30}]}]}}
    [again] = hooks_check(repo, managed, fix=True)
    assert again.status == WARN and "which an agent can edit or remove" in again.message
    assert again.fix == "sudo htrac setup --hooks managed (machine-wide managed settings)"


def test_agent_hooks_setup_installs_machine_wide_when_the_offer_is_accepted(repo, managed):
    asked: list[str] = []

    def confirm(question: str) -> bool:
        asked.append(question)
        return True

    [result] = hooks_check(repo, managed, fix=True, confirm=confirm)
    assert result.status == FIXED and "machine-wide, outside the repository" in result.message
    assert asked and str(managed) in asked[0]
    assert cs.installed(cs.load(managed)) == {"Stop", "SessionStart"}
    assert not (repo / ".claude").exists()
    [report] = hooks_check(repo, managed, fix=False)
    assert report.status == OK
    assert report.message == (f"Claude Code hooks are in the managed settings {managed}; "
                              "the agent user can't remove them")


def test_agent_hooks_declined_offer_falls_back_to_project(repo, managed):
    [result] = hooks_check(repo, managed, fix=True, confirm=lambda q: False)
    assert result.status == FIXED and not managed.exists()
    assert (repo / ".claude" / "settings.json").exists()


def test_agent_hooks_managed_settings_use_an_absolute_program_path(repo, managed):
    hooks_check(repo, managed, fix=True, hooks="managed")
    commands = [h["command"] for event in cs.load(managed)["hooks"].values()
                for group in event for h in group["hooks"]]
    for command in commands:
        program = command.split()[0]
        assert program == "htrac" or os.path.isabs(program)


def test_agent_hooks_merge_keeps_other_settings_and_hooks(repo, managed):
    path = repo / ".claude" / "settings.json"
    path.parent.mkdir()
    mine = {"model": "opus", "hooks": {"Stop": [{"hooks": [
        {"type": "command", "command": "./my-check.sh"}]}]}}
    path.write_text(json.dumps(mine))
    hooks_check(repo, managed, fix=True, hooks="project")
    settings = json.loads(path.read_text())
    assert settings["model"] == "opus"
    assert settings["hooks"]["Stop"][0] == mine["hooks"]["Stop"][0]
    assert len(settings["hooks"]["Stop"]) == 2
    hooks_check(repo, managed, fix=True, hooks="project")
    assert json.loads(path.read_text()) == settings  # idempotent


def test_agent_hooks_never_rewrite_invalid_json(repo, managed):
    path = repo / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text("{ not json")
    [result] = hooks_check(repo, managed, fix=True)
    assert result.status == ERROR and "is not valid JSON" in result.message
    assert path.read_text() == "{ not json"


def test_agent_hooks_managed_without_rights_is_an_error(repo):
    # Not even root may create files under /proc/1: a place this process has no rights to.
    target = Path("/proc/1/claude-code/managed-settings.json")
    if os.access("/proc/1", os.W_OK):
        pytest.skip("/proc/1 is writable here")
    [result] = hooks_check(repo, target, fix=True, hooks="managed")
    assert result.status == ERROR
    assert result.message == f"no permission to write {target}"
    assert result.fix == "run as root: sudo htrac setup --hooks managed"
    assert not (repo / ".claude").exists()


def test_agent_hooks_warn_when_managed_file_is_writable_by_others(repo, managed):
    hooks_check(repo, managed, fix=True, hooks="managed")
    os.chmod(managed, 0o666)
    [result] = hooks_check(repo, managed, fix=False)
    assert result.status == WARN and "writable by group or others" in result.message


def test_agent_hooks_warn_when_installed_twice(repo, managed):
    hooks_check(repo, managed, fix=True, hooks="project")
    hooks_check(repo, managed, fix=True, hooks="managed")
    [result] = hooks_check(repo, managed, fix=False)
    assert result.status == WARN and "so they run twice" in result.message


def test_agent_hooks_warn_when_project_disables_all_hooks(repo, managed):
    hooks_check(repo, managed, fix=True, hooks="managed")
    local = repo / ".claude" / "settings.local.json"
    local.parent.mkdir()
    local.write_text('{"disableAllHooks": true}')
    results = hooks_check(repo, managed, fix=False)
    assert [r.status for r in results] == [OK, WARN]
    assert "disableAllHooks" in results[1].message


def test_agent_hooks_skip_mode_only_reports(repo, managed):
    [result] = hooks_check(repo, managed, fix=True, hooks="skip")
    assert result.status == WARN and not (repo / ".claude").exists()


def test_agent_hooks_unknown_mode_is_an_error(repo, managed):
    [result] = hooks_check(repo, managed, fix=True, hooks="everywhere")
    assert result.status == ERROR and result.fix == "use one of: auto, managed, project, skip"


def test_agents_md_setup_creates_agents_md(repo):
    [result] = check_agents_md(CheckContext(repo, True))
    assert (result.status, result.message) == (FIXED, "created AGENTS.md")
    assert (repo / "AGENTS.md").read_text() == f"# Agent Instructions\n\n{BLOCK}\n"
    [again] = check_agents_md(CheckContext(repo, False))
    assert again.status == OK


def test_agents_md_updates_both_files_when_both_exist(repo):
    (repo / "AGENTS.md").write_text("# Rules\n\nBe kind.\n")
    (repo / "CLAUDE.md").write_text(f"Intro\n{BEGIN}\nold text\n{END}\nOutro\n")
    results = list(check_agents_md(CheckContext(repo, True)))
    assert [r.status for r in results] == [FIXED, FIXED]
    assert (repo / "AGENTS.md").read_text() == f"# Rules\n\nBe kind.\n\n{BLOCK}\n"
    assert (repo / "CLAUDE.md").read_text() == f"Intro\n{BLOCK}\nOutro\n"


def test_agents_md_doctor_reports_an_outdated_block(repo):
    (repo / "CLAUDE.md").write_text(f"{BEGIN}\nold\n{END}\n")
    [result] = check_agents_md(CheckContext(repo, False))
    assert result.status == WARN
    assert result.message == "CLAUDE.md has an outdated htrac protocol block"
    assert (repo / "CLAUDE.md").read_text() == f"{BEGIN}\nold\n{END}\n"


def test_agents_md_refuses_unbalanced_markers(repo):
    (repo / "AGENTS.md").write_text(f"text\n{BEGIN}\nno end here\n")
    [result] = check_agents_md(CheckContext(repo, True))
    assert result.status == ERROR
    assert (repo / "AGENTS.md").read_text() == f"text\n{BEGIN}\nno end here\n"


@pytest.mark.parametrize("text", ["", "\n", "body", f"{END}\n{BEGIN}\n", f"{BEGIN}{END}"])
def test_with_block_is_idempotent_or_refuses(text):
    once = with_block(text)
    if once is not None:
        assert with_block(once) == once
        assert once.count(BEGIN) == 1 and once.count(END) == 1


def test_installed_recognises_htrac_hook_commands():
    settings = {"hooks": {"Stop": [{"hooks": [{"command": "/opt/bin/htrac hook stop"}]}],
                          "SessionStart": [{"hooks": [{"command": "echo hook session-start"}]}]}}
    assert cs.installed(settings) == {"Stop"}
    assert cs.installed({"hooks": "nonsense"}) == set()
    assert cs.installed(None) == set()
