"""Lamport clocks see the same item's ops on other branches through git, in one batch."""

from __future__ import annotations

from htrac.core.oplog import read_oplog


def clocks(tracker, item_id):
    path = tracker.agent_dir / "tracker-workspace" / ".ops" / f".{item_id}.ops"
    return [op.clock for op in read_oplog(path.read_bytes()).ops]


def test_clock_counts_ops_on_an_unmerged_branch(tmp_tracker):
    item = tmp_tracker.add("Shared")
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-qm", "create")
    tmp_tracker.git("checkout", "-qb", "feature")
    for n in range(3):
        _discuss(tmp_tracker, item, f"on feature {n}")
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-qm", "feature work")
    feature_max = max(clocks(tmp_tracker, item))
    tmp_tracker.git("checkout", "-q", "main")
    _discuss(tmp_tracker, item, "on main")
    assert clocks(tmp_tracker, item)[-1] == feature_max + 1


def test_clock_without_git_history_counts_the_file_only(tmp_path):
    from htrac.service.tracker import Tracker, init_tracker
    init_tracker(tmp_path)  # not a git repository at all
    tracker = Tracker.open(tmp_path)
    item = tracker.add(kind="work_item", title="Local")
    tracker.discuss(item.id, "one")
    assert [op.clock for op in tracker.store.read_log("workspace", item.id).ops] == [1, 2]


def _discuss(tracker, item, message):
    from htrac.service.tracker import Tracker
    Tracker.open(tracker.path).discuss(item, message)
