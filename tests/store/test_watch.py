"""The watcher: a real daemon on real inotify, with real git. Reads that ask it stay exact —
through every kind of change, a killed or restarted watcher, a queue overflow, a tier
directory removed and recreated — and fall back to looking at every file when it can't say."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from watching import is_watcher, start, wait_until, watcher_pids

from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from htrac.service.tracker import Tracker
from htrac.store import index_files
from htrac.store.aliases import cache_dir
from htrac.store.store import Store
from htrac.store.watch_client import Files, request, spawn
from tests.conftest import TrackerRepo


def item_file(tracker: TrackerRepo, item_id: str, tier: str = "workspace") -> Path:
    base = tracker.agent_dir / ("tracker" if tier == "canonical" else "tracker-workspace")
    return base / ".ops" / f".{item_id}.ops"


def append_by_hand(path: Path, op_type: str, body: dict) -> None:
    op = make_op(op_type, by="agent", actor="hand_agent", clock=50, body=body)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(serialize_op(op))


def files_of(repo: Path) -> Files:
    return Files(cache_dir(repo / ".agent"))


def look(repo: Path) -> tuple[str, list]:
    """How a read looked at the files, and whether its answer equals a fresh fold."""
    tracker = Tracker.open(repo)
    items = tracker.store.items()
    direct = Store(tracker.layout, tracker.config, tracker.policy, use_index=False).fold_items()
    assert items == direct
    return tracker.store.index.looked, items


def watched_look(repo: Path) -> list:
    looked, items = look(repo)
    assert looked == "watch"
    return items


@pytest.fixture
def no_racy_net(monkeypatch):
    """Reads in this process trust every stamp at once, so the racy-file digest checks can't
    find a change the watcher failed to name: freshness then rests on the watcher alone."""
    monkeypatch.setattr(index_files, "RACY_NS", -(10 ** 18))


def test_watch_alone_names_every_change(tmp_tracker, watched, no_racy_net, tmp_path):
    kept, gone, renamed = (tmp_tracker.add(t) for t in ("Kept", "Gone", "Renamed"))
    assert look(tmp_tracker.path)[0] == "scan: no token yet"
    watched_look(tmp_tracker.path)

    append_by_hand(item_file(tmp_tracker, kept), "update", {"set": {"status": "done"}})
    assert {i.id: i.status for i in watched_look(tmp_tracker.path)}[kept] == "done"

    item_file(tmp_tracker, gone).unlink()
    assert gone not in {i.id for i in watched_look(tmp_tracker.path)}

    path = item_file(tmp_tracker, renamed)
    copy = path.with_name("copy.tmp")
    shutil.copy2(path, copy)  # cp -p, then rename over
    append_by_hand(copy, "update", {"set": {"title": "Renamed twice"}})
    os.replace(copy, path)
    assert {i.id: i.title for i in watched_look(tmp_tracker.path)}[renamed] == "Renamed twice"

    other = tmp_path / "other"  # a file arriving from elsewhere, as a pull brings one
    other.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=other, check=True)
    other_repo = TrackerRepo(other)
    other_repo.ok("init")
    arrived = other_repo.add("Arrived")
    shutil.copy2(item_file(other_repo, arrived), item_file(tmp_tracker, arrived))
    assert arrived in {i.id for i in watched_look(tmp_tracker.path)}


def test_watch_alone_follows_checkout_and_merge(tmp_tracker, watched, no_racy_net):
    base = tmp_tracker.add("Base")
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-qm", "base")
    tmp_tracker.git("checkout", "-qb", "feature")
    tmp_tracker.ok("update", base, "--status", "in_progress")
    tmp_tracker.add("Feature only")
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-qm", "feature")
    look(tmp_tracker.path)
    assert len(watched_look(tmp_tracker.path)) == 2

    tmp_tracker.git("checkout", "-q", "main")
    looked, items = look(tmp_tracker.path)
    assert [(i.id, i.status) for i in items] == [(base, "todo_hard")]
    assert looked == "watch"
    tmp_tracker.git("merge", "-q", "--no-edit", "feature")
    items = watched_look(tmp_tracker.path)
    assert {i.id: i.status for i in items}[base] == "in_progress" and len(items) == 2


def test_watch_killed_leaves_a_socket_that_breaks_nothing(tmp_tracker, watched):
    item = tmp_tracker.add("Survives")
    look(tmp_tracker.path)
    os.kill(watched, signal.SIGKILL)
    wait_until(lambda: not is_watcher(watched), what="the watcher to die")
    assert files_of(tmp_tracker.path).socket.exists()  # stale: nobody listens

    append_by_hand(item_file(tmp_tracker, item), "update", {"set": {"status": "done"}})
    looked, items = look(tmp_tracker.path)
    assert looked == "scan" and items[0].status == "done"
    assert "done" in tmp_tracker.ok("list")

    again = start(tmp_tracker)  # a new watcher takes the stale socket's place
    assert again != watched
    assert look(tmp_tracker.path)[0] == "scan: the token is from another watcher (restarted)"
    watched_look(tmp_tracker.path)


def test_watch_restarted_means_one_full_look(tmp_tracker, watched):
    tmp_tracker.add("Item")
    look(tmp_tracker.path)
    watched_look(tmp_tracker.path)
    assert "stopped the watcher" in tmp_tracker.ok("watch", "stop")
    wait_until(lambda: not is_watcher(watched), what="the stopped watcher to exit")
    assert look(tmp_tracker.path)[0] == "scan"
    start(tmp_tracker)
    assert look(tmp_tracker.path)[0].startswith("scan: the token is from another watcher")
    watched_look(tmp_tracker.path)


def test_watch_queue_overflow_means_a_full_look(tmp_tracker, watched, no_racy_net):
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 200_000:
        pytest.skip(f"max_queued_events is {limit}: too many events to overflow in a test")
    item = tmp_tracker.add("Overflowed")
    look(tmp_tracker.path)
    watched_look(tmp_tracker.path)
    ops = item_file(tmp_tracker, item).parent
    scratch = [ops / "scratch-a", ops / "scratch-b"]
    for path in scratch:
        path.write_text("x", encoding="utf-8")
    os.kill(watched, signal.SIGSTOP)  # it can't read: the kernel's queue fills up
    try:
        for n in range(limit // 2 + 100):
            for path in scratch:  # alternating, so the kernel merges no two events
                os.utime(path, ns=(n, n))
        append_by_hand(item_file(tmp_tracker, item), "update", {"set": {"status": "done"}})
    finally:
        os.kill(watched, signal.SIGCONT)
    looked, items = look(tmp_tracker.path)
    assert looked == "scan: the kernel's event queue overflowed"
    assert items[0].status == "done"
    watched_look(tmp_tracker.path)


def test_watch_tier_directory_removed_and_recreated(tmp_tracker, watched, no_racy_net):
    first = tmp_tracker.add("First")
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-qm", "one")
    look(tmp_tracker.path)
    watched_look(tmp_tracker.path)
    ops = item_file(tmp_tracker, first).parent
    shutil.rmtree(ops)
    looked, items = look(tmp_tracker.path)
    assert looked.startswith("scan: ") and items == []
    tmp_tracker.git("checkout", "--", ".")  # git makes the directory again
    looked, items = look(tmp_tracker.path)
    assert looked.startswith("scan: ") and [i.id for i in items] == [first]
    append_by_hand(item_file(tmp_tracker, first), "update", {"set": {"priority": 0}})
    assert watched_look(tmp_tracker.path)[0].priority == 0  # the new directory is watched

    shutil.rmtree(tmp_tracker.agent_dir / "tracker-workspace")  # its parent too
    looked, items = look(tmp_tracker.path)
    assert looked.startswith("scan: ") and items == []
    second = tmp_tracker.add("Second")  # htrac makes the directories again
    looked, items = look(tmp_tracker.path)
    assert looked.startswith("scan: ") and [i.id for i in items] == [second]
    append_by_hand(item_file(tmp_tracker, second), "update", {"set": {"priority": 1}})
    assert watched_look(tmp_tracker.path)[0].priority == 1


def test_watch_exits_when_idle(tmp_tracker, watchers, monkeypatch):
    files = files_of(tmp_tracker.path)
    monkeypatch.setenv("HTRAC_WATCH_IDLE_TIMEOUT", "0.3")
    spawn(files, tmp_tracker.agent_dir.resolve())  # no request will ever come
    wait_until(lambda: files.lock.is_file() and files.lock.read_text().strip().isdigit(),
               what="the watcher to start")
    pid = int(files.lock.read_text())
    wait_until(lambda: not is_watcher(pid), what="the idle watcher to exit")
    assert not files.socket.exists()


def test_watch_exits_when_its_tracker_is_removed(tmp_tracker, watched):
    shutil.rmtree(tmp_tracker.agent_dir)
    wait_until(lambda: not is_watcher(watched), what="the watcher to notice")


def test_watch_started_by_a_read_when_configured(tmp_tracker, watchers):
    item = tmp_tracker.add("Auto")
    config = tmp_tracker.agent_dir / "tracker" / "config.yaml"
    config.write_text("index:\n  watch: true\n", encoding="utf-8")
    assert item in tmp_tracker.ok("list")  # answered at once, looking at every file
    wait_until(lambda: request(files_of(tmp_tracker.path), {"op": "status"}) is not None,
               what="the watcher a read started")
    assert len(watcher_pids(watchers)) == 1
    look(tmp_tracker.path)
    watched_look(tmp_tracker.path)
    status = json.loads(tmp_tracker.ok("--json", "watch", "status"))
    assert status["running"] and status["auto_start"] == "on"


def test_watch_not_started_without_the_setting(tmp_tracker, watchers):
    tmp_tracker.add("Manual")
    tmp_tracker.ok("list")
    assert look(tmp_tracker.path)[0] == "scan"
    assert not files_of(tmp_tracker.path).dir.exists()


def test_watch_started_by_default_for_a_large_tracker_and_off_by_config(tmp_tracker, watchers,
                                                                        monkeypatch):
    """Left unset, `index.watch` starts a watcher for a tracker of `AUTO_ITEMS` files or more
    (made 3 here, so three items are "large"); `index: {watch: false}` never does."""
    from htrac.store import watch_client

    monkeypatch.setattr(watch_client, "AUTO_ITEMS", 3)
    tmp_tracker.add("One")
    tmp_tracker.add("Two")
    assert look(tmp_tracker.path)[0] == "scan"
    assert not files_of(tmp_tracker.path).dir.exists()  # two files: not large

    config = tmp_tracker.agent_dir / "tracker" / "config.yaml"
    config.write_text("index:\n  watch: false\n", encoding="utf-8")
    tmp_tracker.add("Three")
    assert look(tmp_tracker.path)[0] == "scan"
    assert not files_of(tmp_tracker.path).dir.exists()  # large, but turned off

    config.unlink()
    look(tmp_tracker.path)
    wait_until(lambda: request(files_of(tmp_tracker.path), {"op": "status"}) is not None,
               what="the watcher a read started")
    assert len(watcher_pids(watchers)) == 1
    status = json.loads(tmp_tracker.ok("--json", "watch", "status"))
    assert status["running"] and status["auto_start"] == "auto"


def test_watch_started_by_a_hook_holds_none_of_its_pipes(tmp_tracker, watchers):
    """A stop hook reads the command's output to its end: a watcher the command started must
    hold neither its stdout/stderr nor any other descriptor it was given, or the hook would
    wait for the watcher to exit."""
    tmp_tracker.add("Piped")
    config = tmp_tracker.agent_dir / "tracker" / "config.yaml"
    config.write_text("index:\n  watch: true\n", encoding="utf-8")
    extra_read, extra_write = os.pipe()
    try:
        hook = subprocess.Popen([sys.executable, "-m", "htrac", "count-todos"],
                                cwd=tmp_tracker.path, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, pass_fds=(extra_write,))
        os.close(extra_write)
        pipes = {f"pipe:[{os.fstat(fd).st_ino}]" for fd in
                 (extra_read, hook.stdout.fileno(), hook.stderr.fileno())}
        out, err = hook.communicate(timeout=120)  # EOF on both: nobody else holds them
        assert hook.returncode == 0 and out == b"1\n", err
        readable, _, _ = select.select([extra_read], [], [], 60)
        assert readable and os.read(extra_read, 1) == b""  # EOF: no watcher kept it open
    finally:
        os.close(extra_read)
    wait_until(lambda: len(watcher_pids(watchers)) == 1, what="the watcher the hook started")
    pid = watcher_pids(watchers)[0]
    held = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    assert not held & pipes, held


def test_watch_answer_names_exactly_what_changed(tmp_tracker, watched):
    one, two = tmp_tracker.add("One"), tmp_tracker.add("Two", "--tier", "canonical")
    files = files_of(tmp_tracker.path)
    root = str((tmp_tracker.agent_dir).resolve())
    token = request(files, {"op": "changes", "root": root, "since": None})["token"]
    append_by_hand(item_file(tmp_tracker, one), "discuss", {"message": "hi"})
    append_by_hand(item_file(tmp_tracker, two, "canonical"), "discuss", {"message": "hi"})
    reply = request(files, {"op": "changes", "root": root, "since": token})
    assert reply["changes"] == {"canonical": [two], "workspace": [one], "stealth": []}
    again = request(files, {"op": "changes", "root": root, "since": reply["token"]})
    assert again["changes"] == {"canonical": [], "workspace": [], "stealth": []}
    elsewhere = request(files, {"op": "changes", "root": "/", "since": reply["token"]})
    assert elsewhere["unknown"] == "another tracker"


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/bin/python3").exists(),
                    reason="needs root and /usr/bin/python3 to run a process as another user")
def test_watch_client_believes_no_other_user(tmp_tracker, watchers, tmp_path_factory):
    """A socket in the watcher's place, served by another OS user, is never believed."""
    item = tmp_tracker.add("Mine")
    look(tmp_tracker.path)
    files = files_of(tmp_tracker.path)
    files.dir.mkdir(parents=True, exist_ok=True)
    outside = Path(tempfile.mkdtemp(prefix="htrac-impostor-", dir="/tmp"))
    os.chmod(outside, 0o777)
    server = subprocess.Popen(["/usr/bin/python3", "-c", IMPOSTOR, str(outside / "sock")],
                              user=65534, group=65534, stdout=subprocess.PIPE, cwd="/")
    try:
        assert server.stdout.readline() == b"listening\n"
        os.replace(outside / "sock", files.socket)  # a socket keeps its listener when moved
        append_by_hand(item_file(tmp_tracker, item), "update", {"set": {"status": "done"}})
        assert request(files, {"op": "status"}) is None
        looked, items = look(tmp_tracker.path)
        assert looked == "scan" and items[0].status == "done"
    finally:
        server.kill()
        server.wait()
        server.stdout.close()
        shutil.rmtree(outside, ignore_errors=True)


