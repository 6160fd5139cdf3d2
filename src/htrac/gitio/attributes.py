"""What a repository needs from git for htrac: attributes, the diff driver, the pre-commit hook.

The names and lines are the reference's, so a team mixing htrac and hypergumbo-tracker clones
merges and diffs the same way: `merge=union` (git's line union combines two branches' appends;
the per-line nonce tags keep ops apart) and the `tracker` diff driver (textconv).
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

from .run import config_pairs, git, must

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
# The hook shipped in githooks/ (for copying by hand): htrac found on PATH. What setup installs
# is `hook_script()`: the interpreter that ran setup, by absolute path, isolated.
SHIPPED_HOOK = f"""#!/bin/sh
# htrac pre-commit hook: refuse a commit whose staged ops files break the tracker's rules
# (malformed ops, agent ops on locked fields, removed or rewritten ops). Installed by
# `htrac setup`; the same script ships in htrac's githooks/ directory.
if command -v htrac >/dev/null 2>&1; then
    exec {HOOK_COMMAND}
fi
echo "htrac pre-commit: 'htrac' is not on PATH; install it (pip install htrac) to commit" >&2
exit 1
"""
MODULE = "htrac"
TEXTCONV_MODULE = "htrac.service.textconv"


def python_command(module: str, *args: str, python: str | None = None) -> str:
    """A shell command running `python -I -m module args`: the interpreter by absolute path (no
    PATH lookup) and isolated (-I: neither the working directory nor the script's, no
    PYTHONPATH, no user site), so nothing in the repository git runs it in is imported."""
    words = [python or sys.executable, "-I", "-m", module, *args]
    return " ".join(shlex.quote(w) for w in words)


def hook_script(python: str | None = None) -> str:
    """The pre-commit hook setup installs: htrac's validate, run isolated by this interpreter."""
    interpreter = shlex.quote(python or sys.executable)
    command = python_command(MODULE, *HOOK_COMMAND.split()[1:], python=python)
    return f"""#!/bin/sh
# htrac pre-commit hook: refuse a commit whose staged ops files break the tracker's rules
# (malformed ops, agent ops on locked fields, removed or rewritten ops). Installed by
# `htrac setup` for the Python that ran it, isolated (-I): nothing in the repository is imported.
if [ -x {interpreter} ]; then
    exec {command}
fi
echo "htrac pre-commit: "{interpreter}" is gone; run 'htrac setup' again to reinstall" >&2
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


def textconv_command(python: str | None = None) -> str:
    """The command git runs once per blob: the driver module, isolated (`python_command`); an
    absolute interpreter also skips PATH shims and the CLI's imports, most of the per-blob cost."""
    return python_command(TEXTCONV_MODULE, python=python)


def textconv_kind(value: str) -> str:
    """What a configured `diff.tracker.textconv` is: `isolated` (htrac's driver as setup now
    writes it), `stale` (htrac's or the reference's driver run so that it can import or run
    code from the repository: setup replaces it), or `foreign` (someone else's: left alone)."""
    if any(c in value for c in ";&|`$()<>\n"):
        return "foreign"  # git runs it through the shell: a chained command is not ours
    try:
        words = shlex.split(value)
    except ValueError:
        return "foreign"
    if (len(words) == 4 and words[1:] == ["-I", "-m", TEXTCONV_MODULE]
            and Path(words[0]).is_absolute()):
        return "isolated"
    if words and words[-2:] == ["-m", TEXTCONV_MODULE]:
        return "stale"  # htrac 0.1: `python -m` puts the working directory first
    if words in (["htrac", "textconv"], ["hypergumbo-tracker", "textconv"]):
        return "stale"  # found on PATH, run with PYTHONPATH and the user's site
    if len(words) == 1 and Path(words[0]).name == "tracker-textconv":
        return "stale"  # the reference's shim, a file in the repository
    return "foreign"


def hooks_dir(repo: Path) -> Path:
    """Where git looks for hooks here (honours core.hooksPath)."""
    out = must(repo, "rev-parse", "--git-path", "hooks").decode().strip()
    path = Path(out)
    return path if path.is_absolute() else repo / path


def hook_calls_htrac(text: str) -> bool:
    return ("htrac" in text or "tracker" in text) and "validate" in text


_ISOLATED_HOOK = re.compile(r"^\s*exec ('[^']*'|\S+) -I -m htrac validate --staged", re.M)


