"""A writer killed with SIGKILL at random moments never loses an acknowledged op."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from tests_support import FULL, report

from htrac.core.oplog import read_oplog

# Writes discuss ops as fast as it can and prints each message once its write has returned —
# that print is the acknowledgement the test holds it to.
WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from htrac.service.tracker import Tracker
    tracker = Tracker.open(Path(sys.argv[1]))
    round_ = sys.argv[3]
    for n in range(100000):
        message = f"round {round_} op {n} " + "y" * (n * 53 % 700)
        tracker.discuss(sys.argv[2], message)
        print(message.split(" y")[0].strip(), flush=True)
""")


@pytest.mark.slow
def test_crash_sigkill_during_writes_loses_no_acknowledged_op(tmp_tracker):
    item = tmp_tracker.add("Crash target")
    path = tmp_tracker.agent_dir / "tracker-workspace" / ".ops" / f".{item}.ops"
    rng = random.Random(20261121)
    kills = 200 if FULL else 25
    acknowledged: list[str] = []
    for round_ in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_tracker.path), item,
                                 str(round_)], stdout=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.15, 0.45))  # start-up takes ~0.15 s; kill inside the write loop
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        acknowledged.extend(out.splitlines())
    log = read_oplog(path.read_bytes())
    present = {op.get("message").split(" y")[0].strip() for op in log.ops if op.type == "discuss"}
    lost = set(acknowledged) - present
    report(f"crash: {kills} SIGKILLs, {len(acknowledged)} acknowledged ops, {len(lost)} lost")
    assert not lost, "acknowledged ops lost"
    assert [p for p in log.problems if p.kind == "damaged"] == []
    assert len(acknowledged) > kills  # the kills really landed inside write loops
    # and the file still takes writes
    assert tmp_tracker.htrac("discuss", item, "after the storm").code == 0
