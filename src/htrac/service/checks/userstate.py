"""Doctor checks for what a reader trusts besides the ops themselves: this user's private
directories (the index cache, aliases, keys), ops files with several names (a write through a
hard link elsewhere is unseen by the watcher), ops files group-writable in a private clone,
and which trust root governs a tracker that no trust file names by path.

Only reports: `setup` has nothing to repair here (a directory another user made is theirs to
remove, and htrac never rewrites an ops file it did not append to)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator

from ...core.errors import HtracError, UnsafePathError
from ...store.layout import COMMITTED_TIERS, TIERS, Layout
from . import ERROR, OK, WARN, CheckContext, Result


def private_dirs(ctx: CheckContext) -> Iterator[Result]:
    from ...policy import keys
    from ...store.aliases import cache_dir

    layout = Layout(ctx.repo / ".agent")
    for what, find in (("cache directory", lambda: cache_dir(layout.root)),
                       ("key directory", lambda: _key_dir(keys))):
        try:
            path = find()
        except UnsafePathError as exc:
            text, _, fix = str(exc).partition("; fix: ")
            yield Result("private_dirs", ERROR, text, fix=fix or "see the message")
            continue
        if path is not None:
            yield Result("private_dirs", OK, f"your {what} {path} is yours alone (0700)")


def _key_dir(keys):
    from ...store.private import private_dir

    directory = keys.key_dir()
    if not directory.exists():
        return None
    return private_dir(directory, what="your key directory")


def ops_files(ctx: CheckContext) -> Iterator[Result]:
    layout = Layout(ctx.repo / ".agent")
    linked, loose = [], []
    for tier in TIERS:
        directory = layout.ops_dir(tier)
        try:
            shared = os.stat(directory).st_mode & stat.S_IWGRP
        except OSError:
            continue
        for item_id in layout.item_ids(tier):
            path = layout.item_path(tier, item_id)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
                linked.append(path)
            if tier in COMMITTED_TIERS and not shared and info.st_mode & 0o022 \
                    and info.st_uid == os.getuid():
                loose.append(path)
    if linked:
        yield Result("ops_links", WARN, f"{len(linked)} ops file(s) have other names (hard "
                     "links): whoever holds another name can change them where no watcher "
                     "looks; htrac reads them again every time",
                     fix="; ".join(f"cp -p {p} {p}.new && mv {p}.new {p}" for p in linked[:3]),
                     details=tuple(str(p) for p in linked[:20]))
    else:
        yield Result("ops_links", OK, "no ops file has a second name")
    if loose:
        yield Result("ops_modes", WARN, f"{len(loose)} ops file(s) are writable by group or "
                     "others in a directory that isn't shared", fix="chmod go-w " +
                     " ".join(str(p) for p in loose[:10]), details=tuple(map(str, loose[:20])))


def governed_copy(ctx: CheckContext) -> Iterator[Result]:
    """Say so when a trust root governs this tracker by the ops its keys signed, not by path:
    a copy, a clone or a linked worktree the trust file doesn't list."""
    from ...policy import trustroot
    from ..governance import worktrees
    from ..tracker import Tracker

    try:
        tracker = Tracker.open(start=ctx.repo)
    except HtracError:
        return
    root = tracker.authority.trust_root if tracker.authority else None
    if root is None or trustroot.find(worktrees(tracker.layout)) is not None:
        return
    yield Result("governed_copy", WARN, f"no trust file lists {ctx.repo}, but it holds ops "
                 f"signed by a key the trust root {root.path} trusts: that trust root governs "
                 "it (a copy, clone or worktree of a governed repository)",
                 fix=f"nothing, if it is one; to list it: sudo htrac setup --root {ctx.repo}")


CHECKS = [private_dirs, ops_files, governed_copy]
