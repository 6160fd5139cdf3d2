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


def test_clock_counts_other_branches_for_a_tracker_below_the_repository_top(tmp_repo):
    """The floor is read with paths relative to the tracker's directory (`./…`): a tracker in
    a subdirectory of the repository sees its items' ops on other branches as one at the top."""
    from htrac.service.tracker import Tracker, init_tracker
    from tests.conftest import git

    sub = tmp_repo / "project"
    sub.mkdir()
    init_tracker(sub)
    item = Tracker.open(sub).add(kind="work_item", title="Below the top")
    git(tmp_repo, "add", "-A")
    git(tmp_repo, "commit", "-qm", "create")
    git(tmp_repo, "checkout", "-qb", "feature")
    for n in range(3):
        Tracker.open(sub).discuss(item.id, f"on feature {n}")
    git(tmp_repo, "commit", "-qam", "feature work")
    path = sub / ".agent" / "tracker-workspace" / ".ops" / f".{item.id}.ops"
    feature_max = max(op.clock for op in read_oplog(path.read_bytes()).ops)
    git(tmp_repo, "checkout", "-q", "main")
    Tracker.open(sub).discuss(item.id, "on main")
    assert read_oplog(path.read_bytes()).ops[-1].clock == feature_max + 1
