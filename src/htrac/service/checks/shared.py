"""The shared-worktree layout's permissions: the agent appends ops, and nothing else.

Only the three ops directories — whose entries the agent must create and append to — are
group-writable, and they are sticky (mode 3775: setgid so new files keep the group, sticky so
nobody but its owner can rename or delete a file: the agent can't move the human's ops file
into `stealth/` or delete it). Their parents (`.agent`, `.agent/tracker`,
`.agent/tracker-workspace`) are the human's alone: the agent can't rename a tier directory
away or put a symlink in its place. (htrac 0.1 made `tracker-workspace` group-writable; setup
takes that back.) The human's ops files become group-writable (0664) so the agent can append.

Root runs this again and again, in a tree the agent can write into. So every directory is opened
from the repository root without following a symlink, must be a real directory owned by the
repository's owner, and is changed through its descriptor; an ops file is changed only if it is
a regular file of the owner's with one name. What fails that is refused and reported with the
fix, never followed or adopted.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import ExitStack

from ...store.safefs import Tree, UnsafePath, describe, user_name
from . import ERROR, FIXED, OK, CheckContext, Result

SHARED = 0o3775  # rwxrwsr-t: the ops directories the agent appends to
PRIVATE_DIRS = (".agent", ".agent/tracker", ".agent/tracker-workspace",
                ".agent/tracker/.edit-mode", ".agent/tracker-workspace/.edit-mode")
OPS_DIRS = {".agent/tracker/.ops": True, ".agent/tracker-workspace/.ops": True,
            ".agent/tracker-workspace/stealth": False}  # -> committed to git?
OPS_FILE_MODE = 0o664
NAME = "shared_ops"


def share(ctx: CheckContext, gid: int, group: str) -> Iterator[Result]:
    try:
        top = Tree.open(ctx.repo)
    except UnsafePath as exc:
        yield Result(NAME, ERROR, f"refused: {exc}", fix=f"check {ctx.repo}")
        return
    with top:
        owner = user_name(top.owner)
        for rel in PRIVATE_DIRS:
            yield from _private(ctx, top, rel, owner)
        for rel, committed in OPS_DIRS.items():
            yield from _ops_dir(ctx, top, rel, gid, group, owner, committed)


def _open(stack: ExitStack, top: Tree, rel: str) -> Tree | None:
    tree = top
    for part in rel.split("/"):
        if tree.lstat(part) is None:
            return None
        tree = stack.enter_context(tree.sub(part))
    return tree


def _replaced(ctx: CheckContext, rel: str, exc: Exception, owner: str,
              committed: bool = True) -> Result:
    path = ctx.repo / rel
    restore = f" && git checkout -- {rel}" if committed else ""
    return Result(NAME, ERROR, f"refused: {exc}. It was replaced (setup touches only real "
                  f"directories of {owner}'s); until it is restored htrac reads the wrong "
                  "files there", fix=f"as {owner}, in {ctx.repo}: mv {rel} {rel}.replaced && "
                  f"mkdir {rel}{restore}; then run this setup again (keep {path}.replaced "
                  "to see what was put there)")


def _private(ctx: CheckContext, top: Tree, rel: str, owner: str) -> Iterator[Result]:
    with ExitStack() as stack:
        try:
            tree = _open(stack, top, rel)
        except UnsafePath as exc:
            yield _replaced(ctx, rel, exc, owner, committed=False)
            return
        if tree is None:
            return
        mode = stat.S_IMODE(os.fstat(tree.fd).st_mode)
        if not mode & 0o022:
            return
        if not ctx.fix:
            yield Result(NAME, ERROR, f"{tree.path} is group- or world-writable: the agent can "
                         "rename what is in it (a tier directory, the config) and put its own "
                         "in its place", fix=f"chmod go-w {tree.path}")
            return
        tree.chmod(mode & ~0o022)
        yield Result(NAME, FIXED, f"{tree.path}: no longer writable by the group "
                     f"({oct(mode)[2:]} -> {oct(mode & ~0o022)[2:]})")


def _ops_dir(ctx: CheckContext, top: Tree, rel: str, gid: int, group: str, owner: str,
             committed: bool) -> Iterator[Result]:
    with ExitStack() as stack:
        try:
            tree = _open(stack, top, rel)
        except UnsafePath as exc:
            yield _replaced(ctx, rel, exc, owner, committed)
            return
        if tree is None:
            yield Result(NAME, ERROR, f"{ctx.repo / rel} is missing",
                         fix=f"as {owner}, in {ctx.repo}: htrac init")
            return
        info = os.fstat(tree.fd)
        if info.st_gid == gid and stat.S_IMODE(info.st_mode) == SHARED:
            yield Result(NAME, OK, f"{tree.path} takes the agent's ops ({group}, mode 3775: "
                         "sticky, so only an owner renames or deletes a file)")
        elif not ctx.fix:
            yield Result(NAME, ERROR, f"{tree.path} is not shared with group {group} as "
                         f"3775 (it is {oct(stat.S_IMODE(info.st_mode))[2:]})",
                         fix=f"chgrp {group} {tree.path} && chmod 3775 {tree.path}")
            return
        else:
            try:
                tree.chmod(SHARED, gid)
            except OSError as exc:
                yield Result(NAME, ERROR, f"cannot share {tree.path}: {exc.strerror}",
                             fix=f"sudo chgrp {group} {tree.path} && sudo chmod 3775 {tree.path}")
                return
            yield Result(NAME, FIXED, f"{tree.path}: group {group}, mode 3775")
        yield from _ops_files(ctx, tree, gid)


def _ops_files(ctx: CheckContext, tree: Tree, gid: int) -> Iterator[Result]:
    """The owner's ops files take the agent's appends; other entries are only reported."""
    odd = []
    for name in tree.names():
        if not name.endswith(".ops"):
            continue
        info = tree.lstat(name)
        if info is None:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            what = describe(info) if not stat.S_ISREG(info.st_mode) else "a hard link"
            odd.append(f"{tree.path / name} is {what} of {user_name(info.st_uid)}'s")
            continue
        if info.st_uid != tree.owner:
            continue  # the agent's own file: the agent's to keep appendable
        if info.st_gid == gid and stat.S_IMODE(info.st_mode) == OPS_FILE_MODE:
            continue
        if not ctx.fix:
            odd.append(f"{tree.path / name} is not group-writable: the agent can't append")
            continue
        try:
            tree.chmod_file(name, OPS_FILE_MODE, gid)
        except UnsafePath as exc:
            odd.append(f"refused: {exc}")
    if odd:
        yield Result(NAME, ERROR, f"{tree.path}: {len(odd)} ops file(s) setup did not touch",
                     fix="look at each; an ops file must be a regular file (htrac doctor, "
                         "htrac validate)", details=tuple(odd[:20]))



def tier_dirs(ctx: CheckContext) -> Iterator[Result]:
    """Doctor (and setup without --layout): every tier directory a real directory of the
    repository's owner; in a shared worktree (an ops directory group-writable), the layout's
    permissions as `share` sets them."""
    if ctx.options.get("layout"):
        return  # setup --layout shared runs `share` itself
    found = False
    for rel in (*PRIVATE_DIRS[:3], *OPS_DIRS):
        path = ctx.repo / rel
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.lstat(ctx.repo).st_uid:
            found = True
            target = f" (to {os.readlink(path)})" if stat.S_ISLNK(info.st_mode) else ""
            why = UnsafePath(f"{path} is {describe(info)}{target} of {user_name(info.st_uid)}'s")
            yield _replaced(ctx, rel, why, user_name(os.lstat(ctx.repo).st_uid),
                            OPS_DIRS.get(rel, False))
    if found:
        return
    shared = [p for p in OPS_DIRS if (ctx.repo / p).is_dir()
              and os.stat(ctx.repo / p).st_mode & stat.S_IWGRP]
    if not shared:
        yield Result("tier_dirs", OK, "tier directories are real directories of the owner's")
        return
    gid = os.stat(ctx.repo / shared[0]).st_gid
    try:
        import grp
        group = grp.getgrgid(gid).gr_name
    except KeyError:
        group = str(gid)
    results = list(share(CheckContext(ctx.repo, False, ctx.options), gid, group))
    yield from (r for r in results if r.status != OK)
    if all(r.status == OK for r in results):
        yield Result(NAME, OK, f"shared worktree: only the ops directories take group {group}'s "
                     "writes, sticky; their parents are the owner's alone")


CHECKS = [tier_dirs]
