"""Checks for `htrac setup` (which may fix) and `htrac doctor` (which only reports).

One registry, one runner, several check modules — each issue area adds its own module and lists
its checks in `MODULES`. A check returns `Result`s: `ok`, `fixed` (setup repaired it), `warn` or
`error`; every warn or error carries a copy-paste `fix`. `setup` runs each check with
`fix=True`; `doctor` with `fix=False`, so it never changes anything.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OK, FIXED, WARN, ERROR = "ok", "fixed", "warn", "error"

# Modules that define a `CHECKS` list of check functions, run in this order.
MODULES: list[str] = ["htrac.service.checks.layout", "htrac.service.checks.shared",
                      "htrac.service.checks.bare",
                      "htrac.service.checks.hooks", "htrac.service.checks.git",
                      "htrac.service.checks.authority", "htrac.service.checks.exposure",
                      "htrac.service.checks.mcp", "htrac.service.checks.links",
                      "htrac.service.checks.userstate"]


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    status: str
    message: str
    fix: str = ""
    details: tuple[str, ...] = ()
    # An error that makes every later check meaningless (not a git repository): setup stops
    # there, before it changes anything; doctor goes on reporting.
    fatal: bool = field(default=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "message": self.message,
                "fix": self.fix, "details": list(self.details)}


@dataclass
class CheckContext:
    """What a check may look at (and, when `fix` is set, change)."""

    repo: Path  # the repository (worktree) root
    fix: bool
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def foreign_owner(self) -> str | None:
        """The worktree's owner when we are root and they are not. Root then does only what
        needs root (groups, ops directory modes, the trust root, the shared repository, the
        agent's clone) and leaves the worktree's own files to their owner: written as root they
        would carry root's interpreter, and root must not write where others can swap paths."""
        import os
        import pwd
        if os.geteuid() != 0:
            return None
        try:
            uid = os.stat(self.repo).st_uid
            return pwd.getpwuid(uid).pw_name if uid != 0 else None
        except (OSError, KeyError):
            return None

    @property
    def writes_worktree(self) -> bool:
        return self.fix and self.foreign_owner is None

    @property
    def setup_command(self) -> str:
        owner = self.foreign_owner
        return f"htrac setup (as {owner}, in {self.repo})" if owner else "htrac setup"


Check = Callable[[CheckContext], Iterable[Result]]


def repository(tracker_root: Path | None, root: Path | None = None) -> Path:
    """The worktree the checks look at: `--root`, else the one holding `--tracker-root`, else
    the git worktree around the current directory (or the directory itself)."""
    from ...gitio.run import toplevel

    if root is not None:
        return root.absolute()
    if tracker_root is not None:
        return tracker_root.absolute().parent
    return (toplevel(Path.cwd()) or Path.cwd()).absolute()


def all_checks() -> list[Check]:
    checks: list[Check] = []
    for name in MODULES:
        checks.extend(importlib.import_module(name).CHECKS)
    return checks


def run(ctx: CheckContext, checks: list[Check] | None = None) -> list[Result]:
    results: list[Result] = []
    for check in checks if checks is not None else all_checks():
        for result in check(ctx):
            results.append(result)
            if ctx.fix and result.fatal and result.status == ERROR:
                return results
    return results


def summary(results: list[Result]) -> dict[str, int]:
    counts = {OK: 0, FIXED: 0, WARN: 0, ERROR: 0}
    for result in results:
        counts[result.status] += 1
    return counts
