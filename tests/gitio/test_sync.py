"""`htrac sync` and auto-sync with real clones of a local bare remote."""

from __future__ import annotations

import json

import pytest

from htrac.core.config import load_config
from htrac.core.fold import fold
from htrac.core.oplog import read_oplog
from tests.conftest import TrackerRepo, git
from tests.gitio.conftest import wire_git


@pytest.fixture(autouse=True)
def _no_auto_sync(monkeypatch):
    """Sync only when a test says so (tests that want auto-sync pass the threshold)."""
    monkeypatch.setenv("TRACKER_AUTO_SYNC_THRESHOLD", "0")


@pytest.fixture
def clones(tmp_path):
    """make(n): n clones of one bare remote, each with the tracker wired for git."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    first = TrackerRepo(tmp_path / "c0")
    first.path.mkdir()
    git(first.path, "init", "-q", "-b", "main")
    first.ok("init")
    wire_git(first.path)
    first.git("add", "-A")
    first.git("commit", "-q", "-m", "tracker")
    first.git("remote", "add", "origin", str(remote))
    first.git("push", "-q", "-u", "origin", "main")

    def make(n: int) -> list[TrackerRepo]:
        repos = [first]
        for i in range(1, n):
            git(tmp_path, "clone", "-q", str(remote), f"c{i}")
            repo = TrackerRepo(tmp_path / f"c{i}")
            wire_git(repo.path)
            repos.append(repo)
        return repos

    return make


def ops_of(repo: TrackerRepo, item_id: str):
    path = repo.agent_dir / "tracker-workspace" / ".ops" / f".{item_id}.ops"
    return read_oplog(path.read_bytes()).ops


def state(item_id: str, ops) -> dict:
    return fold(item_id, ops, load_config(None).vocabulary()).as_dict()


def test_sync_two_clones_converge_to_the_union_of_ops(clones):
    a, b = clones(2)
    first = a.add("Shared item")
    a.ok("sync")
    b.ok("sync")
    other = b.add("Only on b")
    a.ok("update", first, "--priority", "0")
    b.ok("discuss", first, "from b")
    b.ok("update", first, "--add-tag", "api")
    a.ok("sync")
    out = b.ok("sync")
    assert "arrived: 1 op(s) on 1 item(s)" in out
    a.ok("sync")
    for item_id in (first, other):
        union = {op.nonce: op for repo in (a, b) for op in ops_of(repo, item_id)}
        for repo in (a, b):
            assert state(item_id, ops_of(repo, item_id)) == state(item_id, list(union.values()))
    assert json.loads(a.ok("--json", "show", first))["tags"] == ["api"]


def test_sync_commits_only_ops_files(clones):
    a, = clones(1)
    a.add("An item")
    (a.path / "notes.txt").write_text("work in progress\n")
    a.git("add", "notes.txt")
    a.ok("sync")
    assert "notes.txt" not in a.git("show", "--name-only", "HEAD")
    assert a.git("diff", "--cached", "--name-only").split() == ["notes.txt"]


def test_sync_with_unreachable_remote_loses_nothing(clones, tmp_path):
    a, = clones(1)
    item_id = a.add("Precious")
    a.ok("discuss", item_id, "do not lose me")
    before = ops_of(a, item_id)
    a.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
    failed = a.htrac("sync")
    assert failed.code == 1 and failed.err.startswith("error: ")
    assert ops_of(a, item_id) == before
    a.ok("discuss", item_id, "written after the failure")
    assert len(ops_of(a, item_id)) == len(before) + 1
    a.git("remote", "set-url", "origin", str(tmp_path / "remote.git"))
    a.ok("sync")
    pushed = a.git("show", f"origin/main:.agent/tracker-workspace/.ops/.{item_id}.ops")
    assert "do not lose me" in pushed and "written after the failure" in pushed


def test_auto_sync_commits_and_pushes_past_the_threshold(clones):
    a, = clones(1)
    run = a.htrac("add", "--kind", "work_item", "--title", "Auto",
                  env={"TRACKER_AUTO_SYNC_THRESHOLD": "5"})
    assert run.code == 0, run.err
    assert "auto-sync: committed 1 ops file(s)" in run.err
    assert a.git("rev-parse", "HEAD") == a.git("rev-parse", "origin/main")


def test_auto_sync_waits_below_the_threshold_and_for_read_commands(clones):
    a, = clones(1)
    head = a.git("rev-parse", "HEAD")
    item_id = a.ok("add", "--kind", "work_item", "--title", "Quiet",
                   env={"TRACKER_AUTO_SYNC_THRESHOLD": "1000"}).strip()
    a.ok("show", item_id, env={"TRACKER_AUTO_SYNC_THRESHOLD": "1"})
    assert a.git("rev-parse", "HEAD") == head
    # commands that may write, run so that they only read: reading is never a reason to sync
    for args in (["discuss", item_id], ["--json", "discuss", item_id], ["edit-mode", "status"]):
        run = a.htrac(*args, env={"TRACKER_AUTO_SYNC_THRESHOLD": "1"})
        assert run.code == 0 and "auto-sync" not in run.err, (args, run.err)
        assert a.git("rev-parse", "HEAD") == head, args
    run = a.htrac("discuss", item_id, "a reply", env={"TRACKER_AUTO_SYNC_THRESHOLD": "1"})
    assert "auto-sync: committed" in run.err


def test_auto_sync_circuit_breaker_pauses_after_repeated_failures(clones, tmp_path):
    a, = clones(1)
    a.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
    env = {"TRACKER_AUTO_SYNC_THRESHOLD": "1"}
    notes = [a.htrac("add", "--kind", "work_item", "--title", f"Item {n}", env=env).err
             for n in range(4)]
    assert all("auto-sync failed, local ops kept" in note for note in notes[:3])
    assert "auto-sync" not in notes[3]
    state_file = a.path / ".git" / "htrac-sync-state.json"
    assert json.loads(state_file.read_text())["failures"] == 3
    assert len(a.ok("list").splitlines()) >= 4


def test_auto_sync_leaves_a_branch_without_upstream_alone(tmp_tracker):
    env = {"TRACKER_AUTO_SYNC_THRESHOLD": "1"}
    run = tmp_tracker.htrac("add", "--kind", "work_item", "--title", "Local", env=env)
    assert run.code == 0 and run.err == ""
    assert tmp_tracker.git("status", "--porcelain").strip()  # nothing was committed


def test_sync_dry_run_lists_files_and_changes_nothing(clones):
    a, = clones(1)
    item_id = a.add("Dry")
    head = a.git("rev-parse", "HEAD")
    out = a.ok("sync", "--dry-run")
    assert out.startswith("would commit 1 ops file(s)") and item_id in out
    assert a.git("rev-parse", "HEAD") == head


def test_sync_three_clones_in_any_order_converge(clones):
    repos = clones(3)
    shared = repos[0].add("Everyone writes here")
    repos[0].ok("sync")
    for repo in repos[1:]:
        repo.ok("sync")
    own = {}
    for n, repo in enumerate(repos):
        repo.ok("discuss", shared, f"from clone {n}")
        repo.ok("update", shared, "--add-tag", f"t{n}")
        own[n] = repo.add(f"Own item of clone {n}")
    for order in ((2, 0, 1), (1, 2, 0)):
        for n in order:
            repos[n].ok("sync")
    for item_id in (shared, *own.values()):
        union = {op.nonce: op for repo in repos for op in ops_of(repo, item_id)}
        for repo in repos:
            assert state(item_id, ops_of(repo, item_id)) == state(item_id, list(union.values()))
    tags = json.loads(repos[1].ok("--json", "show", shared))["tags"]
    assert sorted(tags) == ["t0", "t1", "t2"]


def test_sync_failed_merge_is_aborted_and_keeps_local_ops(clones):
    a, b = clones(2)
    for repo, words in ((a, "alpha"), (b, "beta")):
        (repo.path / "README.md").write_text(f"{words}\n")
        repo.git("add", "README.md")
        repo.git("commit", "-q", "-m", f"readme {words}")
    a.git("push", "-q", "origin", "main")
    item_id = b.add("Made while diverged")
    b.ok("discuss", item_id, "keep this")
    before = ops_of(b, item_id)
    run = b.htrac("sync")
    assert run.code == 1 and "merge aborted, nothing lost" in run.err
    assert ops_of(b, item_id) == before
    assert (b.path / "README.md").read_text() == "beta\n"
    assert not (b.path / ".git" / "MERGE_HEAD").exists()
    assert item_id in b.git("show", "--name-only", "HEAD")


def test_sync_rejected_push_keeps_the_local_commit(clones, tmp_path):
    a, = clones(1)
    hook = tmp_path / "remote.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'remote says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    item_id = a.add("Refused upstream")
    run = a.htrac("sync")
    assert run.code == 1 and run.err.startswith("error: git push")
    assert item_id in a.git("show", "--name-only", "HEAD")
    assert a.git("status", "--porcelain", "--", ".agent").strip() == ""
    hook.unlink()
    assert "pushed to origin/main" in a.ok("sync")


def test_sync_says_when_a_loop_of_links_arrived(clones):
    one, two = clones(2)
    a, b = one.add("A"), one.add("B")
    one.ok("sync")
    two.ok("sync")
    one.ok("update", a, "--add-isbefore", b)
    one.ok("sync")
    two.ok("update", b, "--add-isbefore", a)  # each half is fine where it is written
    out = two.ok("sync")
    assert "isbefore loop" in out and "arrived" in out and "--remove-isbefore" in out


def test_sync_says_when_a_back_dated_op_arrived(clones):
    from htrac.core.ops import make_op
    from htrac.core.serialize import serialize_op

    one, two = clones(2)
    item = one.add("Dated")
    one.ok("update", item, "--priority", "1")
    one.ok("sync")
    two.ok("sync")
    late = make_op("update", by="agent", actor="bot_agent", clock=1,
                   at="2020-01-01T00:00:00Z", body={"set": {"priority": 4}})
    path = two.agent_dir / "tracker-workspace/.ops" / f".{item}.ops"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(serialize_op(late))
    two.git("commit", "-q", "-am", "by hand", "--no-verify")
    two.git("push", "-q")
    out = one.ok("update", item, "--priority", "2") and one.ok("sync")
    assert "back-dated" in out and late.nonce in out


@pytest.mark.parametrize("path, text", [
    (".gitattributes", ".agent/tracker-workspace/.ops/.*.ops merge=binary\n"),
    (".agent/tracker-workspace/.ops/.gitattributes", "*.ops diff=evil\n"),
    (".agent/tracker/config.yaml.template", "# any change, even a comment\n"),
    (".claude/settings.json", '{"hooks": {}}\n'),
    ("AGENTS.md", "# do as you like\n"),
])
def test_sync_stops_before_merging_a_governance_file_and_names_it(clones, path, text):
    a, b = clones(2)
    target = b.path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text((target.read_text() if target.exists() else "") + text)
    b.add("Pushed with it")
    b.git("add", "-A")
    b.git("commit", "-q", "--no-verify", "-m", "governance")
    b.git("push", "-q", "origin", "main")
    a.add("Local work")
    before = a.git("rev-parse", "HEAD")
    run = a.htrac("sync")
    assert run.code == 1
    assert "sync stopped" in run.err and path in run.err and "git merge" in run.err
    assert not (a.path / path).exists() or text not in (a.path / path).read_text()
    assert a.git("rev-parse", "HEAD^") == before  # local ops committed, nothing merged
    assert a.git("rev-parse", "origin/main") != a.git("rev-parse", "HEAD")
    # after reading it, the human merges by hand and sync goes on
    a.git("merge", "-q", "--no-edit", "origin/main")
    again = a.htrac("sync")
    assert again.code == 0, again.err


def test_sync_says_which_other_files_it_merged(clones):
    a, b = clones(2)
    (b.path / "README.md").write_text("hello\n")
    b.git("add", "-A")
    b.git("commit", "-q", "-m", "docs")
    b.git("push", "-q", "origin", "main")
    run = a.htrac("sync")
    assert run.code == 0, run.err
    assert "merged 1 other file(s) from origin/main: README.md" in run.out
    assert "nothing new" not in run.out
    assert "nothing new from origin/main" in a.htrac("sync").out


def test_sync_by_an_agent_merges_governance_files(clones, monkeypatch):
    """The stop protects the human; an agent's clone takes the human's config changes."""
    a, b = clones(2)
    (b.path / "AGENTS.md").write_text("# new rules\n")
    b.git("add", "-A")
    b.git("commit", "-q", "-m", "rules")
    b.git("push", "-q", "origin", "main")
    config = a.agent_dir / "tracker" / "config.yaml"
    config.write_text("actor_resolution:\n  agent_usernames: ['*']\n")  # everyone is an agent
    run = a.htrac("sync")
    assert run.code == 0, run.err
    assert (a.path / "AGENTS.md").read_text() == "# new rules\n"
