"""Fixtures for git integration tests: a tracker repository wired up as `htrac setup` does."""

from __future__ import annotations

from pathlib import Path

import pytest

from htrac.core.oplog import read_oplog
from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from htrac.service.checks import CheckContext, run
from htrac.service.checks import git as git_checks


def wire_git(repo: Path) -> None:
    """Apply setup's git checks: attributes, ignores, textconv driver, pre-commit hook."""
    results = run(CheckContext(repo, fix=True), git_checks.CHECKS)
    assert all(r.status in ("ok", "fixed") for r in results), results


def append_op(path: Path, op_type: str, body: dict, *, by: str = "agent",
              actor: str = "bot_agent", clock: int | None = None) -> str:
    """Hand-write an op onto an ops file (as a tool or a forger would); returns its nonce."""
    if clock is None:
        clock = read_oplog(path.read_bytes()).max_clock + 1
    op = make_op(op_type, by=by, actor=actor, clock=clock, body=body)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(serialize_op(op))
    return op.nonce


@pytest.fixture
def git_tracker(tmp_tracker):
    """A tracker with setup's git wiring and one committed item; `.item` and `.item_path`."""
    wire_git(tmp_tracker.path)
    tmp_tracker.item = tmp_tracker.add("Wire the sync")
    tmp_tracker.item_path = (tmp_tracker.agent_dir / "tracker-workspace" / ".ops"
                             / f".{tmp_tracker.item}.ops")
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-q", "-m", "tracker")
    return tmp_tracker
