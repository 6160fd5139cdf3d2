"""The two-user layouts exactly as docs/guide/authority.md sets them up, for attack tests run as
real OS users (tests/os_users.py): the human runs `htrac init`, `htrac setup`, `htrac keys init`
and commits; root runs `htrac setup --agent-user … --layout clones|shared`."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from os_users import AGENT, GROUP, HUMAN, Machine, Run, trust_files_for


def as_root(machine: Machine, *args: str, cwd: Path) -> Run:
    """htrac run by root (as with sudo), from this test's own interpreter."""
    env = {**os.environ, "HTRAC_CACHE_DIR": str(machine.base / "root-cache"),
           "GIT_CONFIG_GLOBAL": str(machine.base / "root-gitconfig")}
    result = subprocess.run([sys.executable, "-m", "htrac", "--no-auto-sync", *args], cwd=cwd,
                            capture_output=True, text=True, env=env, timeout=300)
    return Run(result.returncode, result.stdout, result.stderr)


def results_by_name(run: Run) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for result in json.loads(run.out)["results"]:
        found.setdefault(result["name"], []).append(result)
    return found


def statuses(run: Run, name: str) -> set[str]:
    return {r["status"] for r in results_by_name(run).get(name, [])}


def mkdir_for(machine: Machine, user: str, name: str) -> Path:
    path = machine.home(user) / f"{machine.base.name}-{name}"
    path.mkdir()
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def remove_trust_files(base: Path) -> None:
    for path in trust_files_for([base, Path(pwd.getpwnam(HUMAN).pw_dir),
                                 Path(pwd.getpwnam(AGENT).pw_dir)]):
        path.unlink()
        path.with_suffix(".baseline").unlink(missing_ok=True)


def human_repo(m: Machine, name: str) -> Path:
    """The human's repository: init, setup, a signing key, one commit."""
    repo = mkdir_for(m, HUMAN, name)
    m.git(HUMAN, "init", "-q", "-b", "main", cwd=repo)
    m.ok(HUMAN, "init", cwd=repo)
    m.ok(HUMAN, "setup", cwd=repo)
    m.ok(HUMAN, "keys", "init", cwd=repo)
    m.git(HUMAN, "add", "-A", cwd=repo)
    m.git(HUMAN, "commit", "-q", "-m", "tracker", cwd=repo)
    return repo


@dataclass
class Clones:
    human: Path
    agent: Path
    bare: Path
    setup_args: list[str]


def make_clones(m: Machine, name: str = "proj") -> Clones:
    human = human_repo(m, name)
    bare, agent = m.base / f"{name}.git", m.home(AGENT) / f"{m.base.name}-{name}"
    args = ["setup", "--agent-user", AGENT, "--human-user", HUMAN, "--layout", "clones",
            "--shared-repo", str(bare), "--agent-clone", str(agent), "--group", GROUP]
    run = as_root(m, "--json", *args, cwd=human)
    assert run.code == 0, run.out + run.err
    return Clones(human, agent, bare, args)


def make_shared(m: Machine, name: str = "shared") -> tuple[Path, list[str]]:
    repo = human_repo(m, name)
    args = ["setup", "--agent-user", AGENT, "--human-user", HUMAN, "--layout", "shared",
            "--group", GROUP]
    run = as_root(m, "--json", *args, cwd=repo)
    assert run.code in (0, 1), run.out + run.err  # shared_git warns; errors are checked by tests
    return repo, args


def marker_dir(m: Machine) -> Path:
    """A directory both users can write, for planted code to leave a trace in."""
    path = m.base / "markers"
    path.mkdir(exist_ok=True)
    os.chmod(path, 0o1777)
    return path
