"""Reading, parsing and folding many new files at once, on every core.

A first build (or the first read after a `git pull` that brought thousands of items) is all
parsing and folding, which is pure CPU work per file. When there are enough files and the
process is single-threaded (forking a threaded process can deadlock), the work is split across
forked worker processes; each returns finished index rows, which the parent writes in its one
transaction. Otherwise the same function runs in-process. Either way the rows are identical.

The workers are plain forks, not a `multiprocessing` pool: its import, its three threads and its
pickling cost the parent about 0.3 s of CPU at 10,000 items, on a machine whose two cores the
workers need. The parent numbers the chunks of keys into one pipe before forking; a worker
takes the next number by reading 4 bytes (the pipe hands each read whole numbers, as all were
written at once), and writes each chunk's rows back through its own pipe as one marshal blob
— rows are plain values: numbers, text, bytes, tuples of them. A chunk no worker delivered (a
worker that died) is built by the parent itself, so a failure there raises as it would
in-process, and nothing is ever missing.
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
# Chunk numbers are all written before any worker reads: 4 KiB at most, which fits even a pipe
# the kernel gave one page (a user over `pipe-user-pages-soft`) and is written atomically.
MAX_CHUNKS = 1024
_SIZE = 8  # bytes of a reply's length


@dataclass(slots=True)
class Job:
    """What a worker needs; inherited through fork, never pickled."""

    path_of: Callable[[str, str], Path]
    unreadable: Callable[[str, str], OpLog]
    make_row: Callable[..., Row]
    edit_ops: dict[str, list[Op]]


def build_rows(job: Job, keys: list[tuple[str, str]]) -> Iterator[Row | None]:
    """Index rows for the files `keys` (None for a file that vanished), in any order."""
    workers = _workers(len(keys))
    if workers <= 1:
        yield from (_row(job, key) for key in keys)
        return
    size = max(CHUNK, -(-len(keys) // MAX_CHUNKS))
    chunks = [keys[i:i + size] for i in range(0, len(keys), size)]
    yield from _forked(job, chunks, workers)


def _workers(count: int) -> int:
    if count < PARALLEL_MIN or threading.active_count() > 1:
        return 1
    if threading.current_thread() is not threading.main_thread():
        return 1
    return min(os.cpu_count() or 1, 4)


def _forked(job: Job, chunks: list[list[tuple[str, str]]], workers: int) -> Iterator[Row | None]:
    import selectors

    tasks, numbers = os.pipe()
    os.write(numbers, b"".join(n.to_bytes(4, "little") for n in range(len(chunks))))
    os.close(numbers)  # read to the end, a worker sees end-of-file: no chunk left
    replies: dict[int, int] = {}  # read end -> worker pid
    finished = False
    try:
        for _ in range(workers):
            if not _start(job, chunks, tasks, replies):
                break  # could not fork: the parent builds what no worker takes
        done: set[int] = set()
        with selectors.DefaultSelector() as selector:
            for reply in replies:
                selector.register(reply, selectors.EVENT_READ, bytearray())
            while selector.get_map():
                for key, _ in selector.select():
                    for number, rows in _replies(key.fd, key.data, selector):
                        done.add(number)
                        yield from rows
        finished = True  # every worker closed its pipe: it has exited or is exiting
        for number in range(len(chunks)):
            if number not in done:  # no worker delivered it (one died): build it here
                yield from (_row(job, key) for key in chunks[number])
    finally:
        os.close(tasks)
        for reply, pid in replies.items():
            _end(reply, pid, kill=not finished)


def _start(job: Job, chunks: list[list[tuple[str, str]]], tasks: int,
           replies: dict[int, int]) -> bool:
    """Fork one worker and record its pipe in `replies`; False if it could not be forked."""
    reply, out = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reply)
        os.close(out)
        return False
    if pid == 0:  # the worker: never returns
        os.close(reply)
        for other in replies:
            os.close(other)
        _work(job, chunks, tasks, out)
    os.close(out)
    replies[reply] = pid
    return True


def _replies(fd: int, buffer: bytearray, selector: Any) -> Iterator[tuple[int, list[Row]]]:
    """The whole replies that reading `fd` once completes; at its end, stop watching it."""
    data = os.read(fd, 1 << 20)
    if not data:
        selector.unregister(fd)
        return
    buffer += data
    while len(buffer) >= _SIZE:
        length = int.from_bytes(buffer[:_SIZE], "little")
        if len(buffer) < _SIZE + length:
            return
        number, rows = marshal.loads(buffer[_SIZE:_SIZE + length])
        del buffer[:_SIZE + length]
        yield number, rows


def _work(job: Job, chunks: list[list[tuple[str, str]]], tasks: int, out: int) -> None:
    try:
        while number := os.read(tasks, 4):
            n = int.from_bytes(number, "little")
            blob = marshal.dumps((n, [_row(job, key) for key in chunks[n]]))
            _write_all(out, len(blob).to_bytes(_SIZE, "little") + blob)
    finally:
        # Whatever happened, never unwind into the parent's code (a chunk this worker did not
        # deliver is built by the parent); no atexit handlers, no flushing of inherited buffers.
        os._exit(0)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _end(reply: int, pid: int, *, kill: bool) -> None:
    """Close a worker's pipe and reap it — killed first when the build stopped early."""
    import signal

    os.close(reply)
    try:
        if kill:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ChildProcessError, ProcessLookupError):
        pass


def _row(job: Job, key: tuple[str, str]) -> Row | None:
    tier, item_id = key
    try:
        snap = read_snapshot(job.path_of(tier, item_id))
    except FileNotFoundError:
        return None
    except OSError:
        return job.make_row(tier, item_id, job.unreadable(tier, item_id), None)
    return job.make_row(tier, item_id, read_oplog(snap.data), snap)
