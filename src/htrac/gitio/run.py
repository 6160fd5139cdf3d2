"""Running git: bounded, quiet, never interactive."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

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
