"""Several agents at once: writers and readers sharing one index never corrupt it, never fail,
and never see it go backwards."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests_support import FULL

from htrac.service.tracker import Tracker
from htrac.store.store import Store

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from htrac.service.tracker import Tracker
    repo, items, rounds, me = Path(sys.argv[1]), sys.argv[2].split(","), int(sys.argv[3]), sys.argv[4]
    for n in range(rounds):
        tracker = Tracker.open(repo)  # a new command each time, as agents run them
        tracker.discuss(items[n % len(items)], f"writer {me} round {n}")
""")

READER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from htrac.service.tracker import Tracker
    repo, rounds = Path(sys.argv[1]), int(sys.argv[2])
    last = {}
    for n in range(rounds):
        tracker = Tracker.open(repo)
        assert tracker.store.index is not None, "index gave up"
        for item in tracker.store.items():
            count = len(item.discussion)
            assert count >= last.get(item.id, 0), f"{item.id} went back: {count}"
            last[item.id] = count
    print(sum(last.values()))
""")


def test_index_concurrent_writers_and_readers(tmp_tracker, looking):
    items = [tmp_tracker.add(f"Shared {n}") for n in range(3)]
    writers, rounds = (4, 20) if FULL else (3, 8)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_tracker.path),
                               ",".join(items), str(rounds), str(w)], stderr=subprocess.PIPE)
             for w in range(writers)]
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(tmp_tracker.path),
                                 str(rounds * 2)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for proc in procs + readers:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    tracker = Tracker.open(tmp_tracker.path)
    indexed = tracker.store.items()
    direct = Store(tracker.layout, tracker.config, tracker.policy, use_index=False).fold_items()
    assert indexed == direct
    assert sum(len(i.discussion) for i in indexed) == writers * rounds
    db = tracker.store.index.refresh()
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
