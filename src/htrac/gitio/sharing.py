"""Git for setting up two users: local config, remotes, a shared bare repository, clones.

Only local (`--local`) config is ever written here, except `safe.directory`, which git reads
only from global config: the caller says so before it asks for it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .run import git


def config_get(repo: Path, key: str) -> str | None:
    result = git(repo, "config", "--get", key)
    if result is None or result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", "replace").strip()


def config_set(repo: Path, key: str, value: str) -> bool:
    result = git(repo, "config", "--local", key, value)
    return result is not None and result.returncode == 0


def git_dir(repo: Path) -> Path | None:
    result = git(repo, "rev-parse", "--absolute-git-dir")
    if result is None or result.returncode != 0:
        return None
    return Path(result.stdout.decode("utf-8", "replace").strip())


def dubious_ownership(repo: Path) -> bool:
    result = git(repo, "status", "--porcelain")
    return result is not None and b"dubious ownership" in result.stderr


def add_safe_directory(repo: Path) -> bool:
    """Writes the user's *global* git config: call only after telling the user."""
    result = git(repo, "config", "--global", "--add", "safe.directory", str(repo))
    return result is not None and result.returncode == 0


def init_bare(path: Path) -> str | None:
    """A group-shared bare repository at `path`; None on success, else git's complaint."""
    result = git(path.parent, "init", "-q", "--bare", "--shared=group", str(path))
    return _complaint(result)


def head_branch(repo: Path) -> str | None:
    result = git(repo, "symbolic-ref", "--short", "HEAD")
    if result is None or result.returncode != 0:
        return None
    return result.stdout.decode().strip()


def has_commits(repo: Path) -> bool:
    result = git(repo, "rev-parse", "--verify", "-q", "HEAD")
    return result is not None and result.returncode == 0


def push(repo: Path, remote: str, branch: str) -> str | None:
    return _complaint(git(repo, "push", "-q", "-u", remote, branch, timeout=60))


def clone_as(user: str | None, source: Path, dest: Path) -> str | None:
    """`git clone source dest`, run as `user` (needs root) or as ourselves when None."""
    command = ["git", "clone", "-q", str(source), str(dest)]
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0")
    env.pop("GIT_CONFIG_NOSYSTEM", None)
    try:
        result = subprocess.run(command, capture_output=True, timeout=120, env=env,
                                cwd=dest.parent)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return _complaint(result)


def _complaint(result) -> str | None:
    if result is None:
        return "git did not run"
    if result.returncode != 0:
        return result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:][0] \
            if result.stderr.strip() else f"git exited {result.returncode}"
    return None
