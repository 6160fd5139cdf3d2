"""The derived index is never stale: after any change to the files, its answers equal a fresh fold."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from htrac.service.tracker import Tracker
from htrac.store.aliases import cache_dir
from htrac.store.store import Store
from htrac.store.watch_client import Files, request


def fresh_fold(path: Path):
    tracker = Tracker.open(path)
    return Store(tracker.layout, tracker.config, tracker.policy, use_index=False).fold_items()


def indexed(path: Path):
    tracker = Tracker.open(path)
    assert tracker.store.index is not None
    items = tracker.store.items()
    if watcher_running(path):  # then the index asked it (it may have said "don't know")
        assert tracker.store.index.looked.startswith(("watch", "scan: ")), \
            tracker.store.index.looked
    return items


def watcher_running(repo: Path) -> bool:
    reply = request(Files(cache_dir(repo / ".agent")), {"op": "status"})
    return bool(reply and reply.get("running"))


def assert_fresh(path: Path) -> list:
    items = indexed(path)
    assert items == fresh_fold(path)
    return items


def item_file(tracker, item_id: str, tier: str = "workspace") -> Path:
    base = tracker.agent_dir / ("tracker" if tier == "canonical" else "tracker-workspace")
    return base / ".ops" / f".{item_id}.ops"


def append_by_hand(path: Path, op_type: str, body: dict, clock: int = 50,
                   by: str = "agent") -> None:
    op = make_op(op_type, by=by, actor="hand_agent" if by == "agent" else "alice",
                 clock=clock, body=body)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(serialize_op(op))


def index_path(repo: Path) -> Path:
    return cache_dir(repo / ".agent") / "index.sqlite3"


def status_of(items, item_id: str) -> str:
    return next(i.status for i in items if i.id == item_id)


def test_index_answers_equal_a_fresh_fold_and_live_in_the_users_cache(tmp_tracker, looking):
    first = tmp_tracker.add("First", "--tag", "api")
    tmp_tracker.add("Second", "--isbefore", first)
    tmp_tracker.ok("update", first, "--status", "in_progress")
    items = assert_fresh(tmp_tracker.path)
    assert {i.title for i in items} == {"First", "Second"}
    assert index_path(tmp_tracker.path).is_file()


def test_index_sees_a_hand_append(tmp_tracker, looking):
    item = tmp_tracker.add("Appended")
    assert status_of(indexed(tmp_tracker.path), item) == "todo_hard"
    append_by_hand(item_file(tmp_tracker, item), "update", {"set": {"status": "done"}})
    assert status_of(assert_fresh(tmp_tracker.path), item) == "done"


def test_index_sees_a_deleted_file(tmp_tracker, looking):
    gone = tmp_tracker.add("Gone")
    kept = tmp_tracker.add("Kept")
    indexed(tmp_tracker.path)
    item_file(tmp_tracker, gone).unlink()
    assert [i.id for i in assert_fresh(tmp_tracker.path)] == [kept]


def test_index_sees_an_older_copy_of_the_same_size(tmp_tracker, looking):
    item = tmp_tracker.add("Copied back")
    tmp_tracker.ok("update", item, "--priority", "3")
    path = item_file(tmp_tracker, item)
    older = path.read_bytes()
    tmp_tracker.ok("update", item, "--priority", "1")
    newer = path.read_bytes()
    indexed(tmp_tracker.path)
    seen = path.stat()
    # Overwrite in place with a same-size older state and put the times the index saw back:
    # only the change time (and the content) can tell.
    same_size = older + newer[len(older):].replace(b"priority: 1", b"priority: 3")
    assert len(same_size) == len(newer) and same_size != newer
    with open(path, "r+b") as handle:
        handle.write(same_size)
    os.utime(path, ns=(seen.st_atime_ns, seen.st_mtime_ns))
    assert path.stat().st_mtime_ns == seen.st_mtime_ns and path.stat().st_ino == seen.st_ino
    assert next(i for i in assert_fresh(tmp_tracker.path) if i.id == item).priority == 3


def test_index_sees_a_file_replaced_by_rename(tmp_tracker, looking):
    item = tmp_tracker.add("Replaced")
    path = item_file(tmp_tracker, item)
    indexed(tmp_tracker.path)
    replacement = path.with_name("tmp-copy")
    shutil.copy2(path, replacement)
    append_by_hand(replacement, "update", {"set": {"title": "Renamed"}})
    os.replace(replacement, path)
    assert next(i for i in assert_fresh(tmp_tracker.path) if i.id == item).title == "Renamed"


def test_index_follows_checkout_merge_and_rebase(tmp_tracker, looking):
    base = tmp_tracker.add("Base item")
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-qm", "base")
    tmp_tracker.git("checkout", "-qb", "feature")
    tmp_tracker.ok("update", base, "--status", "in_progress")
    feature_only = tmp_tracker.add("Feature item")
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-qm", "feature")
    assert len(assert_fresh(tmp_tracker.path)) == 2

    tmp_tracker.git("checkout", "-q", "main")
    items = assert_fresh(tmp_tracker.path)
    assert [i.id for i in items] == [base] and items[0].status == "todo_hard"

    tmp_tracker.ok("discuss", base, "note on main")
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-qm", "main work")
    assert_fresh(tmp_tracker.path)

    tmp_tracker.git("merge", "-q", "--no-edit", "feature")
    items = assert_fresh(tmp_tracker.path)
    merged = next(i for i in items if i.id == base)
    assert merged.status == "in_progress" and len(merged.discussion) == 1
    assert feature_only in {i.id for i in items}

    tmp_tracker.git("checkout", "-qb", "topic", "HEAD~1")
    tmp_tracker.ok("update", base, "--priority", "0")
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-qm", "topic")
    assert_fresh(tmp_tracker.path)
    tmp_tracker.git("rebase", "-q", "main")
    items = assert_fresh(tmp_tracker.path)
    assert next(i for i in items if i.id == base).priority == 0


def test_index_refolds_after_a_config_change(tmp_tracker, looking):
    item = tmp_tracker.add("Custom status")
    append_by_hand(item_file(tmp_tracker, item), "update", {"set": {"status": "blocked"}})
    assert status_of(assert_fresh(tmp_tracker.path), item) == "todo_hard"  # unknown: rejected
    template = tmp_tracker.path / ".agent" / "tracker" / "config.yaml"
    text = (Path(__file__).parents[2] / "config.yaml.template").read_text(encoding="utf-8")
    template.write_text(text.replace("- done\n", "- done\n- blocked\n", 1), encoding="utf-8")
    assert status_of(assert_fresh(tmp_tracker.path), item) == "blocked"


def test_index_refolds_a_tier_when_its_edit_mode_log_changes(tmp_tracker, looking):
    item = tmp_tracker.add("Edited discussion")
    tmp_tracker.ok("discuss", item, "first words")
    nonce = indexed(tmp_tracker.path)[0].discussion[0].nonce
    edit_log = tmp_tracker.agent_dir / "tracker-workspace" / ".edit-mode" / "edit-mode.ops"
    edit_log.parent.mkdir(parents=True, exist_ok=True)
    window = make_op("edit-mode-on", by="human", actor="alice", clock=1,
                     body={"ttl_seconds": 3600, "cap_max": 5})
    edit = make_op("delete-msg", by="human", actor="alice", clock=99,
                   body={"item": item, "target_nonce": nonce, "reason": "typo"})
    edit_log.write_text(serialize_op(window), encoding="utf-8")
    assert_fresh(tmp_tracker.path)
    append_by_hand(item_file(tmp_tracker, item), "discuss", {"message": "second"}, clock=60)
    with open(edit_log, "a", encoding="utf-8") as handle:
        handle.write(serialize_op(edit))
    items = assert_fresh(tmp_tracker.path)
    assert [e.is_tombstoned for e in items[0].discussion] == [True, False]


def test_index_is_per_user_and_per_clone(tmp_tracker, tmp_path, monkeypatch):
    tmp_tracker.add("Shared")
    monkeypatch.delenv("HTRAC_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    homes = [tmp_path / "home-alice", tmp_path / "home-bob_agent"]
    paths = []
    for home in homes:
        monkeypatch.setenv("HOME", str(home))
        tmp_tracker.ok("list")
        paths.append(index_path(tmp_tracker.path))
        assert paths[-1].is_file() and home in paths[-1].parents
    assert paths[0] != paths[1]

    clone = tmp_path / "clone"
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-qm", "one")
    shutil.copytree(tmp_tracker.path, clone)
    assert index_path(clone) != index_path(tmp_tracker.path)


def test_index_deleted_loses_nothing(tmp_tracker):
    item = tmp_tracker.add("Survives")
    before = indexed(tmp_tracker.path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{index_path(tmp_tracker.path)}{suffix}").unlink(missing_ok=True)
    assert indexed(tmp_tracker.path) == before and before[0].id == item


def test_index_corrupt_is_rebuilt(tmp_tracker):
    tmp_tracker.add("Still here")
    path = index_path(tmp_tracker.path)
    indexed(tmp_tracker.path)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    assert "Still here" in tmp_tracker.ok("list")
    assert_fresh(tmp_tracker.path)


def test_index_unusable_cache_falls_back_to_folding(tmp_tracker, tmp_path, monkeypatch):
    tmp_tracker.add("No cache")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("HTRAC_CACHE_DIR", str(blocker / "cache"))
    assert "No cache" in tmp_tracker.ok("list")
    tracker = Tracker.open(tmp_tracker.path)
    assert tracker.store.items() == fresh_fold(tmp_tracker.path)
    assert tracker.store.index is None  # gave up for this command, answered anyway


def test_index_locked_by_another_writer_falls_back(tmp_tracker, monkeypatch):
    import htrac.store.index_db as index_db

    item = tmp_tracker.add("Locked out")
    indexed(tmp_tracker.path)
    monkeypatch.setattr(index_db, "BUSY_TIMEOUT", 0.1)
    append_by_hand(item_file(tmp_tracker, item), "update", {"set": {"status": "done"}})
    holder = sqlite3.connect(index_path(tmp_tracker.path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        tracker = Tracker.open(tmp_tracker.path)
        assert status_of(tracker.store.items(), item) == "done"
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_index_show_refreshes_just_that_item(tmp_tracker, looking):
    item = tmp_tracker.add("Shown")
    indexed(tmp_tracker.path)
    append_by_hand(item_file(tmp_tracker, item), "update", {"set": {"title": "Shown again"}})
    tracker = Tracker.open(tmp_tracker.path)
    assert tracker.show(item).title == "Shown again"


def test_index_cache_rebuild_command(tmp_tracker, looking):
    tmp_tracker.add("Rebuilt")
    assert tmp_tracker.ok("cache-rebuild").strip() == "cache rebuilt"
    assert tmp_tracker.ok("--json", "cache-rebuild").strip() == '{"ok": true}'
    assert_fresh(tmp_tracker.path)


@pytest.mark.parametrize("tier", ["canonical", "stealth"])
def test_index_covers_every_tier(tmp_tracker, tier, looking):
    item = tmp_tracker.add(f"In {tier}", "--tier", tier)
    items = assert_fresh(tmp_tracker.path)
    assert [(i.id, i.tier) for i in items] == [(item, tier)]


def test_index_damaged_inside_is_dropped_and_rebuilt(tmp_tracker):
    titles = [f"Item {n}" for n in range(30)]
    for title in titles:
        tmp_tracker.add(title, "--description", "x" * 500)
    tmp_tracker.ok("list")
    path = index_path(tmp_tracker.path)
    size = path.stat().st_size
    assert size > 4 * 4096
    with open(path, "r+b") as handle:  # keep the header page, garble the rest
        handle.seek(4096)
        handle.write(os.urandom(size - 4096))
    out = tmp_tracker.ok("list")  # answered by folding the files
    assert all(title in out for title in titles)
    tmp_tracker.ok("list")  # and the next command built a sound index again
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 30
    finally:
        db.close()
    assert_fresh(tmp_tracker.path)


@pytest.mark.parametrize("replacement", ["symlink", "directory", "fifo"])
def test_index_lists_an_ops_file_replaced_by_another_kind_of_file_as_damaged(
        tmp_tracker, looking, replacement):
    """An ops file swapped for a link (even to the real bytes), a directory or a FIFO is an
    item htrac can't read: damaged and counted, never dropped, never followed, never waited
    on — by the index and by the plain fold alike."""
    item = tmp_tracker.add("Real")
    indexed(tmp_tracker.path)
    path = item_file(tmp_tracker, item)
    moved = path.with_name("elsewhere")
    os.replace(path, moved)
    {"symlink": lambda: path.symlink_to(moved), "directory": path.mkdir,
     "fifo": lambda: os.mkfifo(path)}[replacement]()
    items = assert_fresh(tmp_tracker.path)
    assert [i.id for i in items] == [item] and items[0].damaged
    kind = {"symlink": "a symbolic link", "directory": "a directory", "fifo": "a FIFO"}
    assert any(kind[replacement] in p.reason for p in items[0].problems), items[0].problems
    assert tmp_tracker.ok("count-todos").strip() == "1"


def test_index_a_removed_file_and_a_new_fingerprint_in_one_refresh(tmp_tracker, looking):
    """The configuration changes (every item is folded again) while a file disappears (a tier
    directory replaced): the gone item is dropped, not folded from nothing."""
    kept, gone = tmp_tracker.add("Kept"), tmp_tracker.add("Gone")
    indexed(tmp_tracker.path)
    item_file(tmp_tracker, gone).unlink()
    (tmp_tracker.agent_dir / "tracker" / "config.yaml").write_text("well_known_tags: [x]\n")
    assert [i.id for i in assert_fresh(tmp_tracker.path)] == [kept]


def test_index_settled_looks_at_the_files_once(tmp_tracker):
    """Inside `settled()` (one question answered with several statements) only the first full
    refresh looks at the files; an item's own refresh still looks at its file; after it, the
    next refresh sees everything again."""
    one, two = tmp_tracker.add("One"), tmp_tracker.add("Two")
    tracker = Tracker.open(tmp_tracker.path)
    index = tracker.store.index
    tier = tracker.store.tiers_of(one)[0]
    with index.settled():
        assert {status_of(index.items(), i) for i in (one, two)} == {"todo_hard"}
        for item in (one, two):  # written meanwhile, by hand: the index doesn't know
            append_by_hand(item_file(tmp_tracker, item), "update", {"set": {"status": "done"}})
        assert {status_of(index.items(), i) for i in (one, two)} == {"todo_hard"}
        assert index.item(tier, one).status == "done"  # its own file: looked at
    assert status_of(index.items(), two) == "done"
