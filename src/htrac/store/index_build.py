"""Reading, parsing and folding many new files at once, on every core.

A first build (or the first read after a `git pull` that brought thousands of items) is all
parsing and folding, which is pure CPU work per file. When there are enough files and the
process is single-threaded (forking a threaded process can deadlock), the work is split across
forked worker processes; each returns finished index rows, which the parent writes in its one
transaction. Otherwise the same function runs in-process. Either way the rows are identical.
"""

from __future__ import annotations

import marshal
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.oplog import OpLog, read_oplog
from .index_files import read_snapshot

if TYPE_CHECKING:
    from ..core.ops import Op

# One file's row for the index (`Index._row`): its columns, stamp, parsed log and compiled item.
Row = tuple[Any, ...]

PARALLEL_MIN = 400  # below this, starting workers costs more than it saves
CHUNK = 64

@dataclass(slots=True)
class Job:
    """What a worker needs; inherited through fork, never pickled."""

    path_of: Callable[[str, str], Path]
    unreadable: Callable[[str, str], OpLog]
    make_row: Callable[..., Row]
    edit_ops: dict[str, list[Op]]


_JOB: Job | None = None


def build_rows(job: Job, keys: list[tuple[str, str]]) -> Iterator[Row | None]:
    """Index rows for the files `keys` (None for a file that vanished), in any order."""
    workers = _workers(len(keys))
    if workers <= 1:
        yield from (_row(job, key) for key in keys)
        return
    global _JOB
    _JOB = job
    try:
        import multiprocessing  # only a big build pays for it

        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            chunks = [keys[i:i + CHUNK] for i in range(0, len(keys), CHUNK)]
            for rows in pool.imap_unordered(_chunk, chunks):
                yield from marshal.loads(rows)
    finally:
        _JOB = None


def _workers(count: int) -> int:
    if count < PARALLEL_MIN or threading.active_count() > 1:
        return 1
    if threading.current_thread() is not threading.main_thread():
        return 1
    return min(os.cpu_count() or 1, 4)


def _chunk(keys: list[tuple[str, str]]) -> bytes:
    """The rows of `keys` as one marshal blob: a row is plain values (numbers, text, bytes,
    tuples of them), and one blob crosses the pipe far cheaper than pickled tuples."""
    assert _JOB is not None
    return marshal.dumps([_row(_JOB, key) for key in keys])


def _row(job: Job, key: tuple[str, str]) -> Row | None:
    tier, item_id = key
    try:
        snap = read_snapshot(job.path_of(tier, item_id))
    except FileNotFoundError:
        return None
    except OSError:
        return job.make_row(tier, item_id, job.unreadable(tier, item_id), None)
    return job.make_row(tier, item_id, read_oplog(snap.data), snap)
