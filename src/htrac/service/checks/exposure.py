"""Doctor checks: what could an agent user change that the human runs or trusts?

`.git/config` (`core.fsmonitor`, `core.pager`, aliases run code), hooks and `core.hooksPath`,
the textconv driver git runs on every diff, the tracker's config, its PID and runtime files,
and the trust root. In an agent's own clone nothing is run by the human, so only the trust root
is looked at there.
"""

from __future__ import annotations

import pwd
import shlex
from collections.abc import Iterator
from pathlib import Path

from ...core.errors import HtracError
from ...gitio import sharing
from ...policy.exposure import agent_users, can_write
from . import ERROR, OK, CheckContext, Result


def agent_writable(ctx: CheckContext) -> Iterator[Result]:
    from ..tracker import Tracker
    try:
        tracker = Tracker.open(start=ctx.repo)
    except HtracError:
        return
    agents = agent_users(tracker.config.governance.agent_usernames)
    if not agents:
        yield Result("agent_writable", OK, "no agent user accounts on this machine")
        return
    root = tracker.authority.trust_root if tracker.authority else None
    paths = [root.path, root.path.parent] if root else []
    owner = _owner(ctx.repo)
    if owner in {a.name for a in agents}:
        note = "this is an agent's clone: nothing here runs as the human"
    else:
        paths += _human_run_paths(ctx.repo, tracker.layout.root)
        note = ""
    found = 0
    for path in paths:
        for agent in agents:
            how = can_write(agent, path)
            if how:
                found += 1
                yield Result("agent_writable", ERROR, f"agent user {agent.name} {how}: {path}",
                             fix=_fix(path, how))
    if not found:
        yield Result("agent_writable", OK, note or f"nothing the human runs is writable by "
                     f"{', '.join(a.name for a in agents)} ({len(paths)} path(s) checked)")


def _human_run_paths(repo: Path, agent_dir: Path) -> list[Path]:
    paths: list[Path] = []
    git_dir = sharing.git_dir(repo)
    if git_dir is not None:
        paths += [git_dir, git_dir / "config", git_dir / "hooks"]
        paths += sorted((git_dir / "hooks").glob("*"))
    hooks_path = sharing.config_get(repo, "core.hooksPath")
    if hooks_path:
        target = (repo / hooks_path) if not Path(hooks_path).is_absolute() else Path(hooks_path)
        paths += [target, *sorted(target.glob("*"))] if target.is_dir() else [target]
    textconv = sharing.config_get(repo, "diff.tracker.textconv")
    if textconv:
        try:
            program = Path(shlex.split(textconv)[0])
        except (ValueError, IndexError):
            program = Path(textconv.split()[0] if textconv.split() else ".")
        if "/" in str(program):
            paths.append(program if program.is_absolute() else repo / program)
    tracker_dir = agent_dir / "tracker"
    paths += [agent_dir, tracker_dir, tracker_dir / "config.yaml",
              tracker_dir / "config.yaml.template", *sorted(agent_dir.glob("*.pid"))]
    return [p for p in dict.fromkeys(paths) if p.exists() or p.is_symlink()]


def _owner(path: Path) -> str:
    try:
        return pwd.getpwuid(path.stat().st_uid).pw_name
    except (KeyError, OSError):
        return ""


def _fix(path: Path, how: str) -> str:
    if how.startswith("may replace"):
        return f"chmod go-w {path.parent}  (and chown it to the human if an agent owns it)"
    return f"sudo chown $(id -un): {path} && chmod go-w {path}"


CHECKS = [agent_writable]
