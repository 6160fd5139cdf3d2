"""Many writers and readers at once: every op lands exactly once, whole, and every read is sane."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from tests_support import FULL, report

from htrac.core.oplog import read_oplog

# Each writer mixes updates and discussion on the shared item with adds and updates of its own
# items; it prints one line per acknowledged op.
WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from htrac.service.tracker import Tracker
    root, shared, me, count = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    tracker = Tracker.open(root)
    mine = None
    for n in range(count):
        step = n % 5
        if step == 0 or mine is None:
            mine = tracker.add(kind="work_item", title=f"writer {me} item {n}").id
        elif step == 1:
            tracker.update(shared, set_={"fields": {f"w{me}": str(n)}})
        elif step == 2:
            tracker.discuss(shared, f"writer {me} says {n}")
        elif step == 3:
            tracker.update(mine, set_={"priority": n % 5}, add={"tags": [f"t{n % 7}"]})
        else:
            tracker.discuss(mine, f"note {n}")
        print(n, flush=True)
""")

READER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from htrac.service.tracker import Tracker
    tracker = Tracker.open(Path(sys.argv[1]))
    bad, reads, deadline = [], 0, time.monotonic() + 120
    while time.monotonic() < deadline:
        items = tracker.items()
        reads += 1
        bad += [(i.id, [p.reason for p in i.problems]) for i in items if i.problems]
        if Path(sys.argv[2]).exists():
            break
    print(json.dumps({"reads": reads, "bad": bad}))
""")


def test_concurrency_writers_and_readers(tmp_tracker, tmp_path):
    writers, each = (8, 50) if FULL else (4, 20)
    shared = tmp_tracker.add("Shared by everyone")
    done = tmp_path / "writers-done"
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(tmp_tracker.path), str(done)],
                                stdout=subprocess.PIPE, text=True) for _ in range(2)]
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_tracker.path), shared,
                               str(w), str(each)], stdout=subprocess.PIPE, text=True)
             for w in range(writers)]
    acked = sum(len(p.communicate()[0].split()) for p in procs)
    assert [p.returncode for p in procs] == [0] * writers
    done.touch()
    reports = [json.loads(r.communicate()[0]) for r in readers]
    assert all(r["reads"] > 0 and r["bad"] == [] for r in reports), reports

    assert acked == writers * each
    ops, nonces = 0, set()
    for path in (tmp_tracker.agent_dir / "tracker-workspace" / ".ops").glob(".*.ops"):
        log = read_oplog(path.read_bytes())
        assert log.problems == [] and log.duplicates == 0, path.name
        ops += len(log.ops)
        nonces.update(op.nonce for op in log.ops)
    report(f"concurrency: {writers} processes x {each} writes, {ops - 1} ops written, "
           f"{writers * each + 1 - ops} lost, {sum(r['reads'] for r in reports)} concurrent reads")
    assert ops == writers * each + 1  # every acknowledged op, plus the shared item's create
    assert len(nonces) == ops
    listed = json.loads(tmp_tracker.ok("list", "--json"))
    assert len(listed) == 1 + writers * ((each + 4) // 5)
    assert all("problems" not in item for item in listed)


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
