"""Git for setting up two users: local config, remotes, a shared bare repository, clones.

Only local (`--local`) config is ever written here, except `safe.directory`, which git reads
only from global config: the caller says so before it asks for it.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path

from .run import config_pairs, git


def _read(repo: Path, *args: str):
    """Read-only plumbing (nothing here runs hooks, fsmonitor or drivers), so root may read a
    repository another user owns without trusting it globally."""
    if os.geteuid() == 0:
        args = ("-c", f"safe.directory={repo}", *args)
    return git(repo, *args)


def config_get(repo: Path, key: str) -> str | None:
    result = _read(repo, "config", "--get", key)
    if result is None or result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", "replace").strip()


def config_file_list(path: Path) -> list[tuple[str, str]]:
    """(key, value) of the config file `path` and the files it includes; read as a file, so
    nothing of the repository around it is trusted or run."""
    return config_pairs(git(path.parent, "config", "--file", str(path), "--includes", "--list",
                            "-z"))


def config_set(repo: Path, key: str, value: str, *, as_user: str | None = None) -> bool:
    return run_as(as_user, repo, "config", "--local", key, value) is None


def git_dir(repo: Path) -> Path | None:
    result = _read(repo, "rev-parse", "--absolute-git-dir")
    if result is None or result.returncode != 0:
        return None
    return Path(result.stdout.decode("utf-8", "replace").strip())


def is_repository(path: Path) -> bool:
    """Is `path` inside a git worktree (one git may refuse as someone else's included)?"""
    result = git(path, "rev-parse", "--git-dir")
    if result is None:
        return False
    return result.returncode == 0 or b"dubious ownership" in result.stderr


def dubious_ownership(repo: Path) -> bool:
    result = git(repo, "status", "--porcelain")
    return result is not None and b"dubious ownership" in result.stderr


def add_safe_directory(repo: Path) -> bool:
    """Writes the user's *global* git config: call only after telling the user."""
    result = git(repo, "config", "--global", "--add", "safe.directory", str(repo))
    return result is not None and result.returncode == 0


def init_bare(path: Path, branch: str | None = None) -> str | None:
    """A group-shared bare repository at `path` whose default branch is `branch`; None on
    success, else git's complaint."""
    initial = ["--initial-branch", branch] if branch else []
    result = git(path.parent, "init", "-q", "--bare", "--shared=group", *initial, str(path))
    return _complaint(result)


def head_branch(repo: Path) -> str | None:
    result = _read(repo, "symbolic-ref", "--short", "HEAD")
    if result is None or result.returncode != 0:
        return None
    return result.stdout.decode().strip()


def has_commits(repo: Path) -> bool:
    result = _read(repo, "rev-parse", "--verify", "-q", "HEAD")
    return result is not None and result.returncode == 0


def push(repo: Path, remote: str, branch: str, *, as_user: str | None = None) -> str | None:
    return run_as(as_user, repo, "push", "-q", "-u", remote, branch)


def clone_as(user: str | None, source: Path, dest: Path) -> str | None:
    """`git clone source dest`, run as `user` (needs root) or as ourselves when None."""
    return run_as(user, dest.parent, "clone", "-q", str(source), str(dest))


def run_as(user: str | None, repo: Path, *args: str) -> str | None:
    """Run git in `repo` as `user` (root only; None: as ourselves) so that the files it
    writes keep their owner. None on success, else git's complaint."""
    if user is None:
        return _complaint(git(repo, *args, timeout=120))
    entry = pwd.getpwnam(user)
    command = ["runuser", "-u", user, "--", "env", "-i", f"HOME={entry.pw_dir}",
               f"PATH={os.environ.get('PATH', '/usr/bin:/bin')}", "GIT_TERMINAL_PROMPT=0",
               "git", "-C", str(repo), *args]
    try:
        result = subprocess.run(command, capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return _complaint(result)


def _complaint(result) -> str | None:
    if result is None:
        return "git did not run"
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
        return (fatal or lines or [f"git exited {result.returncode}"])[0]
    return None


def global_values(user: str, key: str) -> list[str]:
    """Every value of `key` in `user`'s global git config (root only)."""
    entry = pwd.getpwnam(user)
    command = ["runuser", "-u", user, "--", "env", "-i", f"HOME={entry.pw_dir}",
               "git", "config", "--global", "--get-all", key]
    try:
        result = subprocess.run(command, capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return result.stdout.decode("utf-8", "replace").split("\n")