IMPOSTOR = """
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(8)
print("listening", flush=True)
while True:
    conn, _ = s.accept()
    try:
        conn.recv(65536)
        conn.sendall(json.dumps({"token": "x:1", "changes": {"canonical": [],
                                 "workspace": [], "stealth": []}}).encode() + b"\\n")
    except OSError:
        pass
    conn.close()
"""


def test_watch_client_path_loads_no_ctypes(tmp_tracker, watched):
    tmp_tracker.add("Read")
    probe = ("import sys\nfrom htrac.cli.main import cli\ntry:\n    cli(['ready'], "
             "prog_name='htrac')\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(' '.join(sorted(sys.modules)))")
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_tracker.path,
                         capture_output=True, text=True)
    modules = set(run.stderr.split())
    assert "htrac.store.watch_client" in modules
    assert not modules & {"ctypes", "htrac.store.watch", "htrac.store.watch_inotify",
                          "socket", "selectors", "subprocess", "fcntl"}


def test_watch_socket_private_and_requests_checked(tmp_tracker, watched):
    files = files_of(tmp_tracker.path)
    assert files.dir.stat().st_mode & 0o777 == 0o700
    assert files.socket.stat().st_mode & 0o077 == 0
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(files.socket))
        sock.sendall(b"not json\n")
        assert sock.recv(100) == b""  # bad requests get nothing, and the watcher lives on
    assert is_watcher(watched)
    with socket.socket(socket.AF_UNIX) as sock:  # a client of another htrac version
        sock.connect(str(files.socket))
        sock.sendall(b'{"op": "status", "v": 0}\n')
        assert b"protocol" in sock.recv(1000)
    wait_until(lambda: not is_watcher(watched), what="the outdated watcher to make way")
    assert not files.socket.exists()


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("mount") is None,
                    reason="needs root and mount(8) to bind-mount a directory")
