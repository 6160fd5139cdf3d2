"""Setup checks for where things are: tracker directories, and the two-user layouts.

Two users (DESIGN, "Two OS users"), chosen with `setup --agent-user A --layout clones|shared`:

- `clones` (recommended): a group-shared bare repository both users push to and pull from, the
  human's clone (this one) with it as `origin`, and the agent's own clone, owned by the agent.
  Nothing the human executes is writable by the agent.
- `shared`: one worktree; only the ops directories are made group-writable (setgid, so new
  files keep the group). `.git` stays the human's: the agent appends ops and the human commits.
"""

from __future__ import annotations

import grp
import os
import pwd
import subprocess
from collections.abc import Iterator
from pathlib import Path

from ...gitio import sharing
from ...store.layout import Layout
from ...store.safefs import UnsafePath
from . import ERROR, FIXED, OK, WARN, CheckContext, Result


def git_repo(ctx: CheckContext) -> Iterator[Result]:
    if sharing.is_repository(ctx.repo):
        yield Result("git_repo", OK, f"{ctx.repo} is a git repository")
        return
    done = "; setup changed nothing" if ctx.fix else ""
    yield Result("git_repo", ERROR, f"{ctx.repo} is not in a git repository: htrac keeps items "
                 f"in git (merges, the pre-commit hook, sync){done}",
                 fix=f"git init {ctx.repo}, then htrac setup", fatal=True)


def tracker_dirs(ctx: CheckContext) -> Iterator[Result]:
    from ..tracker import init_tracker

    layout = Layout(ctx.repo / ".agent")
    missing = [t for t in ("canonical", "workspace", "stealth") if not layout.ops_dir(t).is_dir()]
    if not missing:
        yield Result("tracker_dirs", OK, "tracker directories present")
    elif not ctx.writes_worktree:
        yield Result("tracker_dirs", ERROR, f"missing tracker directories: {', '.join(missing)}",
                     fix=ctx.setup_command)
    else:
        try:
            init_tracker(ctx.repo)
        except UnsafePath as exc:
            yield Result("tracker_dirs", ERROR, f"refused: {exc}",
                         fix="look at it, move it aside, then htrac setup")
            return
        yield Result("tracker_dirs", FIXED, f"created {layout.root}")


def safe_directory(ctx: CheckContext) -> Iterator[Result]:
    if not sharing.is_repository(ctx.repo):
        return  # git_repo says so; there is nothing for git to trust
    if os.geteuid() == 0 and ctx.repo.stat().st_uid != 0:
        yield Result("safe_directory", OK, "running as root in another user's repository: "
                     "not trusting it (its hooks and fsmonitor would run as root)")
        return
    if not sharing.dubious_ownership(ctx.repo):
        yield Result("safe_directory", OK, "git trusts this repository for you")
    elif not ctx.fix:
        yield Result("safe_directory", ERROR, "git refuses this repository (dubious ownership)",
                     fix=f"git config --global --add safe.directory {ctx.repo}")
    elif sharing.add_safe_directory(ctx.repo):
        yield Result("safe_directory", FIXED, f"added {ctx.repo} to safe.directory in YOUR "
                     "GLOBAL git config (~/.gitconfig): git refused it as owned by another user")
    else:
        yield Result("safe_directory", ERROR, "could not add safe.directory",
                     fix=f"git config --global --add safe.directory {ctx.repo}")


def two_users(ctx: CheckContext) -> Iterator[Result]:
    layout = ctx.options.get("layout")
    if not layout:
        return
    agent = ctx.options.get("agent_user")
    if not agent or not _exists(agent):
        yield Result("two_users", ERROR, f"agent user {agent!r} does not exist",
                     fix="sudo useradd -m <name>_agent, then htrac setup --agent-user <name>")
        return
    group = ctx.options.get("group") or _group_of(ctx.repo)
    yield from _membership(ctx, agent, group)
    if layout == "shared":
        yield from _shared(ctx, group)
    else:
        yield from _clones(ctx, agent, group)


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _group_of(path: Path) -> str:
    return grp.getgrgid(path.stat().st_gid).gr_name


def _membership(ctx: CheckContext, agent: str, group: str) -> Iterator[Result]:
    try:
        members = grp.getgrnam(group).gr_mem
    except KeyError:
        if not (ctx.fix and _run(["groupadd", group])):
            yield Result("group", ERROR, f"group {group!r} does not exist",
                         fix=f"sudo groupadd {group}")
            return
        members = []
        yield Result("group", FIXED, f"created group {group}")
    human = ctx.options.get("human_user")
    for name in [n for n in (agent, human) if n]:
        if name in members or pwd.getpwnam(name).pw_gid == grp.getgrnam(group).gr_gid:
            yield Result("group", OK, f"{name} is in group {group}")
        elif ctx.fix and _run(["usermod", "-a", "-G", group, name]):
            yield Result("group", FIXED, f"added {name} to group {group}")
        else:
            yield Result("group", ERROR, f"{name} is not in group {group}",
                         fix=f"sudo usermod -a -G {group} {name}")


