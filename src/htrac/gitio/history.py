"""Reading ops files out of git: the index, HEAD, any commit, and the commits of a range.

Paths are repository-relative POSIX paths. Blobs are read in one `cat-file --batch` per call,
so checking a staged commit or a range of history costs a handful of git processes, not one
per file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .run import GitError, git, must

STAGED = ""  # the revision part of `:<path>`: the index


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]


def has_head(repo: Path) -> bool:
    result = git(repo, "rev-parse", "--verify", "-q", "HEAD")
    return result is not None and result.returncode == 0


def merge_heads(repo: Path) -> list[str]:
    """The commits being merged into HEAD right now (MERGE_HEAD), if a merge is in progress."""
    result = git(repo, "rev-parse", "--git-path", "MERGE_HEAD")
    if result is None or result.returncode != 0:
        return []
    path = Path(result.stdout.decode().strip())
    try:
        text = (path if path.is_absolute() else repo / path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


def resolve_rev(repo: Path, rev: str) -> str:
    result = git(repo, "rev-parse", "--verify", "-q", f"{rev}^{{commit}}")
    if result is None or result.returncode != 0:
        raise GitError(f"{rev!r} is not a commit in this repository: give a branch, tag or "
                       "commit (e.g. --since origin/main)")
    return result.stdout.decode().strip()


def read_blobs(repo: Path, rev: str, paths: list[str]) -> dict[str, bytes | None]:
    """Each path's content at `rev` (STAGED for the index); None where it doesn't exist."""
    blobs = read_objects(repo, [f"{rev}:{path}" for path in paths])
    return {path: blobs[f"{rev}:{path}"] for path in paths}


def read_objects(repo: Path, specs: list[str]) -> dict[str, bytes | None]:
    """The blob each `<rev>:<path>` spec names, in one git process; None where missing."""
    if not specs:
        return {}
    request = "".join(f"{spec}\n" for spec in specs).encode()
    output = must(repo, "cat-file", "--batch", stdin=request, timeout=120)
    blobs: dict[str, bytes | None] = {}
    pos = 0
    for path in specs:
        end = output.index(b"\n", pos)
        header = output[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            blobs[path] = output[pos:pos + size]
            pos += size + 1
        else:
            blobs[path] = None
    return blobs


def staged_paths(repo: Path, pathspecs: list[str]) -> list[tuple[str, str]]:
    """(status letter, path) of each staged change under `pathspecs`; renames split in two."""
    base = ["HEAD"] if has_head(repo) else []
    out = must(repo, "diff", "--cached", "--name-status", "--no-renames", "-z", *base, "--",
               *pathspecs)
    return _name_status(out)


def changed_paths(repo: Path, old: str, new: str, pathspecs: list[str]) -> list[str]:
    out = must(repo, "diff", "--name-only", "--no-renames", "-z", old, new, "--", *pathspecs,
               timeout=60)
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def commits_between(repo: Path, since: str, until: str = "HEAD") -> list[Commit]:
    """Commits reachable from `until` but not `since`, oldest first, with their parents."""
    out = must(repo, "rev-list", "--reverse", "--parents", f"{since}..{until}", timeout=60)
    commits = []
    for line in out.decode().splitlines():
        sha, *parents = line.split()
        commits.append(Commit(sha, tuple(parents)))
    return commits


def tracked_files(repo: Path, rev: str, pathspecs: list[str]) -> list[str]:
    out = must(repo, "ls-tree", "-r", "--name-only", "-z", rev, "--", *pathspecs, timeout=60)
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def _name_status(out: bytes) -> list[tuple[str, str]]:
    parts = [p for p in out.decode("utf-8", "surrogateescape").split("\0")]
    pairs = []
    for i in range(0, len(parts) - 1, 2):
        if parts[i]:
            pairs.append((parts[i][0], parts[i + 1]))
    return pairs


def last_commit_on_or_before(repo: Path, moment: str, rev: str = "HEAD") -> str | None:
    """The newest commit reachable from `rev` whose committer date is on or before `moment`
    (an ISO date or timestamp git understands), or None when there is none."""
    out = must(repo, "rev-list", "-1", f"--before={moment}", rev, "--", timeout=60)
    sha = out.decode().strip()
    return sha or None
