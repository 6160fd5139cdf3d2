"""`htrac init` and `htrac setup` where they can and can't work."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def run(cwd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "htrac", *args], cwd=cwd, capture_output=True,
                          text=True, env=dict(os.environ))


def test_init_and_setup_outside_git_refuse_and_write_nothing(tmp_path):
    """Issue 18 item 2: both exited 0 and wrote .agent/, .claude/settings.json, AGENTS.md,
    .gitattributes and .gitignore here; doctor said git trusts the repository."""
    plain = tmp_path / "plain"
    plain.mkdir()
    init = run(plain, "init")
    assert init.returncode == 1 and "git init" in init.stderr
    assert init.stderr.count("\n") == 1
    setup = run(plain, "setup")
    assert setup.returncode == 1 and "[error] git_repo" in setup.stdout
    assert "fix: git init" in setup.stdout and "nothing changed" in setup.stdout
    assert list(plain.iterdir()) == []
    doctor = json.loads(run(plain, "--json", "doctor").stdout)["results"]
    assert doctor[0]["name"] == "git_repo" and doctor[0]["status"] == "error"
    assert not any(r["name"] == "safe_directory" for r in doctor)
    assert list(plain.iterdir()) == []


def test_init_and_setup_inside_git_work_as_before(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    assert run(repo, "init").returncode == 0
    setup = run(repo, "setup")
    assert "[ok] git_repo" in setup.stdout and (repo / ".agent" / "tracker").is_dir()
