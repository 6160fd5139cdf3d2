"""The git steps of `htrac sync`: count pending ops lines, commit only ops files, fetch, merge
through merge=union, push. Each step either succeeds or leaves the working tree as it was:
nothing here deletes, resets or checks out an ops file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .run import GitError, git, must

NET_TIMEOUT = 120


@dataclass(frozen=True, slots=True)
class Upstream:
    remote: str
    branch: str  # the remote branch name, without refs/heads/

    def __str__(self) -> str:
        return f"{self.remote}/{self.branch}"


def current_branch(repo: Path) -> str | None:
    result = git(repo, "symbolic-ref", "-q", "--short", "HEAD")
    if result is None or result.returncode != 0:
        return None
    return result.stdout.decode().strip()


def upstream(repo: Path) -> Upstream | None:
    branch = current_branch(repo)
    if branch is None:
        return None
    found = {}
    result = git(repo, "config", "--get-regexp", rf"^branch\.{re.escape(branch)}\.(remote|merge)$")
    if result is not None and result.returncode == 0:
        for line in result.stdout.decode("utf-8", "replace").splitlines():
            key, _, value = line.partition(" ")
            found[key.rpartition(".")[2]] = value.strip()
    remote, merge = found.get("remote"), found.get("merge")
    if not remote or not merge or remote == ".":
        return None
    return Upstream(remote, merge.removeprefix("refs/heads/"))


def locate(start: Path, name: str) -> tuple[Path, Path] | None:
    """(worktree root, path of `name` in the git dir) in one git process; None outside git."""
    result = git(start, "rev-parse", "--show-toplevel", "--git-path", name)
    if result is None or result.returncode != 0:
        return None
    top, _, inside = result.stdout.decode("utf-8", "surrogateescape").strip().partition("\n")
    path = Path(inside)
    return Path(top), path if path.is_absolute() else start / path


def has_head(repo: Path) -> bool:
    result = git(repo, "rev-parse", "--verify", "-q", "HEAD")
    return result is not None and result.returncode == 0


def head(repo: Path) -> str | None:
    result = git(repo, "rev-parse", "--verify", "-q", "HEAD")
    return result.stdout.decode().strip() if result and result.returncode == 0 else None


def busy(repo: Path) -> str | None:
    """What git is in the middle of (a merge, a rebase…), when committing now would be wrong."""
    for name, what in (("MERGE_HEAD", "a merge"), ("rebase-merge", "a rebase"),
                       ("rebase-apply", "a rebase or am"), ("CHERRY_PICK_HEAD", "a cherry-pick"),
                       ("REVERT_HEAD", "a revert")):
        path = must(repo, "rev-parse", "--git-path", name).decode().strip()
        if (repo / path).exists():
            return what
    return None


def pending(repo: Path, pathspecs: list[str]) -> dict[str, int]:
    """Ops files that differ from HEAD (or are new), with the number of lines each adds."""
    lines: dict[str, int] = {}
    if has_head(repo):
        out = must(repo, "diff", "HEAD", "--numstat", "-z", "--no-renames", "--", *pathspecs)
        for record in out.decode("utf-8", "surrogateescape").split("\0"):
            added, _, rest = record.partition("\t")
            _, _, path = rest.partition("\t")
            if path:
                lines[path] = int(added) if added.isdigit() else 0
    out = must(repo, "ls-files", "-z", "--others", "--exclude-standard", "--", *pathspecs)
    for path in filter(None, out.decode("utf-8", "surrogateescape").split("\0")):
        try:
            lines[path] = (repo / path).read_bytes().count(b"\n")
        except OSError:
            lines[path] = 0
    return lines


def commit(repo: Path, pathspecs: list[str], message: str) -> None:
    """Commit the ops files under `pathspecs` and nothing else the user may have staged."""
    must(repo, "add", "-A", "--", *pathspecs)
    must(repo, "commit", "-q", "--only", "-m", message, "--", *pathspecs, timeout=300)


def fetch(repo: Path, up: Upstream) -> str:
    """Fetch the upstream branch; returns the commit it points to."""
    must(repo, "fetch", "-q", up.remote, f"refs/heads/{up.branch}", timeout=NET_TIMEOUT)
    return must(repo, "rev-parse", "FETCH_HEAD").decode().strip()


def is_ancestor(repo: Path, older: str, newer: str) -> bool:
    result = git(repo, "merge-base", "--is-ancestor", older, newer)
    return result is not None and result.returncode == 0


def merge(repo: Path, commit_sha: str, label: str) -> None:
    """Merge `commit_sha` (ops files combine through merge=union); on failure, abort the merge
    so the tree is exactly as before, and raise."""
    result = git(repo, "merge", "-q", "--no-edit", "-m", f"htrac sync: merge {label}",
                 commit_sha, timeout=300)
    if result is not None and result.returncode == 0:
        return
    said = result.stderr.decode("utf-8", "replace").strip() if result else "timed out"
    if busy(repo) == "a merge":
        git(repo, "merge", "--abort")
    raise GitError(f"merging {label} failed, merge aborted, nothing lost: "
                   f"{said.splitlines()[-1] if said else 'no message'}")


def push(repo: Path, up: Upstream) -> None:
    must(repo, "push", "-q", up.remote, f"HEAD:refs/heads/{up.branch}", timeout=NET_TIMEOUT)


def changed(repo: Path, old: str, new: str, pathspecs: list[str]) -> list[str]:
    out = must(repo, "diff", "--name-only", "-z", "--no-renames", old, new, "--", *pathspecs)
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    mode: str  # git's mode after the change ("000000" when deleted)


def incoming(repo: Path, head: str | None, commit_sha: str) -> list[Change]:
    """Every file a merge of `commit_sha` would bring: its changes since the merge base."""
    base = head
    if head:
        result = git(repo, "merge-base", head, commit_sha)
        base = result.stdout.decode().strip() if result and result.returncode == 0 else None
    if base:
        out = must(repo, "diff", "--raw", "-z", "--no-renames", "--no-abbrev", base, commit_sha)
    else:
        out = must(repo, "ls-tree", "-r", "-z", "--full-tree", commit_sha)
        return [Change(rest.partition("\t")[2], rest.split(" ")[0])
                for rest in out.decode("utf-8", "surrogateescape").split("\0") if rest]
    fields = out.decode("utf-8", "surrogateescape").split("\0")
    changes = []
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):  # a trailing "" is odd
        if meta.startswith(":"):
            changes.append(Change(path, meta[1:].split(" ")[1]))
    return changes
