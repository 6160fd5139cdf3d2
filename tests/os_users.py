"""Real OS users for tests: an agent and a human, and an htrac both can run.

Root's Python lives in /root, which other users can't traverse, so htrac is installed for them
into a virtual environment of Debian's /usr/bin/python3 under /tmp — one per version of the
source, shared by every test module, parallel worker and session that tests that version. The
users are created for each module and removed after (left-overs from an interrupted run are
reused); a lock file keeps two modules (two workers, two sessions) on this machine from using
them, or the machine-wide trust root, at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

AGENT = "htrac_t_agent"
HUMAN = "htrac_t_human"
GROUP = "htrac_t_grp"
SOURCE = Path(__file__).resolve().parents[1]
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


VENVS = Path("/tmp/htrac-test-venvs")
KEEP_VENVS_FOR = 24 * 3600  # a build nobody used for this long belongs to no running session
_IGNORED = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", ".pytest_cache", "benchmarks",
                                  "frontend", "node_modules", "tests", "docs")


def source_digest() -> str:
    """What the users' htrac is built from: every file pip would install from, by content."""
    digest = hashlib.sha256()
    for path in sorted([SOURCE / "pyproject.toml", SOURCE / "config.yaml.template",
                        *(SOURCE / "src").rglob("*")]):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(SOURCE)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def shared_venv() -> Path:
    """A venv every user can run, with this source's htrac installed — built once per version of
    the source and reused by every module, worker and session that tests that version (building
    one takes most of a minute). Built under a lock; `.complete` marks a finished build."""
    VENVS.mkdir(mode=0o755, exist_ok=True)
    os.chmod(VENVS, 0o755)
    venv = VENVS / source_digest()
    with open(VENVS / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / ".complete").exists():
            shutil.rmtree(venv, ignore_errors=True)  # a build cut short
            _build_venv(venv)
            (venv / ".complete").touch()
        os.utime(venv / ".complete")  # in use: not pruned
        _prune(keep=venv)
    return venv


def _build_venv(venv: Path) -> None:
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", str(venv)], check=True,
                   capture_output=True)
    source = Path(tempfile.mkdtemp(prefix="htrac-src-", dir="/tmp"))
    try:
        shutil.copytree(SOURCE, source / "htrac", ignore=_IGNORED)
        result = subprocess.run([str(venv / "bin" / "pip"), "install", "-q",
                                 str(source / "htrac")], capture_output=True, text=True,
                                timeout=900)
        assert result.returncode == 0, result.stderr[-2000:]
    finally:
        shutil.rmtree(source, ignore_errors=True)


def _prune(keep: Path) -> None:
    for other in VENVS.iterdir():
        marker = other / ".complete"
        if other != keep and other.is_dir() and marker.exists() \
                and time.time() - marker.stat().st_mtime > KEEP_VENVS_FOR:
            shutil.rmtree(other, ignore_errors=True)


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


def install_trust_file(path: Path, text: str) -> None:
    """Write a trust file as setup does: whole or not at all (a temporary file renamed into
    place). Every htrac command on the machine reads the trust directory, and one that reads a
    half-written file stops with its error, as it must (fail closed) — so a test that wrote in
    place failed other tests running beside it."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def trust_files_for(paths: list[Path]) -> list[Path]:
    found = []
    for path in TRUST_DIR.glob("*.yaml") if TRUST_DIR.is_dir() else []:
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(str(p) in text for p in paths):
            found.append(path)
    return found


def machine_or_skip(extra_cleanup=lambda base: None):
    """The body of a module's `machine` fixture (`yield from machine_or_skip()`): the test
    users and their venv, or a skip that says why they can't be made here."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    with provisioned(extra_cleanup) as machine:
        yield machine


@contextmanager
def provisioned(extra_cleanup=lambda base: None):
    """The test users and a venv they can run, for one test module; removed afterwards."""
    venv = shared_venv()
    with SessionLock():
        create_users()
        base = new_base()
        try:
            yield Machine(base, venv)
        finally:
            extra_cleanup(base)
            shutil.rmtree(base, ignore_errors=True)
            remove_users()
