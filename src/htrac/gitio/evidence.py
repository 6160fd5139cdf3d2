"""Asking git about evidence: does a cited commit exist, is it on a branch that counts, does a
cited test or pull request appear in the repository's history.

Every answer is one of `OK`, `GONE` (git answered: the thing is not there) or `UNKNOWN` (git could
not answer: no repository, git missing, a branch that doesn't exist here). Callers treat `UNKNOWN`
as not verified — a stop hook must never count an item done because git was unavailable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .run import git

OK = "ok"
GONE = "gone"
UNKNOWN = "unverifiable"
_HEX = re.compile(r"[0-9a-f]{4,64}")


@dataclass(frozen=True, slots=True)
class Answer:
    state: str
    detail: str = ""


def resolve_commit(repo: Path, prefix: str) -> str | None:
    """The full hash of the commit `prefix` names (a unique prefix of at least 4 hex digits)."""
    if not _HEX.fullmatch(prefix):
        return None
    result = git(repo, "rev-parse", "--verify", "-q", "--end-of-options", f"{prefix}^{{commit}}")
    if result is None or result.returncode != 0:
        return None
    return result.stdout.decode().strip()


def branch_tips(repo: Path, branches: tuple[str, ...]) -> dict[str, str]:
    """The commit each named local branch points at (those that exist here)."""
    tips: dict[str, str] = {}
    for branch in branches:
        result = git(repo, "rev-parse", "--verify", "-q", f"refs/heads/{branch}^{{commit}}")
        if result is not None and result.returncode == 0:
            tips[branch] = result.stdout.decode().strip()
    return tips


def commit(repo: Path, sha: str, branches: tuple[str, ...]) -> Answer:
    """Does commit `sha` exist, and — when `branches` are named — is it on one of them?"""
    found = git(repo, "cat-file", "-e", f"{sha}^{{commit}}")
    if found is None:
        return Answer(UNKNOWN, "git did not run")
    if found.returncode != 0:
        return Answer(GONE, f"commit {sha[:12]} is not in this repository")
    if not branches:
        return Answer(OK, f"commit {sha[:12]} exists")
    tips = branch_tips(repo, branches)
    if not tips:
        return Answer(UNKNOWN, f"none of the branches {', '.join(branches)} exists here")
    for branch, tip in tips.items():
        result = git(repo, "merge-base", "--is-ancestor", sha, tip)
        if result is None:
            return Answer(UNKNOWN, "git did not run")
        if result.returncode == 0:
            return Answer(OK, f"commit {sha[:12]} is on {branch}")
    return Answer(GONE, f"commit {sha[:12]} is not on {' or '.join(tips)}")


def existing_commits(repo: Path, shas: list[str]) -> set[str] | None:
    """Which of `shas` name commits here, in one git process; None when git can't answer."""
    if not shas:
        return set()
    request = "".join(f"{sha}^{{commit}}\n" for sha in shas).encode()
    result = git(repo, "cat-file", "--batch-check=%(objectname) %(objecttype)", stdin=request,
                 timeout=60)
    if result is None or result.returncode != 0:
        return None
    found = set()
    for sha, line in zip(shas, result.stdout.decode().splitlines(), strict=False):
        if line.endswith(" commit"):
            found.add(sha)
    return found


def reachable(repo: Path, tips: list[str]) -> set[str] | None:
    """Every commit reachable from `tips`, in one git process (for many commits at once: the
    history is walked once instead of once per commit); None when git can't answer."""
    result = git(repo, "rev-list", *tips, "--", timeout=120)
    if result is None or result.returncode != 0:
        return None
    return set(result.stdout.decode().split())


def test_name(repo: Path, name: str, revs: tuple[str, ...]) -> Answer:
    """Is the test `name` (its last dotted or `::` part, as a word) in the files at one of
    `revs` (the worktree's tracked files when `revs` is empty)?"""
    word = re.split(r"::|\.|/", name)[-1] or name
    targets = list(revs) or []
    args = ["grep", "-q", "-I", "-F", "-w", "-e", word]
    result = git(repo, *args, *targets, timeout=30)
    if result is None or result.returncode not in (0, 1):
        return Answer(UNKNOWN, "git grep could not search the repository")
    where = " or ".join(revs) if revs else "the working tree"
    if result.returncode == 0:
        return Answer(OK, f"test {word!r} found in {where}")
    return Answer(GONE, f"no test {word!r} in {where}")


def pull_request(repo: Path, number: str, revs: tuple[str, ...]) -> Answer:
    """Was pull request `number` merged into one of `revs` (HEAD when empty)? Forges say so in
    the commit message: `Merge pull request #N`, a squash's `(#N)`, GitLab's `!N`."""
    pattern = rf"(pull request #{number}\b|\(#{number}\)|See merge request .*!{number}\b)"
    result = git(repo, "log", "-E", "--format=%H", "-n", "1", f"--grep={pattern}",
                 *(revs or ("HEAD",)), "--", timeout=30)
    if result is None or result.returncode != 0:
        return Answer(UNKNOWN, "git log could not read the history")
    if result.stdout.strip():
        return Answer(OK, f"pull request #{number} merged in "
                          f"{result.stdout.decode().strip()[:12]}")
    return Answer(UNKNOWN, f"no commit on {' or '.join(revs or ('HEAD',))} mentions pull "
                           f"request #{number}")