def test_watch_sees_a_mount_over_a_tier_directory(tmp_tracker, watched, no_racy_net, tmp_path):
    """A mount sends no inotify event: the watcher checks its paths on every request."""
    item = tmp_tracker.add("Mounted over")
    look(tmp_tracker.path)
    watched_look(tmp_tracker.path)
    ops = item_file(tmp_tracker, item).parent
    other = tmp_path / "other-ops"
    shutil.copytree(ops, other)
    append_by_hand(other / f".{item}.ops", "update", {"set": {"status": "done"}})
    if subprocess.run(["mount", "--bind", str(other), str(ops)]).returncode != 0:
        pytest.skip("bind mounts are not allowed here")
    try:
        looked, items = look(tmp_tracker.path)
        assert looked == "scan: a watched directory was replaced" and items[0].status == "done"
        append_by_hand(item_file(tmp_tracker, item), "discuss", {"message": "on the mount"})
        assert len(watched_look(tmp_tracker.path)[0].discussion) == 1
    finally:
        subprocess.run(["umount", str(ops)], check=True)
    looked, items = look(tmp_tracker.path)
    assert looked.startswith("scan: ") and items[0].status == "todo_hard"


def test_watch_a_write_through_a_hard_link_elsewhere_is_seen(tmp_tracker, watched, no_racy_net,
                                                           tmp_path):
    """A write through a name outside the tier directories sends their watches nothing. A file
    found with several names is looked at on every read; an ops file someone else may write
    (group-writable, as the shared layout makes them) is watched on its own, so a link made
    after the last read is seen too."""
    early, late = tmp_tracker.add("Linked early"), tmp_tracker.add("Linked late")
    os.link(item_file(tmp_tracker, early), tmp_path / "early")
    look(tmp_tracker.path)
    watched_look(tmp_tracker.path)
    append_by_hand(tmp_path / "early", "update", {"set": {"status": "done"}})
    assert {i.id: i.status for i in watched_look(tmp_tracker.path)}[early] == "done"

    os.chmod(item_file(tmp_tracker, late), 0o664)  # writable by the group: watched on its own
    watched_look(tmp_tracker.path)
    os.link(item_file(tmp_tracker, late), tmp_path / "late")
    append_by_hand(tmp_path / "late", "update", {"set": {"status": "wont_do"}})
    assert {i.id: i.status for i in watched_look(tmp_tracker.path)}[late] == "wont_do"
    append_by_hand(tmp_path / "late", "update", {"set": {"priority": 0}})
    assert {i.id: i.priority for i in watched_look(tmp_tracker.path)}[late] == 0
