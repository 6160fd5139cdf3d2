"""Lamport clocks across branches: the highest clock an item's file has on other refs.

A new op's clock is 1 + the highest clock of the item's file, counting the same path on the
configured `lamport_branches`, on HEAD and on every local branch not yet merged into HEAD (the
reference asks for branches not merged into the first of `lamport_branches`, which finds none
when that branch doesn't exist locally). Then an op written here orders after everything it
could have seen there, whichever way the branches are merged later. Two git processes in all:
one lists the unmerged branches, one `cat-file --batch` reads every blob.
"""

from __future__ import annotations

from pathlib import Path

from ..core.oplog import read_oplog
from .run import git


def max_clock_on_refs(repo: Path, rel_path: str, branches: tuple[str, ...]) -> int:
    return max((read_oplog(blob).max_clock for blob in logs_on_refs(repo, rel_path, branches)),
               default=0)


def logs_on_refs(repo: Path, rel_path: str, branches: tuple[str, ...]) -> list[bytes]:
    """The file's content on each of those refs that has it (one `cat-file --batch`)."""
    refs = list(dict.fromkeys([*branches, "HEAD", *_unmerged(repo)]))
    request = "".join(f"{ref}:{rel_path}\n" for ref in refs).encode()
    result = git(repo, "cat-file", "--batch", stdin=request)
    if result is None or result.returncode != 0:
        return []
    return _blobs(result.stdout)


def _unmerged(repo: Path) -> list[str]:
    result = git(repo, "for-each-ref", "--no-merged=HEAD", "--format=%(refname:short)",
                 "refs/heads")
    if result is None or result.returncode != 0:
        return []
    return result.stdout.decode("utf-8", "replace").split()


def _blobs(output: bytes) -> list[bytes]:
    """The blob bodies of a `cat-file --batch` answer, skipping refs that were missing."""
    blobs, pos = [], 0
    while pos < len(output):
        end = output.index(b"\n", pos)
        header = output[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            blobs.append(output[pos:pos + size])
            pos += size + 1
    return blobs
