"""Doctor checks on the links between items: loops of isbefore or parent links."""

from __future__ import annotations

from collections.abc import Iterator

from ...core.errors import HtracError
from . import ERROR, OK, CheckContext, Result


def link_loops(ctx: CheckContext) -> Iterator[Result]:
    from ..cycles import loops
    from ..tracker import Tracker

    try:
        found = loops(Tracker.open(start=ctx.repo).store)
    except HtracError:
        return  # no tracker here: tracker_dirs says so
    if not found:
        yield Result("link_loops", OK, "no loops of isbefore or parent links")
        return
    yield Result("link_loops", ERROR, f"{len(found)} loop(s) of links: {found[0].harm}",
                 fix=found[0].fix, details=tuple(f"{loop.describe()} (fix: {loop.fix})"
                                                 for loop in found[:20]))


CHECKS = [link_loops]
