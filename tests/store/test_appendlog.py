"""The append path: whole ops or nothing, under concurrency, after a crash, on a bad disk."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from tests_support import FULL

from htrac.core.errors import WriteError
from htrac.core.oplog import read_oplog
from htrac.store.appendlog import locked

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from htrac.service.tracker import Tracker
    tracker = Tracker.open(Path(sys.argv[1]))
    for n in range(int(sys.argv[3])):
        tracker.discuss(sys.argv[2], f"writer {sys.argv[4]} message {n} " + "x" * (n * 37 % 900))
""")


def test_append_concurrent_writers_lose_and_tear_nothing(tmp_tracker):
    item = tmp_tracker.add("Contended")
    writers, each = (8, 50) if FULL else (4, 15)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_tracker.path), item,
                               str(each), str(w)]) for w in range(writers)]
    assert [p.wait() for p in procs] == [0] * writers
    path = tmp_tracker.agent_dir / "tracker-workspace" / ".ops" / f".{item}.ops"
    log = read_oplog(path.read_bytes())
    messages = [op.get("message").split(" x")[0].strip() for op in log.ops if op.type == "discuss"]
    assert log.problems == [] and log.duplicates == 0
    assert sorted(messages) == sorted(f"writer {w} message {n}" for w in range(writers)
                                      for n in range(each))
    clocks = [op.clock for op in log.ops]
    assert clocks == sorted(clocks) and len(set(clocks)) == len(clocks)


def test_append_after_a_torn_tail_starts_on_a_fresh_line(tmp_path):
    path = tmp_path / ".WI-x.ops"
    path.write_bytes(b"- op: discuss  # abcd\n  at: '2026-01-01T0")
    with locked(path) as log:
        log.append("- op: discuss_clear  # beef\n  at: '2026-01-01T00:00:00Z'  # beef\n"
                   "  by: human  # beef\n  actor: h  # beef\n  clock: 2  # beef\n"
                   "  nonce: beef  # beef\n")
    parsed = read_oplog(path.read_bytes())
    assert [op.nonce for op in parsed.ops] == ["beef"]
    # the fenced-off fragment stays in the file and is reported, never silently dropped
    assert {p.kind for p in parsed.problems} == {"rejected", "damaged"}


def test_append_refuses_to_write_through_a_symlink(tmp_path):
    target = tmp_path / "outside.txt"
    target.write_text("precious\n")
    link = tmp_path / ".WI-x.ops"
    link.symlink_to(target)
    with pytest.raises(WriteError, match="symbolic link"):
        with locked(link, create=True):
            pass
    assert target.read_text() == "precious\n"


@pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/bin/mount"),
                    reason="mounting a small tmpfs needs root")
def test_append_on_a_full_disk_fails_cleanly_and_leaves_no_partial_op(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)]).returncode:
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        path = mnt / ".WI-x.ops"
        with locked(path, create=True) as log:
            log.append("- op: discuss  # aaaa\n")
        before = path.read_bytes()
        (mnt / "filler").write_bytes(b"\0" * (64 * 1024 - 8192))
        with pytest.raises(WriteError, match="nothing was written"):
            with locked(path) as log:
                log.append("x" * 200_000)
        assert path.read_bytes() == before
    finally:
        subprocess.run(["umount", str(mnt)])


def test_append_a_new_file_appears_whole_or_not_at_all(tmp_path):
    """A created file is linked into place with its first op in it: never empty, no private
    file left behind, the tracker's file mode."""
    path = tmp_path / "ops" / ".WI-a.ops"
    with locked(path, create=True) as log:
        assert log.read() == b""
        assert not path.exists()  # nothing is visible until the op is written
        log.append("- op: x  # 1111\n")
    assert path.read_bytes() == b"- op: x  # 1111\n"
    assert sorted(p.name for p in path.parent.iterdir()) == [".WI-a.ops"]  # nothing else
    assert path.stat().st_mode & 0o777 == 0o644  # a private directory: nobody else writes
    with locked(path, create=True) as log:  # an existing file: an ordinary locked append
        assert log.read() == b"- op: x  # 1111\n"
        log.append("- op: y  # 2222\n")
    assert path.read_bytes().count(b"\n") == 2


def test_append_a_file_created_meanwhile_is_left_to_its_creator(tmp_path):
    """Two writers creating one file: the second learns it lost (FileAppeared) and writes
    nothing, so it can read the winner's op and write again."""
    from htrac.store.appendlog import FileAppeared

    path = tmp_path / ".WI-b.ops"
    with pytest.raises(FileAppeared):
        with locked(path, create=True) as log:
            with locked(path, create=True) as other:  # the other writer, in between
                other.append("- op: first  # aaaa\n")
            log.append("- op: second  # bbbb\n")
    assert path.read_bytes() == b"- op: first  # aaaa\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".WI-b.ops"]


def test_append_readers_never_see_an_empty_item_while_items_are_created(tmp_tracker):
    """`add` in a loop while another process lists and reads every ops file: no reader ever
    finds an empty one (it would read as a damaged item)."""
    ops = tmp_tracker.path / ".agent" / "tracker-workspace" / ".ops"
    reader = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import os, sys
        ops = {str(ops)!r}
        seen = empty = 0
        while not os.path.exists(os.path.join(ops, ".stop")):
            for name in os.listdir(ops):
                if name.endswith(".ops"):
                    try:
                        with open(os.path.join(ops, name), "rb") as f:
                            empty += f.read() == b""
                        seen += 1
                    except FileNotFoundError:
                        pass
        print(seen, empty)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        for n in range(12 if FULL else 6):
            tmp_tracker.add(f"Created while read {n}")
    finally:
        (ops / ".stop").write_text("")
        seen, empty = map(int, reader.communicate(timeout=60)[0].split())
    assert seen > 0 and empty == 0


def test_append_a_new_file_without_unnamed_files_is_created_exclusively(tmp_path):
    """Where O_TMPFILE can't be used, a new file is created exclusively, locked and written
    at once; a file already there is left to its creator."""
    from htrac.store.appendlog import FileAppeared, NewLog

    path = tmp_path / ".WI-c.ops"
    NewLog(path)._create_exclusively(b"- op: x  # cccc\n")
    assert path.read_bytes() == b"- op: x  # cccc\n" and path.stat().st_mode & 0o777 == 0o644
    with pytest.raises(FileAppeared):
        NewLog(path)._create_exclusively(b"- op: y  # dddd\n")
    assert path.read_bytes() == b"- op: x  # cccc\n"


@pytest.mark.parametrize("unnamed", [True, False])
def test_append_a_new_file_is_group_writable_only_in_a_group_writable_directory(
        tmp_path, monkeypatch, unnamed):
    """0664 where the shared-worktree layout needs it (setup makes the ops directories 2775),
    0644 in a private clone; the umask can't widen either."""
    from htrac.store.appendlog import NewLog

    if not unnamed:
        monkeypatch.setattr(NewLog, "_unnamed", lambda self: None)
    private, shared = tmp_path / "private", tmp_path / "shared"
    private.mkdir(mode=0o755)
    shared.mkdir()
    shared.chmod(0o2775)
    old = os.umask(0)
    try:
        for directory, expected in ((private, 0o644), (shared, 0o664)):
            path = directory / ".WI-m.ops"
            with locked(path, create=True) as log:
                log.append("- op: x  # 1111\n")
            assert path.stat().st_mode & 0o777 == expected, directory
    finally:
        os.umask(old)
