"""Setup's reads and writes of files in the worktree, never through a symlink.

Every path is opened from the repository root one component at a time (`store.safefs.Tree`):
each directory on the way must be a real directory of the repository's owner, the file a
regular file of theirs with one name. A `.gitattributes`, `.gitignore`, `AGENTS.md` or settings
file that an agent replaced with a symlink (to root's or the human's files) is refused, not
followed: `UnsafePath` says what was found.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from ...store.safefs import Tree, UnsafePath

__all__ = ["UnsafePath", "read_text", "append_lines", "replace_text", "directory"]


def directory(stack: ExitStack, repo: Path, rel_dir: str, *, create: bool = False) -> Tree:
    """The directory `rel_dir` of `repo`, opened safely (created, as the owner's, if asked)."""
    tree = stack.enter_context(Tree.open(repo))
    for part in [p for p in rel_dir.split("/") if p]:
        tree = stack.enter_context(tree.sub(part, create=0o755 if create else None))
    return tree


def read_text(repo: Path, rel: str) -> str | None:
    """The file's text; None when it (or its directory) does not exist."""
    parent, _, name = rel.rpartition("/")
    with ExitStack() as stack:
        try:
            tree = directory(stack, repo, parent)
        except UnsafePath as exc:
            if "No such file" in str(exc):
                return None
            raise
        data = tree.read(name)
    return None if data is None else data.decode("utf-8", "replace")


def append_lines(repo: Path, rel: str, lines: list[str], header: str | None = None) -> None:
    parent, _, name = rel.rpartition("/")
    with ExitStack() as stack:
        tree = directory(stack, repo, parent, create=True)
        data = tree.read(name)
        text = "" if data is None else data.decode("utf-8", "replace")
        prefix = "\n" if text and not text.endswith("\n") else ""
        if header and header not in text.splitlines():
            lines = [header, *lines]
        tree.append(name, (prefix + "".join(f"{line}\n" for line in lines)).encode("utf-8"))


def replace_text(repo: Path, rel: str, text: str, mode: int = 0o644) -> None:
    parent, _, name = rel.rpartition("/")
    with ExitStack() as stack:
        directory(stack, repo, parent, create=True).replace(name, text.encode("utf-8"), mode)
