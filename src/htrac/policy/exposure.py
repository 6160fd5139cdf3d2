"""Could an agent user change this file? The question `doctor` asks of everything the human
runs or trusts (hooks, git config, diff drivers, the trust root, runtime files).

A user can change a path when they own it, when its mode lets their group or everyone write
it, or when they can write the directory that holds it (then they can rename it away and put
their own in its place) — unless that directory is sticky and they own neither it nor the file.
Group membership counts primary and supplementary groups from the group database. Root is
not asked about: it can change anything.
"""

from __future__ import annotations

import fnmatch
import grp
import os
import pwd
import stat
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class User:
    name: str
    uid: int
    gids: frozenset[int]


def agent_users(patterns: tuple[str, ...]) -> list[User]:
    """Every account in the password database whose name matches the agent patterns."""
    found = []
    for entry in pwd.getpwall():
        if any(fnmatch.fnmatchcase(entry.pw_name, p) for p in patterns):
            found.append(user(entry.pw_name))
    return found


def user(name: str) -> User:
    entry = pwd.getpwnam(name)
    gids = {entry.pw_gid} | {g.gr_gid for g in grp.getgrall() if name in g.gr_mem}
    return User(name, entry.pw_uid, frozenset(gids))


def can_write(who: User, path: Path) -> str | None:
    """How `who` could change `path` (a short phrase), or None if they can't. A symlink is
    judged by who can replace it and by what it leads to (its own mode bits mean nothing)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        how = _replaces(who, path, info)
        if how:
            return how
        target = path.resolve()
        return can_write(who, target) if target != path else None
    if _writes(who, info):
        return "owns it" if info.st_uid == who.uid else "may write it (its mode allows)"
    return _replaces(who, path, info)


def _replaces(who: User, path: Path, info: os.stat_result) -> str | None:
    parent = path.parent
    try:
        pinfo = os.stat(parent)
    except OSError:
        return None
    if _writes(who, pinfo):
        sticky = pinfo.st_mode & stat.S_ISVTX
        if not sticky or who.uid in (info.st_uid, pinfo.st_uid):
            return f"may replace it (can write {parent})"
    return None


def _writes(who: User, info: os.stat_result) -> bool:
    if info.st_uid == who.uid:
        return True
    if info.st_gid in who.gids and info.st_mode & stat.S_IWGRP:
        return True
    return bool(info.st_mode & stat.S_IWOTH)