def hook_kind(text: str) -> str:
    """What a pre-commit hook is: `isolated` (setup's, its interpreter present), `broken`
    (setup's, its interpreter gone), `stale` (htrac 0.1's: htrac from PATH) or `foreign`."""
    found = _ISOLATED_HOOK.search(text)
    if found:
        try:
            python = shlex.split(found.group(1))[0]
        except ValueError:
            return "foreign"
        return "isolated" if os.access(python, os.X_OK) else "broken"
    return "stale" if text == SHIPPED_HOOK else "foreign"


# Config keys whose value git runs (a command line or, for hooksPath, a directory of programs).
_RUNS = re.compile(r"^(core\.(hookspath|fsmonitor|pager|editor|sshcommand|askpass|"
                   r"alternaterefscommand)|sequence\.editor|diff\.external|gpg\.(\w+\.)?program|"
                   r"(diff|merge|filter|difftool|mergetool|credential|browser|man)\..+\."
                   r"(textconv|command|driver|clean|smudge|process|cmd|helper|path)|"
                   r"credential\.helper|pager\..+|interactive\.difffilter|alias\..+|"
                   r"include\.path|includeif\..+\.path)$")


def local_config_list(repo: Path) -> list[tuple[str, str]]:
    """(key, value) of the repository's own config and the files it includes."""
    return config_pairs(git(repo, "config", "--local", "--includes", "--list", "-z"))


def runs_program(key: str, value: str) -> bool:
    """Does git config `key = value` make git run a program (or read more config)?"""
    if not _RUNS.match(key) or (key.startswith("alias.") and not value.startswith("!")):
        return False
    return not (key == "core.fsmonitor" and value.strip().lower() in ("true", "false", ""))


def runs_worktree_file(repo: Path, key: str, value: str) -> bool:
    """Does git config `key = value` make git run (or read config from) a file of `repo`'s
    working tree (outside .git)?"""
    if not runs_program(key, value):
        return False
    if key.startswith("alias."):
        value = value[1:]
    try:
        words = shlex.split(value)
    except ValueError:
        words = value.split()
    if not words:
        return False
    program = Path(words[0])
    if not program.is_absolute():
        is_path = key == "core.hookspath" or key.startswith("include")
        if "/" not in words[0] and not is_path:
            return False  # a command found on PATH
        base = repo / ".git" if key.startswith("include") else repo
        program = base / program
    top, inside = repo.resolve(), Path(os.path.abspath(program))
    return inside.is_relative_to(top) and not inside.is_relative_to(top / ".git")


def ops_paths_to_check(repo: Path) -> list[str]:
    """A made-up ops file in each committed tier (a pattern that matches only real names still
    shows) and every ops file git tracks."""
    paths = [".agent/tracker/.ops/.WI-htrac-check.ops",
             ".agent/tracker-workspace/.ops/.WI-htrac-check.ops"]
    result = git(repo, "ls-files", "-z", "--", *(p.rsplit("/", 1)[0] for p in paths))
    if result is not None and result.returncode == 0:
        paths += [p for p in result.stdout.decode("utf-8", "surrogateescape").split("\0")
                  if p.endswith(".ops")]
    return paths


def check_attr(repo: Path, path: str, names: tuple[str, ...]) -> dict[str, str]:
    """The value git applies for each attribute (`set`, `unset`, `unspecified` or the value)."""
    result = git(repo, "check-attr", "-z", *names, "--", path)
    if result is None or result.returncode != 0:
        return {}
    fields = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    return {fields[i + 1]: fields[i + 2] for i in range(0, len(fields) - 2, 3)}


def attribute_lines(repo: Path) -> list[str]:
    """Lines of the repository's attribute files that set merge or diff other than htrac's."""
    ours = {" ".join(line.split()) for line in (*ROOT_ATTRIBUTES, *OPS_DIR_ATTRIBUTES)}
    files = [".git/info/attributes"]
    result = git(repo, "ls-files", "-z", "--", ":(glob)**/.gitattributes")
    if result is not None and result.returncode == 0:
        files += [p for p in result.stdout.decode("utf-8", "surrogateescape").split("\0") if p]
    found = []
    for rel in files:
        try:
            text = (repo / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            words = line.split()
            if (words and not line.startswith("#") and " ".join(words) not in ours
                    and any(w.split("=")[0].lstrip("-!") in ("merge", "diff") for w in words[1:])):
                found.append(f"{rel}:{number}: {line.strip()}")
    return found
