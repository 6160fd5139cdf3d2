"""The shared bare repository of the clones layout: what git runs there is the human's.

Both users push to it, so git runs `receive-pack` there as whoever pushes — the human too —
with that repository's config, its hooks and, if a `commondir` file names another repository,
that one's config and hooks. `git init --shared=group` makes all of it group-writable: an agent
could plant `hooks/post-receive` and it would run as the human on the human's next push.

So (DESIGN, Security): the directory, `config`, `hooks/`, `info/` and `objects/info/` belong to
the human and only the human can write them; `objects/` and `refs/` stay group-writable for
pushes. The repository's own directory must stay writable by the group — git creates lock files
there on every push (`HEAD.lock`) — so it gets the sticky bit (nobody but the human can rename
or delete the human's entries) and the one name git would follow to another repository,
`commondir`, is taken by a human-owned file that names the repository itself (`.`).

`setup` makes it so through verified descriptors (`store.safefs`); `doctor` inspects the
repository `setup --shared-repo` names and the human clone's `origin` when that is a local path,
and reports every program or config an agent could have planted, with the fix.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from ...gitio import sharing
from ...store.safefs import Tree, UnsafePath, describe, user_name
from . import ERROR, FIXED, OK, WARN, CheckContext, Result

NAME = "shared_repo_safety"
# path inside the bare repository -> (mode, required?): directories and files the human owns
DIRS = {"": 0o3775, "hooks": 0o2755, "info": 0o2755, "objects": 0o3775,
        "objects/info": 0o2755, "objects/pack": 0o3775, "branches": 0o2755}
FILES = {"config": 0o644, "HEAD": 0o644, "description": 0o644, "commondir": 0o644}
PROGRAM_DIRS = ("hooks", "info", "objects/info", "branches")  # every entry must be the human's
COMMONDIR = b".\n"
TRANSIENT = (".lock",)


def shared_repo_safety(ctx: CheckContext) -> Iterator[Result]:
    patterns = _agent_patterns(ctx)
    for bare in _bares(ctx):
        yield from _one(ctx, bare, patterns)


def _agent_patterns(ctx: CheckContext) -> tuple[str, ...]:
    from ...core.errors import HtracError
    from ..tracker import Tracker
    try:
        return Tracker.open(start=ctx.repo).config.governance.agent_usernames
    except HtracError:
        return ("*_agent",)


def _bares(ctx: CheckContext) -> list[Path]:
    found = []
    named = ctx.options.get("shared_repo")
    if named:
        found.append(Path(named).absolute())
    origin = sharing.config_get(ctx.repo, "remote.origin.url")
    local = _local_path(origin, ctx.repo) if origin else None
    if local is not None and (local / "HEAD").exists() and not (local / ".git").exists():
        found.append(local)
    return [p for p in dict.fromkeys(found) if p.is_dir()]


def _local_path(url: str, repo: Path) -> Path | None:
    if url.startswith("file://"):
        return Path(url[len("file://"):])
    if "://" in url or (":" in url.split("/")[0] and not url.startswith("/")):
        return None  # ssh, https, user@host:path: not a directory here
    path = Path(url)
    return path if path.is_absolute() else (repo / path)


def _one(ctx: CheckContext, bare: Path, patterns: tuple[str, ...]) -> Iterator[Result]:
    try:
        tree = Tree.open(bare)
    except UnsafePath as exc:
        yield Result(NAME, ERROR, f"shared repository: {exc}",
                     fix=f"restore {bare} as a real directory owned by the human")
        return
    with tree:
        owner = user_name(tree.owner)
        if _is_agent(ctx, tree.owner, patterns):
            yield Result(NAME, ERROR, f"{bare} belongs to agent user {owner}: everything git "
                         "runs there is the agent's", fix=f"sudo chown -R <human> {bare}")
            return
        problems = list(_inspect(tree, ctx.fix))
    loose = [p for p in problems if p[0] == ERROR and p[2].startswith("chmod")]
    for status, message, fix in problems:
        if status not in (FIXED,) and (status, message, fix) not in loose:
            yield Result(NAME, status, message, fix=fix)
    if loose:
        yield Result(NAME, ERROR, f"{bare}: {len(loose)} path(s) that git runs or reads to run "
                     "are writable by others (an agent could plant a hook or config that runs "
                     "as you on your next push)", fix=" && ".join(f for _, _, f in loose),
                     details=tuple(m for _, m, _ in loose))
    fixed = [m for status, m, _ in problems if status == FIXED]
    if fixed:
        yield Result(NAME, FIXED, f"{bare}: only {owner} can change what git runs there "
                     f"({len(fixed)} change(s))", details=tuple(fixed))
    elif not any(status == ERROR for status, _, _ in problems):
        yield Result(NAME, OK, f"{bare}: hooks, config and what git reads to run them are "
                     f"{owner}'s alone; objects and refs take the group's pushes")


def _is_agent(ctx: CheckContext, uid: int, patterns: tuple[str, ...]) -> bool:
    from fnmatch import fnmatchcase
    agent = ctx.options.get("agent_user")
    name = user_name(uid)
    return name == agent or any(fnmatchcase(name, p) for p in patterns)


def _inspect(tree: Tree, fix: bool) -> Iterator[tuple[str, str, str]]:
    """(status, message, fix) for each thing in `tree` that is not as it must be."""
    yield from _modes(tree, fix)
    yield from _commondir(tree, fix)
    for rel in PROGRAM_DIRS:
        yield from _entries(tree, rel, fix)
    yield from _top_entries(tree)
    yield from _config_programs(tree)


def _modes(tree: Tree, fix: bool) -> Iterator[tuple[str, str, str]]:
    for rel, mode in DIRS.items():
        try:
            sub = _walk(tree, rel)
        except UnsafePath as exc:
            yield ERROR, str(exc), f"move it aside and recreate it as {user_name(tree.owner)}"
            continue
        if sub is None:
            continue
        with sub if sub is not tree else _Keep(tree):
            have = stat.S_IMODE(os.fstat(sub.fd).st_mode)
            if have == mode:
                continue
            if fix:
                sub.chmod(mode)
                yield FIXED, f"{sub.path}: mode {oct(have)[2:]} -> {oct(mode)[2:]}", ""
            else:
                yield ERROR, f"{sub.path} has mode {oct(have)[2:]}: " + _why(rel, mode), \
                    f"chmod {oct(mode)[2:]} {sub.path}"
    for name, mode in FILES.items():
        info = tree.lstat(name)
        if info is None or name == "commondir":
            continue
        try:
            have = stat.S_IMODE(info.st_mode)
            if have & 0o022 == 0 and stat.S_ISREG(info.st_mode) and info.st_uid == tree.owner:
                continue
            if not fix:
                raise UnsafePath(f"{tree.path / name} is writable by others ({oct(have)[2:]})")
            tree.chmod_file(name, mode)
            yield FIXED, f"{tree.path / name}: mode {oct(have)[2:]} -> {oct(mode)[2:]}", ""
        except UnsafePath as exc:
            yield ERROR, f"{exc}: an agent could make git run anything as you", \
                _fix_entry(tree.path / name, info, tree.owner, mode)


def _why(rel: str, mode: int) -> str:
    if rel == "":
        return "the group may rename its entries (config, hooks) or add a commondir"
    if mode & 0o020:
        return "it must be sticky, so the group can't rename the human's entries"
    return "the group may put programs or config into it"


class _Keep:
    """A context manager that leaves the tree open (the top directory is closed by its owner)."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree

    def __enter__(self) -> Tree:
        return self.tree

    def __exit__(self, *exc) -> None:
        pass


