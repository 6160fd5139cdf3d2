"""`reconcile`, `recover` and `migrate`: the reference's last commands, as htrac does them."""

from __future__ import annotations

import hashlib
import json

import pytest

from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from tests.conftest import TrackerRepo, git
from tests.gitio.conftest import wire_git


@pytest.fixture
def journal(tmp_path, monkeypatch):
    """The reference's journal root for these tests; journal(repo) is the repository's part."""
    root = tmp_path / "journal"
    monkeypatch.setenv("HYPERGUMBO_TRACKER_JOURNAL_ROOT", str(root))

    def of(repo: TrackerRepo):
        return root / hashlib.sha256(str(repo.path.resolve()).encode()).hexdigest()[:12]

    return of


def ops_path(repo: TrackerRepo, item_id: str, tier: str = "tracker-workspace"):
    return repo.agent_dir / tier / ".ops" / f".{item_id}.ops"


def lost_op(repo: TrackerRepo, journal, item_id: str, message: str) -> str:
    """What a failed reference sync leaves: the journal has every op (here one more than the
    worktree, which was reset), and the worktree lacks that one."""
    path = journal(repo) / ".agent" / "tracker-workspace" / ".ops" / f".{item_id}.ops"
    path.parent.mkdir(parents=True, exist_ok=True)
    op = make_op("discuss", by="human", actor="alice", clock=9, body={"message": message})
    path.write_bytes(ops_path(repo, item_id).read_bytes() + serialize_op(op).encode())
    return op.nonce


def messages(repo: TrackerRepo, item_id: str) -> list[str]:
    return [e["message"] for e in json.loads(repo.ok("--json", "show", item_id))["discussion"]]


def test_recover_restores_what_only_the_references_journal_holds(tmp_tracker, journal):
    item = tmp_tracker.add("Lost and found")
    lost_op(tmp_tracker, journal, item, "only in the journal")
    dry = tmp_tracker.ok("recover", "--dry-run")
    assert "would restore 1 op(s) on 1 item(s)" in dry and messages(tmp_tracker, item) == []
    run = tmp_tracker.htrac("recover")
    assert run.code == 0 and "deprecated" in run.err and "restored 1 op(s)" in run.out
    assert messages(tmp_tracker, item) == ["only in the journal"]
    assert "restored 0 op(s)" in tmp_tracker.ok("recover")  # nothing twice
    assert tmp_tracker.htrac("validate").code == 0


def test_recover_follows_an_item_that_moved_tier_instead_of_resurrecting_its_old_copy(
        tmp_tracker, journal):
    """The reference's defect 12: its restore recreated the stale workspace copy."""
    item = tmp_tracker.add("Promoted since")
    lost_op(tmp_tracker, journal, item, "said before the promote")
    tmp_tracker.ok("promote", item)
    tmp_tracker.ok("recover")
    assert not ops_path(tmp_tracker, item).exists()
    assert "said before the promote" in ops_path(tmp_tracker, item, "tracker").read_text()
    assert tmp_tracker.htrac("validate").code == 0  # no duplicate ID


def test_recover_leaves_a_torn_journal_tail_where_it_is(tmp_tracker, journal):
    item = tmp_tracker.add("Torn")
    lost_op(tmp_tracker, journal, item, "whole")
    path = journal(tmp_tracker) / ".agent" / "tracker-workspace" / ".ops" / f".{item}.ops"
    with path.open("a") as handle:
        handle.write("- op: discuss  # 0123456789abcdef\n  at: '2026-")
    out = tmp_tracker.ok("recover")
    assert "restored 1 op(s)" in out and "not a whole op" in out
    assert messages(tmp_tracker, item) == ["whole"]


def test_recover_without_a_journal_says_there_is_none(tmp_tracker, journal):
    assert "journal: none" in tmp_tracker.ok("recover")


@pytest.fixture
def clone_pair(tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    one = TrackerRepo(tmp_path / "one")
    one.path.mkdir()
    git(one.path, "init", "-q", "-b", "main")
    one.ok("init")
    wire_git(one.path)
    one.git("add", "-A")
    one.git("commit", "-q", "-m", "tracker")
    one.git("remote", "add", "origin", str(remote))
    one.git("push", "-q", "-u", "origin", "main")
    git(tmp_path, "clone", "-q", str(remote), "two")
    two = TrackerRepo(tmp_path / "two")
    wire_git(two.path)
    return one, two


def test_reconcile_restores_then_syncs_so_the_restored_ops_reach_the_others(clone_pair,
                                                                            journal):
    one, two = clone_pair
    item = one.add("Shared")
    one.ok("sync")
    two.ok("sync")
    lost_op(one, journal, item, "from the journal")
    assert "would restore 1" in one.ok("reconcile", "--dry-run")
    assert messages(one, item) == []
    out = one.ok("reconcile")
    assert "restored 1 op(s)" in out and "pushed to origin/main" in out
    two.ok("sync")
    assert messages(two, item) == ["from the journal"]
    run = one.htrac("reconcile", "--base-branch", "dev")
    assert run.code == 1 and "origin/main" in run.err and "check out dev" in run.err


def test_reconcile_outside_git_is_a_clear_error(tmp_path):
    import os
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "htrac", "reconcile"], cwd=tmp_path,
                         capture_output=True, text=True, env=dict(os.environ))
    assert run.returncode == 1 and run.stderr.startswith("error: ")


def test_migrate_says_what_to_run_instead(tmp_tracker, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    out = tmp_tracker.ok("migrate")
    assert "needs no migration" in out and "nothing to do" in out
    (tmp_tracker.agent_dir / "invariant-ledger.md").write_text("## INV-001: something\n")
    run = tmp_tracker.htrac("migrate", "--dry-run")
    assert run.code == 1 and "hypergumbo-tracker migrate --ledger" in run.out
    bare = tmp_path / "bare"
    bare.mkdir()
    run = TrackerRepo(bare).htrac("--json", "migrate")
    assert run.code == 1 and json.loads(run.out)["steps"][0].startswith("htrac init && htrac "
                                                                       "setup")
