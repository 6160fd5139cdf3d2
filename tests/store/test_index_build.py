"""A build split across forked workers writes exactly the index an in-process build writes."""

from __future__ import annotations

import importlib.util
import marshal
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from htrac.store.aliases import cache_dir

ROOT = Path(__file__).resolve().parents[2]

# Builds the index of the tracker in the current directory as `cache-rebuild` does, with the
# parallel threshold lowered so that a small tracker is split across two forked workers
# ("parallel") or never split ("in-process"); each process that reads a file records its pid.
BUILD = """
import os, sys
from htrac.store import index_build
mode, pids = sys.argv[1], sys.argv[2]
index_build.PARALLEL_MIN, index_build.CHUNK = 8, 5
index_build._workers = (lambda n: 1) if mode == "in-process" else (lambda n: 2)
row, parent, read = index_build._row, os.getpid(), []
def recorded(job, key):
    with open(pids, "a") as out:
        out.write(f"{os.getpid()}\\n")
    read.append(key)
    if mode == "dying" and os.getpid() != parent and len(read) == 3:
        try:  # the first worker to reach its third file dies there, mid-chunk
            os.close(os.open(pids + ".died", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            os._exit(3)
        except FileExistsError:
            pass
    return row(job, key)
index_build._row = recorded
from htrac.cli.entry import main
sys.argv = ["htrac", "cache-rebuild"]
main()
print(os.getpid())
"""


def generated(path: Path, items: int) -> Path:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    return Path(generate.generate(path, items, seed=5))


def odd_files(repo: Path) -> None:
    """Files the build must report rather than fold: damaged, torn, untidy, not a file."""
    ops = repo / ".agent" / "tracker-workspace" / ".ops"
    files = sorted(ops.glob(".*.ops"))
    (ops / ".WI-damaged.ops").write_bytes(b"- op: create\n  at: [unclosed\n")
    data = files[0].read_bytes()
    (ops / ".WI-torn.ops").write_bytes(data[:len(data) // 2])
    (ops / ".WI-untidy.ops").write_bytes(b"# a hand note\n" + files[1].read_bytes())
    (ops / ".WI-adir.ops").mkdir()
    os.symlink(files[2], ops / ".WI-alink.ops")


def build(repo: Path, cache: Path, mode: str) -> tuple[Path, set[int], bool]:
    """The index built, the worker processes that read files, and whether the parent did."""
    pids = cache.parent / f"{mode}.pids"
    env = {**os.environ, "HTRAC_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", BUILD, mode, str(pids)], cwd=repo, env=env,
                          capture_output=True, text=True, check=True)
    parent = int(done.stdout.split()[-1])
    readers = {int(line) for line in pids.read_text().split()}
    return cache_dir_of(repo, cache), readers - {parent}, parent in readers


def cache_dir_of(repo: Path, cache: Path) -> Path:
    old = os.environ.get("HTRAC_CACHE_DIR")
    os.environ["HTRAC_CACHE_DIR"] = str(cache)
    try:
        return cache_dir(repo / ".agent") / "index.sqlite3"
    finally:
        if old is None:
            del os.environ["HTRAC_CACHE_DIR"]
        else:
            os.environ["HTRAC_CACHE_DIR"] = old


def contents(path: Path) -> dict[str, list]:
    """Every row of the index, in an order that does not depend on the order of the writes:
    full-text documents by item (their row ids are numbered as written), stamps decoded (a
    dictionary's order is the order of the writes), blobs decoded (below)."""
    db = sqlite3.connect(path)
    tables = {
        "items": "SELECT * FROM items ORDER BY rank, id",
        "links": "SELECT * FROM links ORDER BY rank, id, target",
        "parents": "SELECT * FROM parents ORDER BY rank, id",
        "tags": "SELECT * FROM tags ORDER BY rank, id, tag",
        "actors": "SELECT * FROM actors ORDER BY rank, id, actor",
        "editlogs": "SELECT * FROM editlogs ORDER BY name",
        "changelog": "SELECT rank, id FROM changelog ORDER BY rank, id",
        "stampdelta": "SELECT * FROM stampdelta ORDER BY rank, id",
        "meta": "SELECT * FROM meta WHERE key NOT IN ('epoch') ORDER BY key",
        "fulltext": "SELECT d.rank, d.id, f.* FROM fulltext AS f JOIN fulltext_docs AS d "
                    "ON d.docid = f.rowid ORDER BY d.rank, d.id",
    }
    found = {name: db.execute(sql).fetchall() for name, sql in tables.items()}
    found["stamps"] = [(rank, marshal.loads(blob))
                       for rank, blob in db.execute("SELECT * FROM stamps ORDER BY rank")]
    # Blobs decoded: marshal marks a value it may meet again by its reference count, which
    # differs between two builds in one process too — the values are what must be equal.
    found["blobs"] = [(rank, item_id, marshal.loads(log), marshal.loads(item))
                      for rank, item_id, log, item in db.execute(
                          "SELECT * FROM blobs ORDER BY rank, id")]
    db.close()
    return found


def built_tracker(tmp_path: Path) -> Path:
    repo = generated(tmp_path / "tracker", 90)
    odd_files(repo)
    time.sleep(2.1)  # every file older than the racy window: both builds see the same stamps
    return repo


def test_parallel_build_writes_the_rows_an_in_process_build_writes(tmp_path):
    repo = built_tracker(tmp_path)
    parallel, workers, parent_read = build(repo, tmp_path / "cache-parallel", "parallel")
    assert len(workers) == 2 and not parent_read  # two forked workers read every file
    in_process, workers, parent_read = build(repo, tmp_path / "cache-in-process", "in-process")
    assert not workers and parent_read
    one, other = contents(parallel), contents(in_process)
    assert len(one["items"]) == 95
    assert any(row[13] for row in one["items"])  # some item is damaged
    for table in one:
        assert one[table] == other[table], table


def test_a_worker_that_dies_loses_nothing(tmp_path):
    repo = built_tracker(tmp_path)
    dying, workers, parent_read = build(repo, tmp_path / "cache-dying", "dying")
    assert (tmp_path / "dying.pids.died").exists()
    assert len(workers) == 2 and parent_read  # the parent built the chunk the dead one held
    in_process, _, _ = build(repo, tmp_path / "cache-in-process", "in-process")
    one, other = contents(dying), contents(in_process)
    assert len(one["items"]) == 95
    for table in one:
        assert one[table] == other[table], table
