"""Setup/doctor check: is `htrac mcp` registered for Claude Code, and only where it should be.

Options read from `CheckContext.options`:
- `mcp`: `auto` (default), `user`, `managed` or `skip` — where `setup` registers the server.
  `user` writes the agent user's own `~/.claude.json` (`--agent-user`, else yours); `auto` does
  that when `--agent-user` is given or a `confirm` callable says yes, and otherwise only
  reports; `managed` writes the machine's managed-mcp.json (root; it then fixes the set of
  servers every user of the machine gets).
- `agent_user`, `confirm`: as for the other checks.
- `claude_managed_mcp`, `claude_user_config`: other paths (tests).
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Iterator
from pathlib import Path

from ...core.errors import HtracError
from .. import claudesettings as cs
from .. import mcpconfig as mc
from . import ERROR, FIXED, OK, WARN, CheckContext, Result

NAME = "mcp_server"
MODES = ("auto", "user", "managed", "skip")


def check_mcp_server(ctx: CheckContext) -> Iterator[Result]:
    mode = ctx.options.get("mcp") or "auto"
    if mode not in MODES:
        yield Result(NAME, ERROR, f"unknown mcp option {mode!r}",
                     fix=f"use one of: {', '.join(MODES)}")
        return
    yield from _project_file(ctx.repo)
    managed = Path(ctx.options.get("claude_managed_mcp") or mc.MANAGED)
    if ctx.fix and mode != "skip":
        done = _register(ctx, mode, managed)
        if done is not None:
            yield done
            return
    yield _report(ctx, managed)


def _register(ctx: CheckContext, mode: str, managed: Path) -> Result | None:
    """Setup's part: register where `mode` says; None when there is nothing to do."""
    if mode == "managed":
        if not cs.can_write(managed):
            return Result(NAME, ERROR, f"no permission to write {managed}",
                          fix="run as root: sudo htrac setup --mcp managed")
        return _write(managed, None, f"{managed} (machine-wide: Claude Code now runs only the "
                                     "servers this file names, for every user)")
    user = ctx.options.get("agent_user") or _me()
    if mode == "auto" and not ctx.options.get("agent_user"):
        confirm = ctx.options.get("confirm")
        question = (f"Register `htrac mcp` for Claude Code in {_user_file(ctx, user)}, so your "
                    "agent can use the tracker's tools without a shell?")
        if not (callable(confirm) and confirm(question)):
            return None
    path = _user_file(ctx, user)
    return _write(path, user, f"{path} ({user}'s own Claude Code config)")


def _write(path: Path, user: str | None, where: str) -> Result:
    try:
        written = mc.register(path, mc.program(), as_user=user)
    except HtracError as exc:
        return Result(NAME, ERROR, str(exc), fix=f"fix {path}, then run htrac setup again")
    except OSError as exc:
        return Result(NAME, ERROR, f"cannot write {path}: {exc.strerror}",
                      fix="check the permissions, or run htrac setup --mcp skip")
    if not written:
        return Result(NAME, OK, f"htrac mcp is registered in {where}")
    return Result(NAME, FIXED, f"registered htrac mcp in {where}")


def _report(ctx: CheckContext, managed: Path) -> Result:
    """Doctor's part: where the server is registered, and whether that file is safe."""
    try:
        in_managed = mc.registered(cs.load(managed))
    except HtracError as exc:
        return Result(NAME, WARN, str(exc), fix=f"repair {managed} by hand")
    if in_managed:
        loose = cs.loosely_owned(managed)
        if loose:
            return Result(NAME, WARN, f"htrac mcp is registered in {managed}, but {loose}",
                          fix=f"sudo chown root:root {managed} && sudo chmod 644 {managed}")
        return Result(NAME, OK, f"htrac mcp is registered in the managed {managed}")
    users = [u for u in _users(ctx) if _registered_for(ctx, u)]
    if users:
        return Result(NAME, OK, "htrac mcp is registered in the Claude Code config of "
                                f"{', '.join(users)}")
    return Result(NAME, OK, "htrac mcp is not registered for Claude Code (optional: "
                            "sudo htrac setup --mcp user --agent-user NAME)")


def _project_file(repo: Path) -> Iterator[Result]:
    try:
        found = mc.registered(cs.load(repo / mc.PROJECT))
    except HtracError:
        return
    if found:
        yield Result(NAME, WARN, f"the project's {mc.PROJECT} starts htrac mcp "
                                 f"({', '.join(found)}): an agent can edit that file, and a "
                                 "human's Claude Code started here would run what it names",
                     fix=f"remove it from {mc.PROJECT}; register per user instead: "
                         "sudo htrac setup --mcp user --agent-user NAME")


def _users(ctx: CheckContext) -> list[str]:
    """Whose config to look in: --agent-user, the agent accounts of this tracker, and you."""
    names = [ctx.options.get("agent_user")] if ctx.options.get("agent_user") else []
    try:
        from ...policy.exposure import agent_users
        from ..tracker import Tracker
        patterns = Tracker.open(start=ctx.repo).config.governance.agent_usernames
        names += [u.name for u in agent_users(patterns)]
    except HtracError:
        pass
    names.append(_me())
    return list(dict.fromkeys(names))


def _registered_for(ctx: CheckContext, user: str) -> bool:
    try:
        return bool(mc.registered(cs.load(_user_file(ctx, user))))
    except HtracError:
        return False  # not readable from here (another user's private file)


def _user_file(ctx: CheckContext, user: str) -> Path:
    override = ctx.options.get("claude_user_config")
    return Path(override) if override else mc.user_config(user)


def _me() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


CHECKS = [check_mcp_server]