def _shared(ctx: CheckContext, group: str) -> Iterator[Result]:
    from .shared import share
    yield from share(ctx, grp.getgrnam(group).gr_gid, group)
    yield from _agent_trusts(ctx, ctx.repo)
    yield Result("shared_git", WARN, "shared worktree: the agent can append ops but must not "
                 "commit (.git stays yours, so no agent-planted hook or config runs as you)",
                 fix="prefer 'htrac setup --layout clones': separate clones, shared bare repo")


def _agent_trusts(ctx: CheckContext, path: Path) -> Iterator[Result]:
    """The agent's git must accept `path`, which the human owns (git's safe.directory)."""
    agent = ctx.options["agent_user"]
    if os.geteuid() != 0:
        return
    if str(path) in sharing.global_values(agent, "safe.directory"):
        yield Result("agent_safe_directory", OK, f"{agent}'s git trusts {path}")
    elif ctx.fix and sharing.run_as(agent, path, "config", "--global", "--add",
                                    "safe.directory", str(path)) is None:
        yield Result("agent_safe_directory", FIXED, f"added {path} to safe.directory in "
                     f"{agent}'s GLOBAL git config (~{agent}/.gitconfig): it is owned by the human")
    else:
        yield Result("agent_safe_directory", ERROR, f"{agent}'s git refuses {path}",
                     fix=f"sudo runuser -u {agent} -- git config --global --add "
                         f"safe.directory {path}")


def _clones(ctx: CheckContext, agent: str, group: str) -> Iterator[Result]:
    bare = ctx.options.get("shared_repo")
    clone = ctx.options.get("agent_clone")
    if not bare or not clone:
        yield Result("clones", ERROR, "the clones layout needs --shared-repo and --agent-clone",
                     fix="htrac setup --layout clones --agent-user A --shared-repo /srv/git/p.git"
                         " --agent-clone /home/A/p")
        return
    bare, clone = Path(bare).absolute(), Path(clone).absolute()
    yield from _bare(ctx, bare, group)
    yield from _agent_trusts(ctx, bare)
    origin = sharing.config_get(ctx.repo, "remote.origin.url")
    owner = _repo_owner(ctx.repo)  # as root, git runs as the clone's owner: files keep owners
    if origin is None and ctx.fix:
        sharing.config_set(ctx.repo, "remote.origin.url", str(bare), as_user=owner)
        sharing.config_set(ctx.repo, "remote.origin.fetch",
                           "+refs/heads/*:refs/remotes/origin/*", as_user=owner)
        branch = sharing.head_branch(ctx.repo)
        if branch and sharing.has_commits(ctx.repo):
            sharing.push(ctx.repo, "origin", branch, as_user=owner)
        yield Result("clones", FIXED, f"origin of {ctx.repo} is now {bare}")
    elif origin != str(bare):
        yield Result("clones", WARN, f"origin of this clone is {origin}, not {bare}",
                     fix=f"git remote set-url origin {bare}")
    if clone.exists():
        yield Result("clones", OK, f"agent clone {clone} exists")
    elif not ctx.fix:
        yield Result("clones", ERROR, f"agent clone {clone} missing",
                     fix=f"sudo runuser -u {agent} -- git clone {bare} {clone}")
    else:
        problem = sharing.clone_as(agent if os.geteuid() == 0 else None, bare, clone)
        yield (Result("clones", FIXED, f"cloned {bare} to {clone} as {agent}") if problem is None
               else Result("clones", ERROR, f"could not clone as {agent}: {problem}",
                           fix=f"sudo runuser -u {agent} -- git clone {bare} {clone}"))


def _bare(ctx: CheckContext, bare: Path, group: str) -> Iterator[Result]:
    if (bare / "HEAD").is_file():
        yield Result("shared_repo", OK, f"shared bare repository {bare}")
        return
    if not ctx.fix:
        yield Result("shared_repo", ERROR, f"no shared bare repository at {bare}",
                     fix=f"git init --bare --shared=group {bare} && chgrp -R {group} {bare}")
        return
    problem = sharing.init_bare(bare, sharing.head_branch(ctx.repo))
    owner = ctx.options.get("human_user") if os.geteuid() == 0 else None
    if owner and problem is None:
        _run(["chown", "-R", owner, str(bare)])
    if problem is None and _run(["chgrp", "-R", group, str(bare)]):
        yield Result("shared_repo", FIXED, f"created {bare} (shared with group {group})")
    else:
        yield Result("shared_repo", ERROR, f"could not create {bare}: {problem}",
                     fix=f"git init --bare --shared=group {bare} && chgrp -R {group} {bare}")


def _repo_owner(repo: Path) -> str | None:
    """The user git must run as in `repo`: its owner when we are root and they are not."""
    uid = repo.stat().st_uid
    if os.geteuid() != 0 or uid == 0:
        return None
    return pwd.getpwuid(uid).pw_name


def _run(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


CHECKS = [git_repo, tracker_dirs, safe_directory, two_users]
