"""The two-user layouts exactly as docs/guide/authority.md sets them up, for attack tests run as
real OS users (tests/os_users.py): the human runs `htrac init`, `htrac setup`, `htrac keys init`
and commits; root runs `htrac setup --agent-user … --layout clones|shared`."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
from dataclasses import dataclass
from pathlib import Path

from os_users import AGENT, GROUP, HUMAN, Machine, Run, trust_files_for


def as_root(machine: Machine, *args: str, cwd: Path) -> Run:
    """htrac run by root (as with sudo) — the htrac every user can run, first on root's PATH, as
    on a machine where htrac is installed system-wide: setup writes that program's path into
    the agent's MCP settings, and the agent must be able to run it. (This test's interpreter
    may be one only root can run: CI's lives under /root.)"""
    bin_dir = machine.venv / "bin"
    env = {**os.environ, "HTRAC_CACHE_DIR": str(machine.base / "root-cache"),
           "GIT_CONFIG_GLOBAL": str(machine.base / "root-gitconfig"),
           "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    result = subprocess.run([str(bin_dir / "python"), "-m", "htrac", "--no-auto-sync", *args],
                            cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
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


@dataclass
class Governed:
    human: Path  # the human's clone
    agent: Path  # the agent's clone
    bare: Path
    locked: str  # an item whose status and discussion the human locked
    frozen: str  # an item the human froze


def governed_clones(machine: Machine) -> Governed:
    """The recommended layout with history from before signing was turned on: the human's
    clone, root's `setup --layout clones` (asserted step by step), the agent's clone, and two
    items the human governs."""
    m = machine
    human = mkdir_for(m, HUMAN, "governed")
    m.git(HUMAN, "init", "-q", "-b", "main", cwd=human)
    m.ok(HUMAN, "init", cwd=human)
    m.ok(HUMAN, "setup", cwd=human)
    old = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Before signing", cwd=human)
    m.ok(HUMAN, "lock", old.strip(), "priority", cwd=human)
    m.git(HUMAN, "add", "-A", cwd=human)
    m.git(HUMAN, "commit", "-q", "-m", "tracker", cwd=human)
    m.ok(HUMAN, "keys", "init", cwd=human)

    # The human alone can't write the trust root or make the agent's clone: setup says how.
    bare, agent = m.base / "governed.git", m.home(AGENT) / f"{m.base.name}-governed"
    args = ["setup", "--agent-user", AGENT, "--human-user", HUMAN, "--layout", "clones",
            "--shared-repo", str(bare), "--agent-clone", str(agent), "--group", GROUP]
    as_human = m.htrac(HUMAN, "--json", *args, cwd=human)
    assert as_human.code == 1
    trust = results_by_name(as_human)["trust_root"][0]
    assert trust["status"] == "error" and trust["fix"].startswith("sudo htrac setup")

    as_sudo = as_root(m, "--json", *args, cwd=human)
    named = results_by_name(as_sudo)
    assert named["trust_root"][0]["status"] == "fixed", as_sudo.out
    assert named["signing_baseline"][0]["status"] == "fixed"
    assert all(r["status"] in ("ok", "fixed") for r in named["clones"]), named["clones"]
    again = results_by_name(as_root(m, "--json", *args, cwd=human))
    assert again["trust_root"][0]["status"] == "ok"  # idempotent

    assert m.item(HUMAN, old.strip(), human)["locked_fields"] == ["priority"]  # baseline kept it
    locked = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Locked", cwd=human).strip()
    m.ok(HUMAN, "lock", locked, "status", "discussion", "fields.owner", cwd=human)
    m.ok(HUMAN, "discuss", locked, "A human's word", cwd=human)
    frozen = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Frozen", cwd=human).strip()
    m.ok(HUMAN, "freeze", frozen, cwd=human)
    m.git(HUMAN, "add", "-A", cwd=human)
    m.git(HUMAN, "commit", "-q", "-m", "human governance", cwd=human)
    m.git(HUMAN, "push", "-q", "origin", "main", cwd=human)
    m.git(AGENT, "pull", "-q", "origin", "main", cwd=agent)
    doctor = results_by_name(m.htrac(HUMAN, "--json", "doctor", cwd=human))
    for name in ("trust_root", "signing", "human_key", "rejected_ops", "agent_writable"):
        assert {r["status"] for r in doctor[name]} == {"ok"}, (name, doctor[name])
    return Governed(human, agent, bare, locked, frozen)


def governed_shared(machine: Machine) -> tuple[Path, str]:
    """The shared-worktree layout (`setup --layout shared`) and an item with a locked status."""
    m = machine
    repo = mkdir_for(m, HUMAN, "governed-shared")
    m.git(HUMAN, "init", "-q", "-b", "main", cwd=repo)
    m.ok(HUMAN, "init", cwd=repo)
    m.ok(HUMAN, "setup", cwd=repo)
    m.ok(HUMAN, "keys", "init", cwd=repo)
    run = as_root(m, "--json", "setup", "--agent-user", AGENT, "--human-user", HUMAN,
                  "--layout", "shared", "--group", GROUP, cwd=repo)
    named = results_by_name(run)
    assert named["trust_root"][0]["status"] == "fixed", run.out
    assert {r["status"] for r in named["shared_ops"]} <= {"ok", "fixed"}, named["shared_ops"]
    item = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Shared", cwd=repo).strip()
    m.ok(HUMAN, "lock", item, "status", cwd=repo)
    return repo, item


def state(m: Machine, user: str, item_id: str, cwd: Path) -> dict:
    """An item as `user` sees it, without what appending any op changes (its version) or
    what a refused op adds (problems): its state."""
    item = m.item(user, item_id, cwd)
    item.pop("problems", None)
    item.pop("version", None)
    return item


def append_as_agent(m: Machine, path: Path, text: str) -> None:
    """The agent writes `text` onto the end of `path` itself, without htrac."""
    run = m.run(AGENT, "sh", "-c", f"cat >> '{path}'", input=text, cwd=path.parent)
    assert run.code == 0, run.err