def _walk(tree: Tree, rel: str) -> Tree | None:
    if not rel:
        return tree
    current, opened = tree, []
    try:
        for part in rel.split("/"):
            if current.lstat(part) is None:
                return None
            current = current.sub(part)
            opened.append(current)
        return current
    finally:
        for sub in opened[:-1]:
            sub.close()


def _commondir(tree: Tree, fix: bool) -> Iterator[tuple[str, str, str]]:
    path = tree.path / "commondir"
    info = tree.lstat("commondir")
    if info is None:
        if fix:
            tree.create("commondir", COMMONDIR)
            yield FIXED, f"{path}: reserved (names the repository itself)", ""
        else:
            yield ERROR, (f"{path} is free: anyone in the group can create it and make git "
                          "use another repository's config and hooks"), \
                f"printf '.\\n' > {path} && chmod 644 {path}"
        return
    try:
        data = tree.read("commondir")
    except UnsafePath as exc:
        yield ERROR, f"{exc}: git follows it to another repository's config and hooks", \
            _fix_entry(path, info, tree.owner, 0o644)
        return
    if data is not None and data.strip() != b".":
        yield ERROR, (f"{path} sends git to {data.decode(errors='replace').strip()!r}: its "
                      "config and hooks run there"), f"printf '.\\n' > {path}"
    elif stat.S_IMODE(info.st_mode) & 0o022:
        if fix:
            tree.chmod_file("commondir", 0o644)
            yield FIXED, f"{path}: mode -> 644", ""
        else:
            yield ERROR, f"{path} is writable by others", f"chmod 644 {path}"


