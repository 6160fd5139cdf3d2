"""Where Claude Code finds MCP servers, and htrac's entry in those files.

- A user's own `~/.claude.json` (Claude Code's "user scope": the top-level `mcpServers`). In the
  agent user's file only the agent's runtime reads it, and the server it starts runs as the
  agent, so nothing there can reach the human. When root registers the server for the agent,
  the file is read and written by a child process that has become the agent user, so a symlink
  or a swapped file in the agent's home gets it no more than the agent already has.
- The machine's `/etc/claude-code/managed-mcp.json` (root only). Once that file exists, Claude
  Code loads only the servers it names, for every user of the machine: a fixed set.
- Never the project's `.mcp.json`: an agent can edit it, and a human's runtime started in that
  worktree would run whatever it names.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
from pathlib import Path
from typing import Any

from ..core.errors import InvalidValueError
from . import claudesettings as cs

MANAGED = Path("/etc/claude-code/managed-mcp.json")
PROJECT = Path(".mcp.json")
USER_FILE = ".claude.json"
SERVER = "htrac"
_OURS = re.compile(r"\bhtrac\b.*\bmcp\b")


def user_config(user: str) -> Path:
    return Path(pwd.getpwnam(user).pw_dir) / USER_FILE


def servers(settings: dict[str, Any] | None) -> dict[str, Any]:
    found = (settings or {}).get("mcpServers")
    return found if isinstance(found, dict) else {}


def registered(settings: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The entries of `settings` that start `htrac … mcp`, by server name."""
    found = {}
    for name, entry in servers(settings).items():
        if not isinstance(entry, dict):
            continue
        args = entry.get("args") if isinstance(entry.get("args"), list) else []
        line = " ".join(str(part) for part in [entry.get("command", ""), *args])
        if _OURS.search(line):
            found[name] = entry
    return found


def with_server(settings: dict[str, Any] | None, program: str) -> dict[str, Any]:
    """`settings` plus htrac's stdio server (named `htrac`); everything else is kept."""
    merged = dict(settings or {})
    entries = dict(servers(merged))
    entries[SERVER] = {"type": "stdio", "command": program, "args": ["mcp"], "env": {}}
    merged["mcpServers"] = entries
    return merged


def program() -> str:
    """The htrac a runtime should start: this one, by absolute path (so nothing earlier on the
    runtime's PATH can stand in for it)."""
    found = shutil.which("htrac")
    return str(Path(found).absolute()) if found else "htrac"


def register(path: Path, program: str, *, as_user: str | None = None) -> bool:
    """Add htrac's server to the Claude Code file `path` unless one is there; True when written.
    With `as_user` (and when this process is root), the work is done as that user."""
    if as_user is None or pwd.getpwnam(as_user).pw_uid == os.geteuid():
        return _register(path, program)
    if os.geteuid() != 0:
        raise InvalidValueError(f"only root or {as_user} can change {path}")
    return _as_user(as_user, lambda: _register(path, program))


def _register(path: Path, program: str) -> bool:
    if os.path.isabs(program) and not os.access(program, os.X_OK):
        raise InvalidValueError(f"{pwd.getpwuid(os.geteuid()).pw_name} can't run {program}: "
                                "install htrac where every user can run it")
    settings = cs.load(path)
    if registered(settings):
        return False
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    cs.write(path, with_server(settings, program), mode=mode)
    return True


def _as_user(user: str, work) -> bool:
    """`work()` in a child process that is `user` (no other groups); its refusal comes back."""
    entry = pwd.getpwnam(user)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 3
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)
            code = 0 if work() else 1
        except BaseException as exc:  # reported to the parent, then the child ends
            message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            os.write(write_end, message.encode("utf-8", "replace")[:2000])
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        problem = pipe.read().decode("utf-8", "replace")
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise InvalidValueError(f"as {user}: {problem or f'exit status {code}'}")
    return code == 0
