"""Real OS users for the authority tests: an agent and a human, and an htrac both can run.

Root's Python lives in /root, which other users can't traverse, so htrac is installed for them
into a virtual environment of Debian's /usr/bin/python3 under /tmp. The users are created for
the session and removed after (left-overs from an interrupted run are reused); a lock file keeps
two test sessions on this machine from sharing them at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

AGENT = "htrac_t_agent"
HUMAN = "htrac_t_human"
GROUP = "htrac_t_grp"
SOURCE = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")
TRUST_DIR = Path("/etc/htrac/trust.d")


def skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root to create OS users (CI runs as root)"
    for tool in ("useradd", "userdel", "runuser", "groupadd"):
        if shutil.which(tool) is None:
            return f"needs {tool}"
    if not SYSTEM_PYTHON.exists():
        return "needs /usr/bin/python3 (apt-get install python3 python3-venv)"
    return None


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


class Machine:
    """The two users, their htrac, and running commands as either of them."""

    def __init__(self, base: Path, venv: Path) -> None:
        self.base = base
        self.venv = venv

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    def run(self, user: str, *args: str, cwd: Path, input: str | None = None,
            env: dict[str, str] | None = None) -> Run:
        """`args` as `user` with a clean environment (plus `env`)."""
        base_env = {"HOME": str(self.home(user)), "LANG": "C.UTF-8",
                    "PATH": f"{self.venv / 'bin'}:/usr/bin:/bin",
                    "GIT_AUTHOR_NAME": user, "GIT_AUTHOR_EMAIL": f"{user}@htrac.invalid",
                    "GIT_COMMITTER_NAME": user, "GIT_COMMITTER_EMAIL": f"{user}@htrac.invalid",
                    "TRACKER_AUTO_SYNC_THRESHOLD": "0", "HTRAC_AUTO_SYNC_THRESHOLD": "0"}
        base_env.update(env or {})
        command = ["runuser", "-u", user, "--", "env", "-i",
                   *(f"{k}={v}" for k, v in base_env.items()), *args]
        result = subprocess.run(command, cwd=cwd, input=input, capture_output=True, text=True,
                                timeout=120)
        return Run(result.returncode, result.stdout, result.stderr)

    def htrac(self, user: str, *args: str, cwd: Path, **kwargs) -> Run:
        return self.run(user, "htrac", "--no-auto-sync", *args, cwd=cwd, **kwargs)

    def ok(self, user: str, *args: str, cwd: Path, **kwargs) -> str:
        run = self.htrac(user, *args, cwd=cwd, **kwargs)
        assert run.code == 0, f"{user}: htrac {' '.join(args)} failed ({run.code}): {run.err}"
        return run.out

    def git(self, user: str, *args: str, cwd: Path) -> str:
        run = self.run(user, "git", *args, cwd=cwd)
        assert run.code == 0, f"{user}: git {' '.join(args)}: {run.err}"
        return run.out

    def item(self, user: str, item_id: str, cwd: Path) -> dict:
        return json.loads(self.ok(user, "--json", "show", item_id, cwd=cwd))


def _sh(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True)


def create_users() -> None:
    if _sh("getent", "group", GROUP).returncode != 0:
        _sh("groupadd", GROUP)
    for user in (AGENT, HUMAN):
        if _sh("id", user).returncode != 0:
            result = _sh("useradd", "-m", "-s", "/bin/sh", user)
            assert result.returncode == 0, result.stderr
        home = Path(pwd.getpwnam(user).pw_dir)
        os.chmod(home, 0o755)
        for leftover in home.glob("htrac-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def remove_users() -> None:
    for user in (AGENT, HUMAN):
        _sh("userdel", "-r", "-f", user)
    _sh("groupdel", GROUP)


def make_venv(base: Path) -> Path:
    """A venv every user can run, with htrac installed from a readable copy of the source."""
    venv = base / "venv"
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", str(venv)], check=True,
                   capture_output=True)
    source = base / "src"
    shutil.copytree(SOURCE, source, ignore=shutil.ignore_patterns(
        ".git", "__pycache__", "*.pyc", ".pytest_cache", "benchmarks", "frontend", "node_modules"))
    result = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(source)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    return venv


class SessionLock:
    def __init__(self) -> None:
        self.handle = open("/tmp/htrac-authority-users.lock", "w")

    def __enter__(self):
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def new_base() -> Path:
    base = Path(tempfile.mkdtemp(prefix="htrac-authz-", dir="/tmp"))
    os.chmod(base, 0o755)
    return base


def trust_files_for(paths: list[Path]) -> list[Path]:
    found = []
    for path in TRUST_DIR.glob("*.yaml") if TRUST_DIR.is_dir() else []:
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(str(p) in text for p in paths):
            found.append(path)
    return found


# -- fixtures ----------------------------------------------------------------------------------

import pytest  # noqa: E402

ROOT_ENV_KEYS = ("HTRAC_CACHE_DIR",)


@pytest.fixture(scope="module")
def machine():
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    with SessionLock():
        create_users()
        base = new_base()
        try:
            yield Machine(base, make_venv(base))
        finally:
            for path in trust_files_for([base, Path(pwd.getpwnam(HUMAN).pw_dir)]):
                path.unlink()
                path.with_suffix(".baseline").unlink(missing_ok=True)
            shutil.rmtree(base, ignore_errors=True)
            remove_users()


def as_root(machine: Machine, *args: str, cwd: Path) -> Run:
    """htrac run by root (as with sudo), from this test's own interpreter."""
    import sys
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


def _mkdir_for(machine: Machine, user: str, name: str) -> Path:
    path = machine.home(user) / f"{machine.base.name}-{name}"
    path.mkdir()
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


@dataclass
class Clones:
    human: Path  # the human's clone
    agent: Path  # the agent's clone
    bare: Path
    locked: str  # an item whose status and discussion the human locked
    frozen: str  # an item the human froze


@pytest.fixture(scope="module")
def clones(machine: Machine) -> Clones:
    m = machine
    human = _mkdir_for(m, HUMAN, "proj")
    m.git(HUMAN, "init", "-q", "-b", "main", cwd=human)
    m.ok(HUMAN, "init", cwd=human)
    m.ok(HUMAN, "setup", cwd=human)
    old = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Before signing", cwd=human)
    m.ok(HUMAN, "lock", old.strip(), "priority", cwd=human)
    m.git(HUMAN, "add", "-A", cwd=human)
    m.git(HUMAN, "commit", "-q", "-m", "tracker", cwd=human)
    m.ok(HUMAN, "keys", "init", cwd=human)

    # The human alone can't write the trust root or make the agent's clone: setup says how.
    bare, agent = m.base / "proj.git", m.home(AGENT) / f"{m.base.name}-proj"
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
    return Clones(human, agent, bare, locked, frozen)


def test_setup_two_clones_signs_human_ops_and_verifies_them_on_the_agent_clone(machine, clones):
    m = machine
    log = m.ok(AGENT, "log", clones.locked, cwd=clones.agent)
    assert "sig: ed25519:" in log
    item = m.item(AGENT, clones.locked, clones.agent)
    assert {"status", "discussion", "fields.owner"} <= set(item["locked_fields"])
    assert item["discussion"][0]["by"] == "human"
    assert "problems" not in item
    assert m.item(AGENT, clones.frozen, clones.agent)["frozen"] is True