def _entries(tree: Tree, rel: str, fix: bool) -> Iterator[tuple[str, str, str]]:
    """Everything in a directory of programs or config must be the human's and theirs alone."""
    try:
        sub = _walk(tree, rel)
    except UnsafePath:
        return  # reported by _modes
    if sub is None:
        return
    with sub:
        for name in sub.names():
            info = sub.lstat(name)
            if info is None:
                continue
            path = sub.path / name
            if info.st_uid != tree.owner and info.st_uid != 0:
                yield ERROR, (f"{path} was planted by {user_name(info.st_uid)} "
                              f"({describe(info)}): git may run it as whoever pushes"), \
                    f"rm -rf {path}  (read it first: it may have run already)"
            elif not stat.S_ISREG(info.st_mode):
                yield ERROR, f"{path} is {describe(info)}: git may follow it", \
                    _fix_entry(path, info, tree.owner, 0o755)
            elif info.st_mode & 0o022:
                mode = stat.S_IMODE(info.st_mode) & ~0o022
                try:
                    if not fix:
                        raise UnsafePath(f"{path} is writable by others")
                    sub.chmod_file(name, mode)
                    yield FIXED, f"{path}: mode -> {oct(mode)[2:]}", ""
                except UnsafePath as exc:
                    yield ERROR, f"{exc}: git may run it as whoever pushes", \
                        f"chmod go-w {path}"
            elif rel == "objects/info" and name in ("alternates", "http-alternates"):
                yield WARN, f"{path} makes git read objects from other repositories", \
                    f"rm {path}  (unless you put it there)"


def _top_entries(tree: Tree) -> Iterator[tuple[str, str, str]]:
    for name in tree.names():
        info = tree.lstat(name)
        if info is None or info.st_uid in (tree.owner, 0) or name.endswith(TRANSIENT):
            continue
        if name in ("packed-refs", "refs", "objects", "logs"):
            continue  # ref and object storage: the group's pushes write it
        yield WARN, (f"{tree.path / name} was created by {user_name(info.st_uid)} "
                     f"({describe(info)}): not part of a repository git made"), \
            f"rm -rf {tree.path / name}  (after reading it)"


def _config_programs(tree: Tree) -> Iterator[tuple[str, str, str]]:
    from ...gitio.attributes import runs_program
    for key, value in sharing.config_file_list(tree.path / "config"):
        if runs_program(key, value) or key in ("receive.procreceiverefs",):
            yield ERROR, (f"{tree.path / 'config'} sets {key} = {value!r}: git runs it as "
                          "whoever pushes"), \
                f"git config --file {tree.path / 'config'} --unset-all {key}"


def _fix_entry(path: Path, info: os.stat_result, owner: int, mode: int) -> str:
    if stat.S_ISLNK(info.st_mode) or info.st_uid not in (owner, 0):
        return f"rm -rf {path}  (it is {user_name(info.st_uid)}'s), then sudo htrac setup"
    return f"chmod {oct(mode)[2:]} {path}"


CHECKS = [shared_repo_safety]
