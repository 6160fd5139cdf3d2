"""Claude Code settings files and htrac's hooks in them.

Claude Code reads hooks from several settings files; the machine-wide managed settings
(`/etc/claude-code/managed-settings.json` on Linux) override the others and only root can change
them, so hooks there are the ones an agent user cannot remove. The project's
`.claude/settings.json` is the fallback. Installing merges htrac's two entries into whatever
the file already holds and never rewrites a file that is not valid JSON.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from ..core.errors import InvalidValueError

MANAGED_SETTINGS = Path("/etc/claude-code/managed-settings.json")
PROJECT_SETTINGS = Path(".claude") / "settings.json"
LOCAL_SETTINGS = Path(".claude") / "settings.local.json"
TIMEOUT = 30  # seconds; both hooks answer in well under one
# Claude Code event -> the htrac subcommand that answers it
EVENTS = {"Stop": "hook stop", "SessionStart": "hook session-start"}
_OURS = {event: re.compile(r"\bhtrac\b.*\b" + r"\s+".join(map(re.escape, cmd.split())) + r"\b")
         for event, cmd in EVENTS.items()}


def load(path: Path) -> dict[str, Any] | None:
    """The settings in `path`; None when there is no such file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidValueError(f"cannot read {path}: {exc}") from None
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise InvalidValueError(f"{path} is not valid JSON ({exc}); repair it by hand") from None
    if not isinstance(data, dict):
        raise InvalidValueError(f"{path} must hold a JSON object; repair it by hand")
    return data


def installed(settings: dict[str, Any] | None) -> set[str]:
    """The events for which `settings` already runs htrac's hook."""
    found: set[str] = set()
    hooks = (settings or {}).get("hooks")
    if not isinstance(hooks, dict):
        return found
    for event, pattern in _OURS.items():
        for group in hooks.get(event) or []:
            for hook in (group.get("hooks") or []) if isinstance(group, dict) else []:
                command = hook.get("command") if isinstance(hook, dict) else None
                if isinstance(command, str) and pattern.search(command):
                    found.add(event)
    return found


def with_hooks(settings: dict[str, Any] | None, program: str) -> dict[str, Any]:
    """`settings` plus htrac's hooks for every event that lacks one; other entries are kept."""
    merged = json.loads(json.dumps(settings or {}))
    hooks = merged.get("hooks")
    if not isinstance(hooks, dict):
        hooks = merged["hooks"] = {}
    have = installed(merged)
    for event, command in EVENTS.items():
        if event in have:
            continue
        groups = hooks.get(event)
        if not isinstance(groups, list):
            groups = hooks[event] = []
        groups.append({"hooks": [{"type": "command", "command": f"{program} {command}",
                                  "timeout": TIMEOUT}]})
    return merged


def dumps(settings: dict[str, Any]) -> str:
    return json.dumps(settings, indent=2) + "\n"


def write(path: Path, settings: dict[str, Any], *, mode: int = 0o644) -> None:
    """Replace `path` atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.htrac-{os.getpid()}")
    tmp.write_text(dumps(settings), encoding="utf-8")
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def program(absolute: bool) -> str:
    """How a hook calls htrac. In machine-wide settings: this interpreter by absolute path,
    isolated (`-I`: no PYTHONPATH, no user site, nothing from the project directory), so
    neither the agent's PATH nor its environment or home directory can stand in for htrac. In a
    project file shared through git: `htrac` by name, since each user's clone finds their own
    (that file is the agent's to edit anyway; doctor says so)."""
    if not absolute:
        return "htrac"
    from ..gitio.attributes import MODULE, python_command
    return python_command(MODULE)


def can_write(path: Path) -> bool:
    """May this process create or replace `path`?"""
    if path.exists():
        return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    return os.access(parent, os.W_OK)


def loosely_owned(path: Path) -> str:
    """Why someone other than root could change `path`; "" when only root can."""
    for node in (path, path.parent):
        try:
            info = node.stat()
        except OSError:
            continue
        if info.st_uid != 0:
            return f"{node} is not owned by root"
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return f"{node} is writable by group or others"
    return ""
