"""What a repository needs from git for htrac: attributes, the diff driver, the pre-commit hook.

The names and lines are the reference's, so a team mixing htrac and hypergumbo-tracker clones
merges and diffs the same way: `merge=union` (git's line union combines two branches' appends;
the per-line nonce tags keep ops apart) and the `tracker` diff driver (textconv).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .run import git, must

OPS_PATTERNS = (".agent/tracker/.ops/.*.ops", ".agent/tracker-workspace/.ops/.*.ops")
ROOT_ATTRIBUTES = tuple(f"{p:<39}linguist-generated  merge=union  diff=tracker"
                        for p in OPS_PATTERNS)
OPS_DIR_ATTRIBUTES = ("*.ops merge=union", "*.ops diff=tracker")
IGNORE_HEADER = "# Tracker ephemeral files"
ROOT_IGNORES = (
    ".agent/.cache-*.db", ".agent/.sync-logs/", ".agent/htrac-serve.pid",
    ".agent/screenshots/", ".agent/tracker-workspace/tui_preferences.json",
)
TEXTCONV_KEY = "diff.tracker.textconv"
CACHE_KEY = "diff.tracker.cachetextconv"
HOOK_COMMAND = "htrac validate --staged --check-locks --strict"
HOOK_SCRIPT = f"""#!/bin/sh
# htrac pre-commit hook: refuse a commit whose staged ops files break the tracker's rules
# (malformed ops, agent ops on locked fields, removed or rewritten ops). Installed by
# `htrac setup`; the same script ships in htrac's githooks/ directory.
if command -v htrac >/dev/null 2>&1; then
    exec {HOOK_COMMAND}
fi
echo "htrac pre-commit: 'htrac' is not on PATH; install it (pip install htrac) to commit" >&2
exit 1
"""


def missing_lines(path: Path, wanted: tuple[str, ...]) -> list[str]:
    try:
        present = {line.rstrip() for line in path.read_text(encoding="utf-8").splitlines()}
    except FileNotFoundError:
        present = set()
    return [line for line in wanted if line not in present]


def append_lines(path: Path, lines: list[str], header: str | None = None) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    if text and not text.endswith("\n"):
        text += "\n"
    if header and header not in text.splitlines():
        lines = [header, *lines]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "".join(f"{line}\n" for line in lines), encoding="utf-8")


def local_config(repo: Path, key: str) -> str | None:
    result = git(repo, "config", "--local", "--get", key)
    if result is None or result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", "replace").strip()


def set_local_config(repo: Path, key: str, value: str) -> None:
    must(repo, "config", "--local", key, value)


def textconv_command() -> str:
    """The command git runs once per blob: this interpreter running the driver module directly
    (an absolute path skips PATH lookups and version-manager shims, and the module skips the
    CLI's imports — together most of the per-blob cost)."""
    return f"'{sys.executable}' -m htrac.service.textconv"


def is_textconv_ours(value: str) -> bool:
    """htrac's driver or the reference's (both print the compiled item) — and nothing more:
    git runs this through the shell, so a value that chains another command is not ours."""
    if any(c in value for c in ";&|`$()<>\n"):
        return False
    return value.rstrip().endswith("textconv") and ("htrac" in value or "tracker" in value)


def hooks_dir(repo: Path) -> Path:
    """Where git looks for hooks here (honours core.hooksPath)."""
    out = must(repo, "rev-parse", "--git-path", "hooks").decode().strip()
    path = Path(out)
    return path if path.is_absolute() else repo / path


def hook_calls_htrac(text: str) -> bool:
    return ("htrac" in text or "tracker" in text) and "validate" in text
