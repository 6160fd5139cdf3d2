"""Running git: bounded, quiet, never interactive."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..core.errors import HtracError

TIMEOUT = 10


def git(repo: Path, *args: str, stdin: bytes | None = None,
        timeout: float = TIMEOUT) -> subprocess.CompletedProcess[bytes] | None:
    """Run git in `repo`; None when git is missing, times out, or the directory isn't a repo."""
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        result = subprocess.run(["git", "-C", str(repo), *args], input=stdin,
                                capture_output=True, timeout=timeout, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result


def toplevel(path: Path) -> Path | None:
    result = git(path, "rev-parse", "--show-toplevel")
    if result is None or result.returncode != 0:
        return None
    return Path(result.stdout.decode("utf-8", "replace").strip())


class GitError(HtracError):
    """A git command htrac needed failed; the message carries git's own words."""


def must(repo: Path, *args: str, stdin: bytes | None = None, timeout: float = TIMEOUT) -> bytes:
    """Run git and return its stdout, or raise GitError naming the command and git's complaint."""
    result = git(repo, *args, stdin=stdin, timeout=timeout)
    if result is None:
        raise GitError(f"git {args[0]} did not run (git missing or timed out after {timeout}s)")
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:2])} failed: {said[-1] if said else 'no message'}")
    return result.stdout


def config_pairs(result: subprocess.CompletedProcess[bytes] | None) -> list[tuple[str, str]]:
    """(key, value) pairs of a `git config … --list -z` run (none if it failed), keys lowered."""
    if result is None or result.returncode != 0:
        return []
    pairs = []
    for record in result.stdout.decode("utf-8", "replace").split("\0"):
        key, _, value = record.partition("\n")
        if key:
            pairs.append((key.lower(), value))
    return pairs
